public import HFTAdapters
import HFTCore

/// The book checksum algorithms exchanges use, by the names specs give them (`"checksum"` in a spec's `book`).
///
/// Each writes the text of the top levels into one stack buffer (digits straight from the decimals' 64-bit
/// mantissas) and runs the CRC once over it: no string is built, nothing is allocated.
///
/// | name | text | sent as |
/// |---|---|---|
/// | `kraken_crc32_top10` | the 10 best asks (best first) then the 10 best bids; each price then size with the decimal point and leading zeros removed | unsigned (`"c"`) |
/// | `okx_crc32_top25` | `bid1:ask1:bid2:ask2:…` over the 25 best of each side, each level `price:size` as sent | signed 32-bit |
///
/// Kraken v1 prices and sizes are strings whose decimals ``ExactDecimal`` keeps as received, so "point and
/// leading zeros removed" is exactly the mantissa's digits. `kraken_v2_crc32_top10` needs each instrument's
/// price and quantity precision (from Kraken's `instrument` channel) to format JSON numbers; it is recognized
/// but not verified until those precisions are carried (`isVerifiable`).
extension BookIntegrity.Checksum {
    /// False when the book engine cannot compute this algorithm's checksum (see the notes above).
    public var isVerifiable: Bool { self == .krakenCRC32Top10 || self == .okxCRC32Top25 }

    /// The checksum of `book` as the exchange computes it, or nil when not verifiable.
    public func compute(_ book: OrderBook) -> UInt32? {
        switch self {
        case .none, .krakenV2CRC32Top10: return nil
        case .krakenCRC32Top10: return Self.kraken(book, depth: 10)
        case .okxCRC32Top25: return Self.okx(book, depth: 25)
        }
    }

    static func kraken(_ book: OrderBook, depth: Int) -> UInt32 {
        // Longest text: 2 × depth levels × (price + size digits ≤ 2 × 39).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * depth * 80) { scratch in
            let out = scratch.baseAddress!
            var n = 0
            func feed(_ side: BookSide) {
                for rank in 0..<min(depth, side.count) {
                    let level = side.level(at: rank)
                    writeDigits(level.price, out, &n)
                    writeDigits(level.size, out, &n)
                }
            }
            feed(book.asks)
            feed(book.bids)
            var crc = CRC32()
            crc.update(UnsafePointer(out), count: n)
            return crc.value
        }
    }

    static func okx(_ book: OrderBook, depth: Int) -> UInt32 {
        // Longest text: 2 × depth levels × (price + size ≤ 2 × 41, two colons).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * depth * (2 * ExactDecimal.maxTextLength + 2)) { scratch in
            let out = scratch.baseAddress!
            var n = 0
            func feed(_ level: BookLevel) {
                if n > 0 { out[n] = UInt8(ascii: ":"); n &+= 1 }
                writePlain(level.price, out, &n)
                out[n] = UInt8(ascii: ":")
                n &+= 1
                writePlain(level.size, out, &n)
            }
            for rank in 0..<depth {
                if rank < book.bids.count { feed(book.bids.level(at: rank)) }
                if rank < book.asks.count { feed(book.asks.level(at: rank)) }
            }
            var crc = CRC32()
            crc.update(UnsafePointer(out), count: n)
            return crc.value
        }
    }

    /// Appends the digits of `|mantissa|`: the text with the point and leading zeros removed (`0` for zero).
    @inline(__always)
    static func writeDigits(_ value: ExactDecimal, _ out: UnsafeMutablePointer<UInt8>, _ n: inout Int) {
        if let small = value.mantissa64 {
            n &+= writeUnsigned(small.magnitude, out + n)
        } else {
            let text = String(value.mantissa.magnitude)  // beyond 19 digits: rare, so a string is fine
            for b in text.utf8 { out[n] = b; n &+= 1 }
        }
    }

    /// Appends the plain text as received (`30243.4`, `0.0012029`): what ``ExactDecimal/writePlain(into:)``
    /// writes, without its 128-bit path for the usual 64-bit mantissas.
    @inline(__always)
    static func writePlain(_ value: ExactDecimal, _ out: UnsafeMutablePointer<UInt8>, _ n: inout Int) {
        guard let small = value.mantissa64 else {
            n &+= value.writePlain(into: UnsafeMutableRawBufferPointer(start: out + n, count: ExactDecimal.maxTextLength))
            return
        }
        if small < 0 { out[n] = UInt8(ascii: "-"); n &+= 1 }
        let scale = Int(value.scale)
        guard scale > 0 else {
            n &+= writeUnsigned(small.magnitude, out + n)
            return
        }
        // Digits with zeros in front so that there is one before the point: 1234 scale 6 → 0.001234.
        var digits = (UInt64(0), UInt64(0), UInt64(0))  // 24 bytes of scratch
        withUnsafeMutableBytes(of: &digits) { raw in
            let d = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let count = writeUnsigned(small.magnitude, d)
            let integerDigits = count - scale
            if integerDigits <= 0 {
                out[n] = UInt8(ascii: "0"); out[n &+ 1] = UInt8(ascii: ".")
                n &+= 2
                for _ in 0 ..< -integerDigits { out[n] = UInt8(ascii: "0"); n &+= 1 }
                (out + n).update(from: d, count: count)
                n &+= count
            } else {
                (out + n).update(from: d, count: integerDigits)
                n &+= integerDigits
                out[n] = UInt8(ascii: ".")
                n &+= 1
                (out + n).update(from: d + integerDigits, count: scale)
                n &+= scale
            }
        }
    }

    /// Writes the decimal digits of `v` at `out`, returning how many (1…20).
    @inline(__always)
    static func writeUnsigned(_ v: UInt64, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        var count = 1
        var probe = v
        while probe >= 10 { probe /= 10; count &+= 1 }
        var value = v
        var i = count
        while value >= 100 {
            let pair = Int(value % 100)
            value /= 100
            i &-= 2
            out[i] = UInt8(truncatingIfNeeded: pair / 10) &+ 48
            out[i &+ 1] = UInt8(truncatingIfNeeded: pair % 10) &+ 48
        }
        if value >= 10 {
            i &-= 2
            out[i] = UInt8(truncatingIfNeeded: value / 10) &+ 48
            out[i &+ 1] = UInt8(truncatingIfNeeded: value % 10) &+ 48
        } else {
            i &-= 1
            out[i] = UInt8(truncatingIfNeeded: value) &+ 48
        }
        return count
    }
}
