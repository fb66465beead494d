#include "CCarrylessMultiply.h"

uint64_t hft_clmul_xor_portable(const uint64_t *pairs, size_t count) {
    uint64_t acc = 0;
    for (size_t i = 0; i < count; i++) {
        uint64_t a = (uint32_t)pairs[i];
        uint32_t b = (uint32_t)(pairs[i] >> 32);
        for (int bit = 0; bit < 32; bit++) acc ^= (a << bit) & (0 - (uint64_t)((b >> bit) & 1));
    }
    return acc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

__attribute__((target("pclmul,sse2")))
static uint64_t clmul_xor_pclmul(const uint64_t *pairs, size_t count) {
    // Independent products: two accumulators keep the multiplier busy.
    __m128i acc0 = _mm_setzero_si128(), acc1 = _mm_setzero_si128();
    size_t i = 0;
    for (; i + 2 <= count; i += 2) {
        __m128i a0 = _mm_cvtsi32_si128((int)(uint32_t)pairs[i]), b0 = _mm_cvtsi32_si128((int)(uint32_t)(pairs[i] >> 32));
        __m128i a1 = _mm_cvtsi32_si128((int)(uint32_t)pairs[i + 1]), b1 = _mm_cvtsi32_si128((int)(uint32_t)(pairs[i + 1] >> 32));
        acc0 = _mm_xor_si128(acc0, _mm_clmulepi64_si128(a0, b0, 0x00));
        acc1 = _mm_xor_si128(acc1, _mm_clmulepi64_si128(a1, b1, 0x00));
    }
    if (i < count) {
        __m128i a = _mm_cvtsi32_si128((int)(uint32_t)pairs[i]), b = _mm_cvtsi32_si128((int)(uint32_t)(pairs[i] >> 32));
        acc0 = _mm_xor_si128(acc0, _mm_clmulepi64_si128(a, b, 0x00));
    }
    return (uint64_t)_mm_cvtsi128_si64(_mm_xor_si128(acc0, acc1));
}

static int hardware = -1;  // read and written with relaxed atomics

int hft_clmul_is_hardware(void) {
    int known = __atomic_load_n(&hardware, __ATOMIC_RELAXED);
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("pclmul") ? 1 : 0;
        __atomic_store_n(&hardware, known, __ATOMIC_RELAXED);  // every thread finds the same value
    }
    return known;
}

uint64_t hft_clmul_xor(const uint64_t *pairs, size_t count) {
    return hft_clmul_is_hardware() ? clmul_xor_pclmul(pairs, count) : hft_clmul_xor_portable(pairs, count);
}
#else
int hft_clmul_is_hardware(void) { return 0; }

uint64_t hft_clmul_xor(const uint64_t *pairs, size_t count) { return hft_clmul_xor_portable(pairs, count); }
#endif
