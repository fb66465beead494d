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

#if defined(__SSE2__)
#undef HFT_JOIN
#undef HFT_EQ
#undef HFT_MASK
#endif

#endif
