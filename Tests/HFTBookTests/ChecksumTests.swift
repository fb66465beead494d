import HFTAdapters
import HFTBook
import HFTCore
import Testing

@Suite struct ChecksumTests {
    /// Check values of CRC-32/ISO-HDLC (zlib's `crc32`), and every length 0…40 against a bit-by-bit reference.
    @Test func crc32MatchesZlib() {
        func crc(_ text: String) -> UInt32 { Array(text.utf8).withUnsafeBytes { CRC32.checksum($0) } }
        #expect(crc("") == 0)
        #expect(crc("123456789") == 0xCBF4_3926)
        #expect(crc("The quick brown fox jumps over the lazy dog") == 0x414F_A339)
        func reference(_ bytes: [UInt8]) -> UInt32 {
            var c: UInt32 = 0xFFFF_FFFF
            for b in bytes {
                c ^= UInt32(b)
                for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
            }
            return c ^ 0xFFFF_FFFF
        }
        var rng = SystemRandomNumberGenerator()
        for n in 0...40 {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(bytes.withUnsafeBytes { CRC32.checksum($0) } == reference(bytes))
        }
    }

    /// OKX's documented rule (v5 "Checksum"): `bid1:ask1:bid2:ask2…`, each level `price:size` as sent; a side that
    /// runs out leaves the other's remaining levels. The text is written here by hand from that rule.
    @Test func okxInterleavesBidsAndAsksAsSent() throws {
        var book = OrderBook(instrument: try Instrument(parsing: "BTC-USDT"))
        try book.apply(bids: [BookLevel(price: try ExactDecimal("3366.1"), size: try ExactDecimal("7")),
                              BookLevel(price: try ExactDecimal("3366"), size: try ExactDecimal("6"))],
                       asks: [BookLevel(price: try ExactDecimal("3366.8"), size: try ExactDecimal("9")),
                              BookLevel(price: try ExactDecimal("3368"), size: try ExactDecimal("8")),
                              BookLevel(price: try ExactDecimal("3372"), size: try ExactDecimal("8"))])
        let text = "3366.1:7:3366.8:9:3366:6:3368:8:3372:8"
        let expected = Array(text.utf8).withUnsafeBytes { CRC32.checksum($0) }
        #expect(BookIntegrity.Checksum.okxCRC32Top25.compute(book) == expected)
    }

    /// Kraken's rule: asks then bids, each price and size without the point and leading zeros.
    @Test func krakenDropsPointsAndLeadingZeros() throws {
        var book = OrderBook(instrument: try Instrument(parsing: "ADA-BTC"))
        try book.apply(bids: [BookLevel(price: try ExactDecimal("0.000022890"), size: try ExactDecimal("31.75709827"))],
                       asks: [BookLevel(price: try ExactDecimal("0.000022900"), size: try ExactDecimal("0.05000000"))])
        let text = "22900" + "5000000" + "22890" + "3175709827"
        let expected = Array(text.utf8).withUnsafeBytes { CRC32.checksum($0) }
        #expect(BookIntegrity.Checksum.krakenCRC32Top10.compute(book) == expected)
    }
}
