public import CJSONMarks
public import HFTCore

extension JSONScanner {
    /// Reads a book level that is a compact array starting with two quoted decimals, price then size
    /// (OKX `["30238.8","2","0","1"]`, Binance `["0.3521","672"]`, Kraken v1 `["0.05005","0.00000500","1582905487.684110"]`),
    /// and returns it; the scanner then stands after the closing `]`. String elements after the size are read over.
    ///
    /// The fast path of generated level readers: one byte loop over the row, each decimal read in its plain form
    /// (``plainDecimal(_:_:end:)``). Returns nil, having consumed nothing, for anything else: other layouts,
    /// whitespace, escapes, numbers after the size, decimals in another form, a row not within 64 bytes, fewer than
    /// 64 bytes left in the frame. Callers then read the level with their general path, which also reports errors;
    /// what this accepts, that path reads to the same level.
    ///
    /// A plain loop rather than classified words: rows are short, and a loop whose branches follow the digits is
    /// about twice as fast here as finding the quotes with vector compares and converting words (session 12).
    @_transparent
    public mutating func decimalPairRow() -> BookLevel? {
        let start = offset
        // The 64 bytes from the row's start are readable: the loops below never look further.
        guard count &- start >= 64 else { return nil }
        let p = base + start
        guard p[0] == UInt8(ascii: "["), p[1] == UInt8(ascii: "\"") else { return nil }
        var i = 2
        guard let price = Self.plainDecimal(p, 2, end: &i),
              p[i &+ 1] == UInt8(ascii: ","), p[i &+ 2] == UInt8(ascii: "\""),
              let size = Self.plainDecimal(p, i &+ 3, end: &i)
        else { return nil }
        i &+= 1
        // String elements after the size (OKX's two counts, Kraken's time and flag).
        while p[i] == UInt8(ascii: ",") {
            // Short strings (OKX's counts) byte by byte; longer ones (a Kraken time is 17 bytes) by classifying the
            // next 32 bytes.
            guard p[i &+ 1] == UInt8(ascii: "\""), i < 56 else { return nil }
            i &+= 2
            let shortEnd = i &+ 3
            while i < shortEnd, p[i] != UInt8(ascii: "\""), p[i] != UInt8(ascii: "\\") { i &+= 1 }
            if p[i] != UInt8(ascii: "\"") {
                guard p[i] != UInt8(ascii: "\\"), i <= 32 else { return nil }
                let marks = hft_json_marks32(p + i)
                let close = marks.quotes.trailingZeroBitCount
                guard close < 32, marks.slashes & ~(UInt32.max << UInt32(close)) == 0 else { return nil }
                i &+= close
            }
            i &+= 1
            guard i < 63 else { return nil }
        }
        guard p[i] == UInt8(ascii: "]") else { return nil }
        offset = start &+ i &+ 1
        return BookLevel(price: price, size: size)
    }

    /// The plain decimal `-?digit+(.digit+)?` of at most 18 digits that starts at `p[position]` and ends at a
    /// quote, which `end` is set to; nil for anything else. Reads at most 21 bytes from `position`. The value
    /// ``ExactDecimal/init(parsing:count:)`` reads from the same bytes.
    @inlinable @inline(__always)
    static func plainDecimal(_ p: UnsafePointer<UInt8>, _ position: Int, end: inout Int) -> ExactDecimal? {
        let negative = p[position] == UInt8(ascii: "-")
        let first = negative ? position &+ 1 : position
        let limit = first &+ 20
        var i = first
        var dot = -1
        var value: UInt64 = 0
        while i < limit {
            let c = p[i]
            let d = c &- 48
            if d < 10 {
                value = value &* 10 &+ UInt64(d)
            } else if c == UInt8(ascii: "."), dot < 0 {
                dot = i
            } else {
                break
            }
            i &+= 1
        }
        let digits = dot < 0 ? i &- first : i &- first &- 1
        guard p[i] == UInt8(ascii: "\""), digits >= 1, digits <= 18, dot != first, dot != i &- 1 else { return nil }
        end = i
        let negate = negative && value != 0
        let scale = dot < 0 ? 0 : i &- dot &- 1
        return ExactDecimal(mantissa64: negate ? 0 &- Int64(bitPattern: value) : Int64(bitPattern: value), scale: UInt8(truncatingIfNeeded: scale))
    }
}
