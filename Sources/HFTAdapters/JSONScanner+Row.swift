public import CJSONMarks

/// The first four scalars of a compact array, as ``JSONScanner/scalarRow(_:)`` reads them.
///
/// A book level is such an array on most exchanges (OKX `["30238.8","2","0","1"]`, Binance `["0.3521","672"]`,
/// Kraken v1 `["0.05005","0.00000500","1582905487.684110"]`). Elements past the fourth are read over, not kept.
///
/// Thread safety: a value confined to the thread that parses the frame; its spans point into the frame.
@frozen
public struct ScalarRow {
    /// Elements 0…3 (a homogeneous tuple: laid out like a C array, so elements are stored by address).
    @usableFromInline var elements: (JSONScalar, JSONScalar, JSONScalar, JSONScalar)
    /// How many elements the array has (all of them, also those past the fourth).
    public var count: Int

    @inlinable @inline(__always)
    public init() {
        let empty = JSONScalar(span: ByteSpan(base: JSONScanner.emptyBase, count: 0), kind: .null)
        elements = (empty, empty, empty, empty)
        count = 0
    }

    /// Stores element `i` (0 ≤ i < 4) by address: a `switch` here cost an indirect jump per element.
    @inlinable @inline(__always)
    mutating func store(_ value: JSONScalar, at i: Int) {
        withUnsafeMutableBytes(of: &elements) { raw in
            raw.storeBytes(of: value, toByteOffset: i &* MemoryLayout<JSONScalar>.stride, as: JSONScalar.self)
        }
    }

    /// Element `i`, nil when the array is shorter or `i` is 4 or more.
    @inlinable @inline(__always)
    public subscript(_ i: Int) -> JSONScalar? {
        guard i < count, i < 4 else { return nil }
        switch i {
        case 0: return elements.0
        case 1: return elements.1
        case 2: return elements.2
        default: return elements.3
        }
    }
}

extension JSONScanner {
    /// Reads a whole compact array of scalars in one step, keeping its first four elements in `row`, and
    /// returns true; the scanner then stands after the closing `]`.
    ///
    /// One classification of the next 64 bytes (32 near the frame's end) gives every quote and number end, so
    /// each element costs a few bit operations instead of a byte walk. Returns false, having consumed nothing,
    /// for anything else: an array that is not compact, holds a container or a backslash, or does not end within
    /// the classified bytes. Callers then read the array with the general walk, which also reports errors.
    @_transparent
    public mutating func scalarRow(_ row: inout ScalarRow) -> Bool {
        let start = offset
        let available = count &- start
        guard available >= 32, base[start] == UInt8(ascii: "[") else { return false }
        let p = base + start
        if p[1] == UInt8(ascii: "]") {
            row.count = 0
            offset = start &+ 2
            return true
        }
        let quotes: UInt64, enders: UInt64, spaces: UInt64, slashes: UInt64
        let limit: Int
        let low = hft_json_marks32(p)
        if available >= 64 {
            let high = hft_json_marks32(p + 32)
            quotes = UInt64(high.quotes) << 32 | UInt64(low.quotes)
            enders = UInt64(high.enders) << 32 | UInt64(low.enders)
            spaces = UInt64(high.spaces) << 32 | UInt64(low.spaces)
            slashes = UInt64(high.slashes) << 32 | UInt64(low.slashes)
            limit = 64
        } else {
            quotes = UInt64(low.quotes)
            enders = UInt64(low.enders)
            spaces = UInt64(low.spaces)
            slashes = UInt64(low.slashes)
            limit = 32
        }
        var position = 1
        var index = 0
        while true {
            let next = Self.elementEnd(p, position, quotes, enders, spaces)
            guard next < limit else { return false }
            if index < 4 {
                let value = p[position] == UInt8(ascii: "\"")
                    ? JSONScalar(span: ByteSpan(base: p + (position &+ 1), count: next &- position &- 2), kind: .string)
                    : JSONScalar(span: ByteSpan(base: p + position, count: next &- position), kind: Self.literalKind(p[position]).unsafelyUnwrapped)
                row.store(value, at: index)
            }
            index &+= 1
            let separator = p[next]
            if separator == UInt8(ascii: ",") {
                position = next &+ 1
                guard position < limit else { return false }
                continue
            }
            // A backslash anywhere before the end may hide an escaped quote: leave the array to the general walk.
            guard separator == UInt8(ascii: "]"), slashes & ~Self.bitsFrom(next) == 0 else { return false }
            row.count = index
            offset = start &+ next &+ 1
            return true
        }
    }

    /// Where the scalar at `position` of a classified row ends (one past a string's closing quote, or the byte
    /// that ends a literal); 64 or more when it does not end within the classified bytes or is not a scalar
    /// without whitespace.
    @inlinable @inline(__always)
    static func elementEnd(_ p: UnsafePointer<UInt8>, _ position: Int, _ quotes: UInt64, _ enders: UInt64, _ spaces: UInt64) -> Int {
        if p[position] == UInt8(ascii: "\"") {
            return (quotes & bitsFrom(position &+ 1)).trailingZeroBitCount &+ 1
        }
        guard literalKind(p[position]) != nil else { return 64 }
        let end = (enders & bitsFrom(position)).trailingZeroBitCount
        return spaces & bitsFrom(position) & ~bitsFrom(end) == 0 ? end : 64
    }

    /// The bits at positions `k` and above (none for `k` ≥ 64).
    @inlinable @inline(__always)
    static func bitsFrom(_ k: Int) -> UInt64 {
        k < 64 ? UInt64.max &<< UInt64(k) : 0
    }
}
