// The C baseline of the book benchmark: one side of an order book as a sorted array of (key, size) pairs,
// best level last, binary search, memmove on insert and delete. Keys are integer prices (negated for asks, so
// both sides keep keys ascending); size 0 deletes. What a careful C feed handler would write. Also zlib's crc32,
// for the checksum benchmark.
#ifndef CBOOK_BASELINE_H
#define CBOOK_BASELINE_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t key;
    int64_t size;
} cbook_level;

typedef struct {
    cbook_level *levels;
    int64_t count;
    int64_t capacity;
} cbook_side;

void cbook_side_init(cbook_side *side);
void cbook_side_free(cbook_side *side);
void cbook_side_clear(cbook_side *side);
/// Sets the size at a key; size 0 deletes the key when present.
void cbook_side_set(cbook_side *side, int64_t key, int64_t size);

/// zlib's crc32 of `count` bytes: the system's CRC-32, beside HFTKit's in the checksum benchmark.
uint32_t cbook_zlib_crc32(const uint8_t *bytes, size_t count);

#endif
