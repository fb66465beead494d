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
        rows: while base[row] == UInt8(ascii: "["), base[row &+ 1] == UInt8(ascii: "\"") {
            // The price's and the size's quotes, adjacent but for one comma, then any further strings.
            guard let o1 = quotes.next(), o1 == row &+ 1, let c1 = quotes.next(),
                  let o2 = quotes.next(), o2 == c1 &+ 2, base[c1 &+ 1] == UInt8(ascii: ","),
                  let c2 = quotes.next()
            else { break }
            var close = c2
            // The bytes after a string (checked to be inside the frame first): a comma and the next string, or
            // `]`, then the next row's `,["`.
            while true {
                guard close &+ 5 <= count else { break rows }
                guard base[close &+ 1] == UInt8(ascii: ",") else { break }
                guard let o = quotes.next(), o == close &+ 2, let c = quotes.next() else { break rows }
                close = c
            }
            guard base[close &+ 1] == UInt8(ascii: "]"),
                  let price = ByteSpan(base: base + (o1 &+ 1), count: c1 &- o1 &- 1).plainDecimal16(checkingPage: false),
                  let size = ByteSpan(base: base + (o2 &+ 1), count: c2 &- o2 &- 1).plainDecimal16(checkingPage: false)
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
}
