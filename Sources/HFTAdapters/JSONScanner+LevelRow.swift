public import HFTCore

extension JSONScanner {
    /// Reads a book level that is a compact array starting with two quoted decimals, price then size
    /// (OKX `["30238.8","2","0","1"]`, Binance `["0.3521","672"]`, Kraken v1 `["0.05005","0.00000500","1582905487.684110"]`),
    /// and returns it; the scanner then stands after the closing `]`. String elements after the size are read over.
    ///
    /// The fast path of generated level readers: the decimals are converted while their closing quotes are found
    /// (``ExactDecimal/parsingQuoted(_:end:)``), then later strings are read over. Returns nil, having consumed
    /// nothing, for anything else: other layouts, whitespace, escapes, numbers after the size, decimals in another
    /// form, a row not within 64 bytes (a row nearer the frame's end is read from a padded copy). Callers then read
    /// the level with their general path, which also reports errors; what this accepts, that path reads to the same
    /// level.
    ///
    /// Rows are short: converting digits as the loop meets them costs less than classifying the row's 64 bytes
    /// first and converting words after (OKX whole capture 1050 → 881 ns per frame in ParseBenchmarks, Kraken
    /// 346 → 335; see docs/decisions.md).
    @_transparent
    public mutating func decimalPairRow() -> BookLevel? {
        let start = offset
        let remaining = count &- start
        var used = 0
        // The loops never look further than 64 bytes from the row's start: a row nearer the frame's end is read
        // from a copy.
        guard let level = remaining >= 64 ? Self.decimalPairRow(at: base + start, used: &used)
                                          : Self.decimalPairRowNearEnd(base + start, remaining, used: &used)
        else { return nil }
        offset = start &+ used
        return level
    }

    /// A row that starts less than 64 bytes before the frame's end (the last rows of Binance's and Kraken's
    /// updates, followed by a few members), read from a copy padded with zero bytes. No row takes a zero byte, so
    /// a row read there ends within the frame's own bytes.
    @usableFromInline @inline(never)
    static func decimalPairRowNearEnd(_ p: UnsafePointer<UInt8>, _ remaining: Int, used: inout Int) -> BookLevel? {
        guard remaining >= 9 else { return nil }  // shorter than `["1","1"]`
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { padded in
            padded.initialize(repeating: 0)
            _ = padded.initialize(from: UnsafeBufferPointer(start: p, count: remaining))
            return decimalPairRow(at: UnsafePointer(padded.baseAddress!), used: &used)
        }
    }

    /// The row at `p`, whose 64 bytes from `p` are readable, and in `used` its length; nil as for
    /// ``decimalPairRow()``.
    @_transparent
    @usableFromInline
    static func decimalPairRow(at p: UnsafePointer<UInt8>, used: inout Int) -> BookLevel? {
        guard p[0] == UInt8(ascii: "["), p[1] == UInt8(ascii: "\"") else { return nil }
        var priceEnd = 0
        var sizeEnd = 0
        guard let price = ExactDecimal.parsingQuoted(p + 2, end: &priceEnd),
              p[priceEnd &+ 3] == UInt8(ascii: ","), p[priceEnd &+ 4] == UInt8(ascii: "\""),
              let size = ExactDecimal.parsingQuoted(p + (priceEnd &+ 5), end: &sizeEnd)
        else { return nil }
        var i = priceEnd &+ sizeEnd &+ 6
        // String elements after the size (OKX's two counts, Kraken's time and flag); longer ones eight bytes at a
        // time: the lowest quote of a word ends the string, unless a backslash comes before it.
        while p[i] == UInt8(ascii: ",") {
            guard p[i &+ 1] == UInt8(ascii: "\"") else { return nil }
            i &+= 2
            // One-byte strings (OKX's counts) at once.
            if p[i &+ 1] == UInt8(ascii: "\""), p[i] != UInt8(ascii: "\\"), p[i] != UInt8(ascii: "\"") {
                i &+= 2
                continue
            }
            while true {
                guard i <= 56 else { return nil }
                let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                let quotes = ByteWords.bytesEqual(word, 0x2222_2222_2222_2222)
                let slashes = ByteWords.bytesEqual(word, 0x5C5C_5C5C_5C5C_5C5C)
                guard slashes == 0 || slashes.trailingZeroBitCount > quotes.trailingZeroBitCount else { return nil }
                if quotes != 0 {
                    i &+= quotes.trailingZeroBitCount >> 3 &+ 1
                    break
                }
                i &+= 8
            }
            guard i < 63 else { return nil }
        }
        guard p[i] == UInt8(ascii: "]") else { return nil }
        used = i &+ 1
        return BookLevel(price: price, size: size)
    }
}
