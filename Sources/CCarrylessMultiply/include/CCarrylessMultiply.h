// Carry-less multiplication (polynomial multiplication over GF(2)) for HFTBook's checksum verification:
// the CRC of a concatenation is combined from the cached CRCs of its parts, each multiplied by x^(8·n) mod P
// (see Sources/HFTBook/CRC32Combine.swift). Uses PCLMULQDQ on x86-64 when the CPU has it (checked once at run
// time), a portable loop otherwise. Pure functions: safe from any thread.
#ifndef CCARRYLESS_MULTIPLY_H
#define CCARRYLESS_MULTIPLY_H
#include <stddef.h>
#include <stdint.h>

/// The XOR of the carry-less products (low 32 bits) ⊗ (high 32 bits) of each of `count` packed pairs.
uint64_t hft_clmul_xor(const uint64_t *pairs, size_t count);

/// The same with the portable loop only (tests compare both).
uint64_t hft_clmul_xor_portable(const uint64_t *pairs, size_t count);

/// 1 when hft_clmul_xor uses the CPU's carry-less multiply instruction.
int hft_clmul_is_hardware(void);

#endif
