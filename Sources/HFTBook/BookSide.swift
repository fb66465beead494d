public import HFTCore

/// One side of an order book: price levels kept sorted, best level last, so that the frequent changes near the
/// top move few elements and reading the top N walks backwards from the end.
///
/// Prices are integer keys: the price's digits at the book's key scale (``OrderBook`` picks the scale and widens
/// it when a finer price arrives). Asks store negated keys, so both sides keep keys ascending and share one
/// binary search. A level is stored in 16 bytes (key; size mantissa, size scale and the price's scale as
/// received, packed), so inserts and deletes move as little memory as a C book of integer pairs; ``level(at:)`` rebuilds the decimals exactly as
/// received (the scale is kept: checksums need it). Sizes whose mantissa exceeds 52 bits are kept aside.
///
/// Thread safety: a plain value, owned by one book.
public struct BookSide: Sendable {
    /// A level in 16 bytes: its key, and its size mantissa (52 bits) with the size's and the price's scales.
    @usableFromInline
    struct Entry: Sendable {
        @usableFromInline var key: Int64
        /// Bits 0–51: size mantissa (or an index into `bigSizes` when the size scale is `bigMarker`);
        /// 52–57: size scale; 58–63: price scale.
        @usableFromInline var bits: UInt64

        @usableFromInline static let sizeMask: UInt64 = (1 << 52) - 1
        @usableFromInline static let bigMarker: UInt64 = 63

        @inlinable
        init(key: Int64, size: UInt64, sizeScale: UInt64, priceScale: UInt8) {
            self.key = key
            self.bits = size | sizeScale << 52 | UInt64(priceScale) << 58
        }

        @inlinable var size: UInt64 { bits & Self.sizeMask }
        @inlinable var sizeScale: UInt64 { (bits >> 52) & 63 }
        @inlinable var priceScale: UInt8 { UInt8(truncatingIfNeeded: bits >> 58) }
    }

    /// Bids (`true`): the highest price is best. Asks (`false`): the lowest.
    public let isBids: Bool
    /// Ascending keys (negated prices for asks).
    @usableFromInline var entries: [Entry] = []
    /// Sizes beyond 52-bit mantissas (rare), referenced by index from their entry.
    @usableFromInline var bigSizes: [ExactDecimal] = []
    /// The key scale of the owning book, for rebuilding prices.
    @usableFromInline var keyScale: UInt8 = 0

    public init(isBids: Bool) {
        self.isBids = isBids
    }

    /// The number of price levels.
    @inlinable public var count: Int { entries.count }
    @inlinable public var isEmpty: Bool { entries.isEmpty }

    /// The best level (highest bid, lowest ask).
    @inlinable public var best: BookLevel? { entries.isEmpty ? nil : level(at: 0) }

    /// The level at `rank` from the top (0 is best); `rank < count`.
    @inlinable
    public func level(at rank: Int) -> BookLevel { level(index: entries.count &- 1 &- rank) }

    /// The level stored at `index` (ascending key order).
    @inlinable
    func level(index i: Int) -> BookLevel {
        let entry = entries[i]
        let key = isBids ? entry.key : 0 &- entry.key
        // The key is the price's mantissa times 10^(keyScale - priceScale): dividing gives it back exactly.
        let shift = Int(keyScale &- entry.priceScale)
        let price = ExactDecimal(mantissa64: shift == 0 ? key : key / OrderBook.powersOfTen[shift], scale: entry.priceScale)
        let size = entry.sizeScale == Entry.bigMarker ? bigSizes[Int(entry.size)]
            : ExactDecimal(mantissa64: Int64(entry.size), scale: UInt8(entry.sizeScale))
        return BookLevel(price: price, size: size)
    }

    /// The best `n` levels, best first.
    public func top(_ n: Int) -> [BookLevel] {
        (0..<Swift.min(n, count)).map { level(at: $0) }
    }

    /// Every level, best first.
    public var all: [BookLevel] { top(count) }

    /// Sets the size at a price; size 0 deletes it (deleting an absent price changes nothing).
    /// `key` is the price at the book's key scale.
    @inlinable
    mutating func set(key priceKey: Int64, level: BookLevel) {
        let key = isBids ? priceKey : 0 &- priceKey
        // Binary search for the first key >= key; updates cluster at the top (the end), so look there first.
        let (low, found) = entries.withUnsafeBufferPointer { e -> (Int, Bool) in
            let n = e.count
            if n > 0, e[n &- 1].key < key { return (n, false) }
            var low = 0
            var high = n
            while low < high {
                let mid = (low &+ high) &>> 1
                if e[mid].key < key { low = mid &+ 1 } else { high = mid }
            }
            return (low, low < n && e[low].key == key)
        }
        let size64 = level.size.mantissa64
        if size64 == 0 {
            if found { entries.remove(at: low) }
            return
        }
        let entry: Entry
        if let size64, size64 > 0, UInt64(size64) <= Entry.sizeMask {
            entry = Entry(key: key, size: UInt64(size64), sizeScale: UInt64(level.size.scale), priceScale: level.price.scale)
        } else {
            bigSizes.append(level.size)
            entry = Entry(key: key, size: UInt64(bigSizes.count - 1), sizeScale: Entry.bigMarker, priceScale: level.price.scale)
        }
        if found {
            entries[low] = entry
        } else {
            entries.insert(entry, at: low)
        }
    }

    /// Keeps the best `depth` levels.
    mutating func truncate(to depth: Int) {
        guard count > depth else { return }
        entries.removeFirst(count - depth)
    }

    mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        bigSizes.removeAll(keepingCapacity: true)
    }

    /// Multiplies every key by `factor` (the book's key scale grew to `scale`); false on overflow.
    mutating func rescaleKeys(by factor: Int64, to scale: UInt8) -> Bool {
        for i in entries.indices {
            let (k, overflow) = entries[i].key.multipliedReportingOverflow(by: factor)
            if overflow { return false }
            entries[i].key = k
        }
        keyScale = scale
        return true
    }
}
