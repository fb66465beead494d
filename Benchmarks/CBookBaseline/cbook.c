#include "CBookBaseline.h"
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

void cbook_side_init(cbook_side *side) {
    side->count = 0;
    side->capacity = 64;
    side->levels = malloc(sizeof(cbook_level) * (size_t)side->capacity);
}

void cbook_side_free(cbook_side *side) {
    free(side->levels);
    side->levels = NULL;
    side->count = side->capacity = 0;
}

void cbook_side_clear(cbook_side *side) { side->count = 0; }

void cbook_side_set(cbook_side *side, int64_t key, int64_t size) {
    int64_t low = 0, high = side->count;
    while (low < high) {
        int64_t mid = (low + high) >> 1;
        if (side->levels[mid].key < key) low = mid + 1; else high = mid;
    }
    int found = low < side->count && side->levels[low].key == key;
    if (size == 0) {
        if (found) {
            memmove(&side->levels[low], &side->levels[low + 1], sizeof(cbook_level) * (size_t)(side->count - low - 1));
            side->count -= 1;
        }
    } else if (found) {
        side->levels[low].size = size;
    } else {
        if (side->count == side->capacity) {
            side->capacity *= 2;
            side->levels = realloc(side->levels, sizeof(cbook_level) * (size_t)side->capacity);
        }
        memmove(&side->levels[low + 1], &side->levels[low], sizeof(cbook_level) * (size_t)(side->count - low));
        side->levels[low].key = key;
        side->levels[low].size = size;
        side->count += 1;
    }
}

uint32_t cbook_zlib_crc32(const uint8_t *bytes, size_t count) {
    return (uint32_t)crc32(0L, bytes, (uInt)count);
}
