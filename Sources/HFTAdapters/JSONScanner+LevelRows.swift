public import CJSONMarks
public import HFTCore

extension JSONScanner {
    /// Reads a run of compact book level rows whose first two elements are quoted decimals, price then size
    /// (OKX `["30238.8","2","0","1"],["30239","0.5","0","2"]`, Binance `["0.3521","672"]`, Kraken v1 with its time
    /// strings), appending each level to `run` (and through it to `array`). The scanner stands on the first row's
    /// `[`; afterwards it stands after the last row read, before the `,` or `]` that follows it. Returns false,
    /// having consumed nothing, when not even the first row could be read this way.
    ///
    /// The fast path of generated level readers, for arrays of many levels (OKX's books: 25 levels an update, 400 a
    /// snapshot). The quotes of 64 bytes at a time are found at once (``hft_json_quotes64``), at offsets that do not
    /// depend on what the rows hold, and each row's quotes are then taken from those bits (lowest set bit, then
    /// clear it). Knowing where each decimal ends, it is converted with no loop and no data-dependent branch
    /// (``hft_decimal16``, SSE2). ``decimalPairRow()`` finds a row's end by converting its digits one by one, so the
    /// next row waits for that loop, and decimals of varying lengths mispredict its exit; here the end of a row
    /// does not wait for its conversion, and the conversions of consecutive rows overlap.
    ///
    /// It stops before a row it does not read (whitespace, a backslash in the 64 bytes being looked at, a number, a
    /// decimal with a sign, an exponent or more than 16 characters, a row within 5 bytes of the frame's end, a
    /// frame shorter than 64 bytes): the caller's general path reads that row, reports its errors, and may call
    /// this again for the rows after it. What this accepts, the general path reads to the same levels
    /// (`JSONScannerLevelRowsTests`).
    @inlinable @inline(__always)
    public mutating func decimalPairRows(_ run: inout LevelRun, to array: inout [BookLevel]) -> Bool {
        let start = offset
        // A decimal is loaded as the 16 bytes before its closing quote: from offset 16 on, inside the frame.
        guard start >= 16, count >= 64, start &+ 2 <= count else { return false }
        var quotes = QuoteBits(base: base, count: count, at: start)
        var row = start
        var read = false
        while base[row] == UInt8(ascii: "["), base[row &+ 1] == UInt8(ascii: "\"") {
            // The price's and the size's quotes, adjacent but for one comma, then any further strings.
            guard let o1 = quotes.next(), o1 == row &+ 1, let c1 = quotes.next(),
                  let o2 = quotes.next(), o2 == c1 &+ 2, base[c1 &+ 1] == UInt8(ascii: ","),
                  let c2 = quotes.next()
            else { break }
            var close = c2
            var whole = true
            while true {
                // The bytes after a string: a comma or `]`, then the next row's `,["`.
                guard close &+ 5 <= count else { whole = false; break }
                guard base[close &+ 1] == UInt8(ascii: ",") else { break }
                guard let o = quotes.next(), o == close &+ 2, let c = quotes.next() else { whole = false; break }
                close = c
            }
            guard whole, base[close &+ 1] == UInt8(ascii: "]"),
                  let price = Self.rowDecimal(base + (o1 &+ 1), c1 &- o1 &- 1),
                  let size = Self.rowDecimal(base + (o2 &+ 1), c2 &- o2 &- 1)
            else { break }
            run.append(BookLevel(price: price, size: size), to: &array)
            read = true
            row = close &+ 2
            offset = row
            // The next row follows a comma; anything else ends the run here.
            guard base[row] == UInt8(ascii: ","), base[row &+ 1] == UInt8(ascii: "[") else { break }
            row &+= 1
        }
        return read
    }

    /// The decimal of `length` bytes at `p` (1…16 characters, `d+(.d+)?`), nil for anything else. The 16 bytes
    /// below `p + length` are readable.
    @inlinable @inline(__always)
    static func rowDecimal(_ p: UnsafePointer<UInt8>, _ length: Int) -> ExactDecimal? {
        guard length >= 1, length <= 16 else { return nil }
        var value: UInt64 = 0
        let scale = hft_decimal16(p + length, length, &value)
        guard scale >= 0 else { return nil }
        return ExactDecimal(mantissa64: Int64(bitPattern: value), scale: UInt8(truncatingIfNeeded: scale))
    }
}
