import CCarrylessMultiply

/// The CRC-32 of a concatenation, from the CRCs of its parts: how ``ChecksumCache`` verifies a checksum without
/// hashing again the levels that did not change.
///
/// CRC-32 is linear over GF(2). With `R(r, M)` the CRC register after feeding the bytes `M` from the value `r`
/// (no final XOR), `R(0, M) = M(x)·x³² mod P`, and for parts `T₁ … Tₙ`:
///
///     R(r, T₁‥Tₙ) = r·x^(8N) ⊕ Σₖ R(0, Tₖ)·x^(8·sₖ)   (mod P)
///
/// where `N` is the total length and `sₖ` the number of bytes after part `k`. Each term is one carry-less
/// multiplication of the part's cached `R(0, Tₖ)` by a precomputed ``multipliers`` entry (PCLMULQDQ on x86-64,
/// in `CCarrylessMultiply`); the products are XORed unreduced and reduced once, by four table lookups
/// (``reduce(_:)``). zlib's `crc32_combine` is the same identity, applied one pair of parts at a time.
///
/// Thread safety: pure functions over tables made once.
enum CRC32Combine {
    /// Longest concatenation the multipliers cover: 50 parts (OKX's 25 levels per side) of at most 128 bytes.
    static let maxLength = 50 * 128

    /// `x^(8n − 1) mod P`, bit-reflected, for `n` in `0...maxLength`. The carry-less product of two reflected
    /// 32-bit values carries one extra factor `x`, which the `− 1` cancels. `multipliers[0]` is `x⁻¹ mod P`
    /// (`x · 0xDB710641 ≡ 1`); each next entry is the previous one times `x⁸`, a zero byte fed to the register.
    static let multipliers: [UInt32] = {
        let t = CRC32Tables.table
        var k = [UInt32](repeating: 0, count: maxLength + 1)
        k[0] = 0xDB71_0641
        for n in 1...maxLength { k[n] = t[Int(k[n - 1] & 0xFF)] ^ (k[n - 1] >> 8) }
        return k
    }()

    /// A term of the sum: `crc` (a part's `R(0, Tₖ)`, or the initial register) followed by `following` bytes,
    /// packed for ``xorOfProducts(_:count:portable:)``. `following ≤ maxLength`.
    @inline(__always)
    static func term(_ crc: UInt32, following: Int, _ multipliers: UnsafePointer<UInt32>) -> UInt64 {
        UInt64(crc) | UInt64(multipliers[following]) << 32
    }

    /// The XOR of the carry-less products of the packed terms, unreduced.
    @inline(__always)
    static func xorOfProducts(_ terms: UnsafePointer<UInt64>, count: Int, portable: Bool = false) -> UInt64 {
        portable ? hft_clmul_xor_portable(terms, count) : hft_clmul_xor(terms, count)
    }

    /// `q mod P` for a reflected 64-bit product: its low half holds the coefficients of `x⁶³…x³²` (reduced by
    /// feeding it as four bytes to a zero register: the slicing tables), its high half those of `x³¹…x⁰`.
    @inline(__always)
    static func reduce(_ q: UInt64) -> UInt32 {
        let low = UInt32(truncatingIfNeeded: q)
        return CRC32Tables.table.withUnsafeBufferPointer { t in
            t[3 &* 256 &+ Int(low & 0xFF)] ^ t[2 &* 256 &+ Int((low >> 8) & 0xFF)]
                ^ t[256 &+ Int((low >> 16) & 0xFF)] ^ t[Int(low >> 24)]
        } ^ UInt32(truncatingIfNeeded: q >> 32)
    }

    /// True when the products use the CPU's carry-less multiply instruction.
    static var isHardware: Bool { hft_clmul_is_hardware() != 0 }

    /// The CRC-32 (zlib's) of the parts laid end to end, from each part's `R(0, part)` and length: the identity
    /// above without a cache, for tests. The total length must not exceed ``maxLength``.
    static func checksum(ofParts parts: [(raw: UInt32, length: Int)], portable: Bool = false) -> UInt32 {
        var terms: [UInt64] = []
        var following = 0
        multipliers.withUnsafeBufferPointer { k in
            for part in parts.reversed() {
                terms.append(term(part.raw, following: following, k.baseAddress!))
                following += part.length
            }
            terms.append(term(0xFFFF_FFFF, following: following, k.baseAddress!))
        }
        return reduce(terms.withUnsafeBufferPointer { xorOfProducts($0.baseAddress!, count: $0.count, portable: portable) }) ^ 0xFFFF_FFFF
    }
}
