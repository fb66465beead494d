public import CJSONMarks
public import HFTCore

extension JSONScanner {
    /// Reads a book level that is a compact array starting with two quoted decimals, price then size
    /// (OKX `["30238.8","2","0","1"]`, Binance `["0.3521","672"]`, Kraken v1 `["0.05005","0.00000500","1582905487.684110"]`),
    /// and returns it; the scanner then stands after the closing `]`. Elements after the size are read over.
    ///
    /// The fast path of generated level readers: one classification of the row's first 32 bytes (64 when the row
    /// is longer) gives both closing quotes, and both decimals are read in their common form
    /// (``ExactDecimal/parsingCommonForm(_:count:padded:)``) straight from the frame (the 64 bytes from the row's start
    /// are readable, so each decimal's first word is one load). Returns nil, having consumed
    /// nothing, for anything else: other layouts, whitespace, escapes, decimals in another form, a row that does
    /// not end within the classified bytes, fewer than 64 bytes left in the frame. Callers then read the level with
    /// their general path, which also reports errors; what this accepts, that path reads to the same level.
    @_transparent
    public mutating func decimalPairRow() -> BookLevel? {
        let start = offset
        guard count &- start >= 64 else { return nil }
        let p = base + start
        guard p[0] == UInt8(ascii: "["), p[1] == UInt8(ascii: "\"") else { return nil }
        let low = hft_json_marks32(p)
        var quotes = UInt64(low.quotes)
        var slashes = UInt64(low.slashes)
        var enders = UInt64(low.enders)
        var spaces = UInt64(low.spaces)
        var limit = 32
        // Price: p[2] up to the next quote; then `,"`; size up to the next quote.
        let priceEnd = (quotes & Self.bitsFrom(2)).trailingZeroBitCount
        guard priceEnd < 29, p[priceEnd &+ 1] == UInt8(ascii: ","), p[priceEnd &+ 2] == UInt8(ascii: "\"") else { return nil }
        let sizeStart = priceEnd &+ 3
        let sizeEnd = (quotes & Self.bitsFrom(sizeStart)).trailingZeroBitCount
        guard sizeEnd < 31, slashes & ~Self.bitsFrom(sizeEnd) == 0,
              let price = ExactDecimal.parsingCommonForm(p + 2, count: priceEnd &- 2, padded: true),
              let size = ExactDecimal.parsingCommonForm(p + sizeStart, count: sizeEnd &- sizeStart, padded: true)
        else { return nil }
        var next = sizeEnd &+ 1
        // Elements after the size, as `scalarRow` reads them (`elementEnd`).
        while p[next] == UInt8(ascii: ",") {
            let position = next &+ 1
            guard position < 64 else { return nil }
            var end = Self.elementEnd(p, position, quotes, enders, spaces)
            if end >= limit {
                // The row goes on past the first 32 bytes: classify the next 32, once.
                guard limit == 32 else { return nil }
                let high = hft_json_marks32(p + 32)
                quotes |= UInt64(high.quotes) << 32
                slashes |= UInt64(high.slashes) << 32
                enders |= UInt64(high.enders) << 32
                spaces |= UInt64(high.spaces) << 32
                limit = 64
                end = Self.elementEnd(p, position, quotes, enders, spaces)
                guard end < limit else { return nil }
            }
            next = end
        }
        guard p[next] == UInt8(ascii: "]"), slashes & ~Self.bitsFrom(next) == 0 else { return nil }
        offset = start &+ next &+ 1
        return BookLevel(price: price, size: size)
    }
}
