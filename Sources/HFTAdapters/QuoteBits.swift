public import CJSONMarks

/// The quotes of a frame from an offset on, one at a time, for walks that take their positions from bits rather
/// than from bytes (``JSONScanner/decimalPairRows(_:to:)``).
///
/// Each 64-byte block is classified once (``hft_json_quotes64``), at offsets that do not depend on what the bytes
/// hold, and its quotes are taken lowest first (lowest set bit, then clear it): consecutive positions cost a bit
/// operation each instead of a load that waits for the previous position. A block with a backslash ends the
/// quotes (nil), so no quote returned is escaped. The last block is read from the frame's last 64 bytes, never
/// past its end; a frame shorter than 64 bytes has no quotes here (callers then take their general paths).
///
/// The cursor knows nothing of JSON: callers start it at a position outside any string and consume every quote
/// they pass.
///
/// Thread safety: a value confined to the thread that parses the frame; the frame's bytes must outlive it.
@frozen
public struct QuoteBits {
    @usableFromInline let base: UnsafePointer<UInt8>
    @usableFromInline let count: Int
    /// Offset of the block `bits` describes.
    @usableFromInline var block: Int
    /// The quotes of the block not yet returned, bit i for byte `block + i`.
    @usableFromInline var bits: UInt64
    /// False once a block with a backslash was met.
    @usableFromInline var clean: Bool

    /// Quotes from `offset` on, in the `count` bytes at `base`.
    @inlinable @inline(__always)
    public init(base: UnsafePointer<UInt8>, count: Int, at offset: Int) {
        self.base = base
        self.count = count
        block = offset
        bits = 0
        clean = true
        load()
    }

    @inlinable @inline(__always)
    mutating func load() {
        guard count >= 64 else {
            clean = false
            return
        }
        // A block reaching past the frame's end is read from its last 64 bytes, shifted down: nothing past the
        // end is read, and bytes past it have no bits.
        let at = min(block, count &- 64)
        let marks = hft_json_quotes64(base + at)
        clean = clean && marks.slashes == 0
        bits = clean ? marks.quotes >> UInt64(truncatingIfNeeded: block &- at) : 0
    }

    /// The offset of the next quote, nil past the frame's end or at a block with a backslash.
    @inlinable @inline(__always)
    public mutating func next() -> Int? {
        while bits == 0 {
            block &+= 64
            guard clean, block < count else { return nil }
            load()
        }
        let quote = block &+ bits.trailingZeroBitCount
        bits &= bits &- 1
        return quote
    }
}
