/// Word-at-a-time (SWAR) helpers for parsers that read text eight bytes at a time on little-endian machines:
/// ``ExactDecimal``'s and ``Timestamp``'s parsers here, HFTAdapters' `JSONScanner`.
///
/// Pure functions on values; safe from any thread.
public enum ByteWords {
    /// High bit set in each byte of `word` equal to the same byte of `pattern` (`0x2222_2222_2222_2222` finds
    /// quotes). The lowest set bit is exact; bits above it may be false positives, so use only the lowest.
    @inlinable @inline(__always)
    public static func bytesEqual(_ word: UInt64, _ pattern: UInt64) -> UInt64 {
        let x = word ^ pattern
        return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

    /// High bit set in each byte of `word` equal to the same byte of `pattern`, exactly: no false positives, so
    /// the highest set bit may be used too (searching backwards). A few more operations than ``bytesEqual(_:_:)``.
    @inlinable @inline(__always)
    public static func bytesEqualExact(_ word: UInt64, _ pattern: UInt64) -> UInt64 {
        let x = word ^ pattern
        return ~(((x & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | x) & 0x8080_8080_8080_8080
    }

    /// The first `min(length, 8)` bytes at `q` (`length` ≥ 1) as a little-endian word, zero above them, read with
    /// at most two overlapping loads that stay inside `[q, q + length)`.
    @inlinable @inline(__always)
    public static func loadPrefix(_ q: UnsafeRawPointer, _ length: Int) -> UInt64 {
        if length >= 8 { return q.loadUnaligned(as: UInt64.self) }
        if length >= 4 {
            let low = UInt64(q.loadUnaligned(as: UInt32.self))
            let high = UInt64(q.loadUnaligned(fromByteOffset: length &- 4, as: UInt32.self))
            return low | high << UInt64(8 &* (length &- 4))
        }
        if length >= 2 {
            let low = UInt64(q.loadUnaligned(as: UInt16.self))
            let high = UInt64(q.loadUnaligned(fromByteOffset: length &- 2, as: UInt16.self))
            return low | high << UInt64(8 &* (length &- 2))
        }
        return UInt64(q.load(as: UInt8.self))
    }
}
