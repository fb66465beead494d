import HFTCore
import Testing

/// `ByteWords.bytesEqualExact` against a byte-by-byte comparison; `bytesEqual` is exact in its lowest bit only.
@Suite struct ByteWordsTests {
    static func expected(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { mask, i in
            UInt8(truncatingIfNeeded: word >> UInt64(8 * i)) == byte ? mask | (0x80 << UInt64(8 * i)) : mask
        }
    }

    @Test func exactMatchesEveryByte() {
        var generator = SystemRandomNumberGenerator()
        // Bytes near the pattern (borrows and carries), the pattern itself, and anything.
        let bytes: [UInt8] = [0x22, 0x23, 0x21, 0x00, 0x01, 0x7F, 0x80, 0xA2, 0xFF, 0x5C]
        for _ in 0..<20_000 {
            let word = (0..<8).reduce(UInt64(0)) { w, i in
                let b = Bool.random(using: &generator) ? bytes.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
                return w | UInt64(b) << UInt64(8 * i)
            }
            #expect(ByteWords.bytesEqualExact(word, 0x2222_2222_2222_2222) == Self.expected(word, 0x22), "\(String(word, radix: 16))")
        }
    }

    /// The case that needs the exact form: a `#` just above a quote (a borrow into the byte above).
    @Test func aByteAboveAMatchIsNotFlagged() {
        let word: UInt64 = 0x2322  // '"' then '#'
        #expect(ByteWords.bytesEqualExact(word, 0x2222_2222_2222_2222) == 0x80)
        // The subtraction trick flags the `#` too (0x01 after the XOR, minus the borrow); its lowest bit is right.
        #expect(ByteWords.bytesEqual(word, 0x2222_2222_2222_2222) == 0x8080)
    }
}
