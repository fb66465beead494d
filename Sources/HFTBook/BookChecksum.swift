public import HFTAdapters
import HFTCore

/// The book checksum algorithms exchanges use, by the names specs give them (`"checksum"` in a spec's `book`).
///
/// Each top level's text is written with digits straight from the decimals' 64-bit mantissas, no string built;
/// ``ChecksumCache`` keeps each level's CRC between updates and combines them into the checksum of the whole.
///
/// | name | text | sent as |
/// |---|---|---|
/// | `kraken_crc32_top10` | the 10 best asks (best first) then the 10 best bids; each price then size with the decimal point and leading zeros removed | unsigned (`"c"`) |
/// | `kraken_v2_crc32_top10` | as v1, each price and quantity first written with the instrument's decimals (``BookPrecision``) | unsigned (`checksum`) |
/// | `okx_crc32_top25` | `bid1:ask1:bid2:ask2:…` over the 25 best of each side, each level `price:size` as sent | signed 32-bit |
///
/// Kraken v1 prices and sizes are strings whose decimals ``ExactDecimal`` keeps as received, so "point and
/// leading zeros removed" is exactly the mantissa's digits. Kraken v2 sends JSON numbers (`0.1` for
/// `0.10000000`), so `kraken_v2_crc32_top10` writes the mantissa's digits followed by zeros up to the
/// instrument's decimals (`price_precision`, `qty_precision` of Kraken's `instrument` channel); a value with more
/// decimals than that keeps its digits, and the checksum then fails rather than passing wrongly.
extension BookIntegrity.Checksum {
    /// False when the book engine cannot compute this algorithm's checksum (`none`). `kraken_v2_crc32_top10` also
    /// needs the instrument's ``BookPrecision`` (``BookSync/setPrecision(_:)``).
    public var isVerifiable: Bool { self != .none }

    /// The checksum of `book` as the exchange computes it, or nil when not verifiable. Formats every top level
    /// (a fresh ``ChecksumCache``); a book verified after each update keeps its cache instead (``BookSync``).
    public func compute(_ book: OrderBook, precision: BookPrecision? = nil) -> UInt32? {
        var cache = ChecksumCache(precision: precision)
        return cache.compute(self, book)
    }

    /// Appends the digits of `|mantissa|` written with `decimals` decimals (zeros added at the end; trailing
    /// zeros beyond them dropped), point and leading zeros removed: Kraken v2's text of a JSON number.
    @inline(__always)
    static func writeDigits(_ value: ExactDecimal, decimals: UInt8, _ out: UnsafeMutablePointer<UInt8>, _ n: inout Int) {
        let start = n
        writeDigits(value, out, &n)
        var scale = Int(value.scale)
        let target = Int(decimals)
        while scale < target {
            out[n] = 48
            n &+= 1
            scale &+= 1
        }
        while scale > target, n &- start > 1, out[n &- 1] == 48 {
            n &-= 1
            scale &-= 1
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
