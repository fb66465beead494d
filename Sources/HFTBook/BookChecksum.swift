public import HFTAdapters
import HFTCore

/// The book checksum algorithms exchanges use, by the names specs give them (`"checksum"` in a spec's `book`).
///
/// Each computes the CRC-32 of a text made from the top levels, feeding each level's digits straight into the
/// CRC as they are written into a small stack buffer: no string is built, nothing is allocated.
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
        var crc = CRC32()
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { scratch in
            let buffer = scratch.baseAddress!
            func feed(_ side: BookSide) {
                for rank in 0..<min(depth, side.count) {
                    let level = side.level(at: rank)
                    feedDigits(level.price.mantissa, buffer, &crc)
                    feedDigits(level.size.mantissa, buffer, &crc)
                }
            }
            feed(book.asks)
            feed(book.bids)
        }
        return crc.value
    }

    static func okx(_ book: OrderBook, depth: Int) -> UInt32 {
        var crc = CRC32()
        var first = true
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: ExactDecimal.maxTextLength) { scratch in
            let raw = UnsafeMutableRawBufferPointer(scratch)
            let buffer = UnsafePointer(scratch.baseAddress!)
            func feed(_ level: BookLevel) {
                if !first { crc.update(byte: UInt8(ascii: ":")) }
                first = false
                crc.update(buffer, count: level.price.writePlain(into: raw))
                crc.update(byte: UInt8(ascii: ":"))
                crc.update(buffer, count: level.size.writePlain(into: raw))
            }
            for rank in 0..<depth {
                if rank < book.bids.count { feed(book.bids.level(at: rank)) }
                if rank < book.asks.count { feed(book.asks.level(at: rank)) }
            }
        }
        return crc.value
    }

    /// Feeds the decimal digits of `|value|` (no leading zeros; `0` for zero).
    @inline(__always)
    static func feedDigits(_ value: Int128, _ buffer: UnsafeMutablePointer<UInt8>, _ crc: inout CRC32) {
        var magnitude = value.magnitude
        var i = 48
        repeat {
            i -= 1
            if let small = UInt64(exactly: magnitude) {
                var n = small
                buffer[i] = UInt8(truncatingIfNeeded: n % 10) &+ 48
                n /= 10
                while n != 0 {
                    i -= 1
                    buffer[i] = UInt8(truncatingIfNeeded: n % 10) &+ 48
                    n /= 10
                }
                break
            }
            let (q, r) = magnitude.quotientAndRemainder(dividingBy: 10)
            buffer[i] = UInt8(truncatingIfNeeded: r) &+ 48
            magnitude = q
        } while magnitude != 0
        crc.update(UnsafePointer(buffer + i), count: 48 - i)
    }
}
