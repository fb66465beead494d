// Byte classes of 32 bytes of JSON at once, for HFTAdapters' JSONScanner (Sources/HFTAdapters/JSONScanner+Member.swift,
// and skipping containers in JSONScanner.swift):
// one bit per byte for quotes, backslashes, the bytes that end a number (`,` `}` `]`) and whitespace or control
// bytes, or (for skipping) quotes, backslashes, opening and closing brackets. SSE2 (every x86-64 CPU) compares 16
// bytes per instruction and gathers the bits with one `pmovmskb`; other CPUs run the portable loop.
// `static inline`, always inlined: Swift inlines them into the scanner, with no call (without the attribute, LLVM
// kept an out-of-line copy for the routing walk of every adapter: 2.7% of an OKX ticker+trade profile). Pure
// functions: safe from any thread. The caller guarantees that 32 bytes are readable at `p`.
#ifndef CJSON_MARKS_H
#define CJSON_MARKS_H
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#define HFT_MASK(x) ((uint32_t)_mm_movemask_epi8(x))
#define HFT_EQ(v, c) _mm_cmpeq_epi8((v), _mm_set1_epi8((char)(c)))
// The 32 bits of one class from its two 16-byte halves' compare results.
#define HFT_JOIN(x, y) (HFT_MASK(x) | HFT_MASK(y) << 16)
#endif

/// Bit i describes byte p[i].
typedef struct {
    uint32_t quotes;   // '"'
    uint32_t slashes;  // '\\'
    uint32_t enders;   // ',' '}' ']'
    uint32_t spaces;   // bytes <= 0x20 (whitespace, control bytes)
} hft_json_marks;

/// The portable loop alone (tests compare it with the vector path on random bytes).
static inline hft_json_marks hft_json_marks32_portable(const uint8_t *p) {
    hft_json_marks m = {0, 0, 0, 0};
    for (int i = 0; i < 32; i++) {
        const uint8_t c = p[i];
        m.quotes |= (uint32_t)(c == '"') << i;
        m.slashes |= (uint32_t)(c == '\\') << i;
        m.enders |= (uint32_t)(c == ',' || c == '}' || c == ']') << i;
        m.spaces |= (uint32_t)(c <= 0x20) << i;
    }
    return m;
}

/// The four classes of p[0] … p[31].
static inline __attribute__((always_inline)) hft_json_marks hft_json_marks32(const uint8_t *p) {
    hft_json_marks m;
#if defined(__SSE2__)
    const __m128i a = _mm_loadu_si128((const __m128i *)p);
    const __m128i b = _mm_loadu_si128((const __m128i *)(p + 16));
    m.quotes = HFT_JOIN(HFT_EQ(a, '"'), HFT_EQ(b, '"'));
    m.slashes = HFT_JOIN(HFT_EQ(a, '\\'), HFT_EQ(b, '\\'));
    // '}' and ']' differ in one bit (0x7D, 0x5D): fold it, then compare once.
    const __m128i fold = _mm_set1_epi8(0x20);
    m.enders = HFT_JOIN(_mm_or_si128(HFT_EQ(a, ','), HFT_EQ(_mm_or_si128(a, fold), '}')),
                        _mm_or_si128(HFT_EQ(b, ','), HFT_EQ(_mm_or_si128(b, fold), '}')));
    // Unsigned x <= 0x20  <=>  max(x, 0x20) == 0x20.
    const __m128i space = _mm_set1_epi8(0x20);
    m.spaces = HFT_JOIN(_mm_cmpeq_epi8(_mm_max_epu8(a, space), space), _mm_cmpeq_epi8(_mm_max_epu8(b, space), space));
#else
    m = hft_json_marks32_portable(p);
#endif
    return m;
}

/// Bit i describes byte p[i]: what skipping a container needs.
typedef struct {
    uint32_t quotes;   // '"'
    uint32_t slashes;  // '\\'
    uint32_t opens;    // '[' '{'
    uint32_t closes;   // ']' '}'
} hft_json_nesting;

/// The portable loop alone (tests compare it with the vector path on random bytes).
static inline hft_json_nesting hft_json_nesting32_portable(const uint8_t *p) {
    hft_json_nesting m = {0, 0, 0, 0};
    for (int i = 0; i < 32; i++) {
        const uint8_t c = p[i];
        m.quotes |= (uint32_t)(c == '"') << i;
        m.slashes |= (uint32_t)(c == '\\') << i;
        m.opens |= (uint32_t)(c == '[' || c == '{') << i;
        m.closes |= (uint32_t)(c == ']' || c == '}') << i;
    }
    return m;
}

/// The four nesting classes of p[0] … p[31].
static inline __attribute__((always_inline)) hft_json_nesting hft_json_nesting32(const uint8_t *p) {
    hft_json_nesting m;
#if defined(__SSE2__)
    const __m128i a = _mm_loadu_si128((const __m128i *)p);
    const __m128i b = _mm_loadu_si128((const __m128i *)(p + 16));
    m.quotes = HFT_JOIN(HFT_EQ(a, '"'), HFT_EQ(b, '"'));
    m.slashes = HFT_JOIN(HFT_EQ(a, '\\'), HFT_EQ(b, '\\'));
    // '[' and '{' (0x5B, 0x7B), ']' and '}' (0x5D, 0x7D) differ in one bit: fold it, then compare once each.
    const __m128i fold = _mm_set1_epi8(0x20);
    const __m128i fa = _mm_or_si128(a, fold), fb = _mm_or_si128(b, fold);
    m.opens = HFT_JOIN(HFT_EQ(fa, '{'), HFT_EQ(fb, '{'));
    m.closes = HFT_JOIN(HFT_EQ(fa, '}'), HFT_EQ(fb, '}'));
#else
    m = hft_json_nesting32_portable(p);
#endif
    return m;
}

/// Quotes of 64 bytes at once, for reading runs of book level rows (HFTAdapters' JSONScanner+LevelRows.swift).
typedef struct {
    uint64_t quotes;  // bit i: p[i] == '"'
    uint32_t slashes; // nonzero when any of the 64 bytes is a backslash (which byte is not said)
} hft_json_quotes;

/// The portable loop alone (tests compare it with the vector path on random bytes).
static inline hft_json_quotes hft_json_quotes64_portable(const uint8_t *p) {
    hft_json_quotes m = {0, 0};
    for (int i = 0; i < 64; i++) {
        m.quotes |= (uint64_t)(p[i] == '"') << i;
        m.slashes |= (uint32_t)(p[i] == '\\');
    }
    return m;
}

/// The quotes of p[0] … p[63], and whether a backslash is among them. The caller guarantees that 64 bytes are
/// readable at `p`.
static inline __attribute__((always_inline)) hft_json_quotes hft_json_quotes64(const uint8_t *p) {
    hft_json_quotes m;
#if defined(__SSE2__)
    const __m128i a = _mm_loadu_si128((const __m128i *)p);
    const __m128i b = _mm_loadu_si128((const __m128i *)(p + 16));
    const __m128i c = _mm_loadu_si128((const __m128i *)(p + 32));
    const __m128i d = _mm_loadu_si128((const __m128i *)(p + 48));
    m.quotes = (uint64_t)HFT_JOIN(HFT_EQ(a, '"'), HFT_EQ(b, '"')) | (uint64_t)HFT_JOIN(HFT_EQ(c, '"'), HFT_EQ(d, '"')) << 32;
    m.slashes = HFT_MASK(_mm_or_si128(_mm_or_si128(HFT_EQ(a, '\\'), HFT_EQ(b, '\\')),
                                      _mm_or_si128(HFT_EQ(c, '\\'), HFT_EQ(d, '\\'))));
#else
    m = hft_json_quotes64_portable(p);
#endif
    return m;
}

/// The portable loop alone (tests compare it with the vector path on random text).
static inline int hft_decimal16_portable(const uint8_t *end, long len, uint64_t *value) {
    const uint8_t *p = end - len;
    uint64_t v = 0;
    int dot = -1;
    for (long i = 0; i < len; i++) {
        if (p[i] >= '0' && p[i] <= '9') {
            v = v * 10 + (uint64_t)(p[i] - '0');
        } else if (p[i] == '.' && dot < 0 && i > 0 && i < len - 1) {
            dot = (int)i;
        } else {
            return -1;
        }
    }
    *value = v;
    return dot < 0 ? 0 : (int)(len - 1 - dot);
}

/// The plain decimal `digit+(.digit+)?` of `len` (1…16) characters that ends just before `end` (a string's closing
/// quote, for runs of book level rows whose quotes were found in bulk: HFTAdapters' JSONScanner+LevelRows.swift).
/// Returns the number of digits after the dot and stores the value of all digits in `*value`; -1 for anything else
/// (a sign, an exponent, other bytes, a dot first, last or twice). The 16 bytes before `end` are readable.
///
/// No loop and no data-dependent branch (rows of varying lengths cost no mispredictions): the 16 bytes ending at
/// `end` are loaded at once, the digits before the dot moved up one byte to close the gap (their value then reads
/// as if the dot were not there), bytes before the text cleared, and the 16 digits combined pairwise with SSE2
/// multiply-adds (10, 100, 10 000), then the two halves of eight digits.
static inline __attribute__((always_inline)) int hft_decimal16(const uint8_t *end, long len, uint64_t *value) {
#if defined(__SSE2__)
    const __m128i v = _mm_loadu_si128((const __m128i *)(end - 16));
    const __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    // Digits: d <= 9 unsigned, that is min(d, 9) == d.
    const uint32_t digits = HFT_MASK(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d));
    const uint32_t dots = HFT_MASK(HFT_EQ(v, '.'));
    const uint32_t text = (0xFFFF0000u >> len) & 0xFFFFu;  // bits 16-len … 15
    const uint32_t dot = dots & text;
    const uint32_t ends = (text & (0u - text)) | 0x8000u;  // the first and the last character
    if ((text & ~(digits | dot)) | (dot & (dot - 1)) | (dot & ends)) return -1;
    const int at = dot ? __builtin_ctz(dot) : 16;  // the dot's byte; 16: none
    // from(k): bytes k … 15 set (k in 0…17), one unaligned load from a window of 32 zeros then 16 ones.
    static const uint8_t window[48] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    };
#define HFT_FROM(k) _mm_loadu_si128((const __m128i *)(window + 32 - (k)))
    const __m128i inText = HFT_FROM(16 - len);
    const __m128i before = _mm_andnot_si128(HFT_FROM(at), inText);
    const __m128i after = HFT_FROM(at + 1);
#undef HFT_FROM
    const __m128i integer = _mm_and_si128(d, before);
    // With a dot, the integer digits move up one byte, next to the fraction; without, they stay.
    const __m128i moved = _mm_set1_epi8(dot ? -1 : 0);
    const __m128i joined = _mm_or_si128(_mm_and_si128(d, after),
                                        _mm_or_si128(_mm_and_si128(moved, _mm_slli_si128(integer, 1)),
                                                     _mm_andnot_si128(moved, integer)));
    // 16 digits, most significant first: pairs (x10 + y), then fours (x100 + y), then eights (x10 000 + y).
    const __m128i zero = _mm_setzero_si128();
    const __m128i tens = _mm_setr_epi16(10, 1, 10, 1, 10, 1, 10, 1);
    const __m128i pairs = _mm_packs_epi32(_mm_madd_epi16(_mm_unpacklo_epi8(joined, zero), tens),
                                          _mm_madd_epi16(_mm_unpackhi_epi8(joined, zero), tens));
    const __m128i fours = _mm_madd_epi16(pairs, _mm_setr_epi16(100, 1, 100, 1, 100, 1, 100, 1));
    const __m128i eights = _mm_madd_epi16(_mm_packs_epi32(fours, fours), _mm_setr_epi16(10000, 1, 10000, 1, 10000, 1, 10000, 1));
    const uint64_t high = (uint32_t)_mm_cvtsi128_si32(eights);
    const uint64_t low = (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(eights, 4));
    *value = high * 100000000u + low;
    return dot ? 15 - at : 0;
#else
    return hft_decimal16_portable(end, len, value);
#endif
}

/// Asks for the cache line at `p` ahead of its use (a hint: never faults, whatever `p` is).
static inline __attribute__((always_inline)) void hft_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

#if defined(__SSE2__)
#undef HFT_JOIN
#undef HFT_EQ
#undef HFT_MASK
#endif

#endif
