public import HFTCore

/// One side of an order book: price levels kept sorted, best level last, so that the frequent changes near the
/// top move few elements and reading the top N walks backwards from the end.
///
/// Prices are integer keys: the price's digits at the book's key scale (``OrderBook`` picks the scale and widens
/// it when a finer price arrives). Asks store negated keys, so both sides keep keys ascending and share one
/// binary search. A level is stored in 24 bytes beside its key (size mantissa, size scale, the price's scale as
/// received), so inserts and deletes move little memory; ``level(at:)`` rebuilds the decimals exactly as
/// received (the scale is kept: checksums need it). Sizes whose mantissa exceeds 64 bits are kept aside.
///
/// Thread safety: a plain value, owned by one book.
public struct BookSide: Sendable {
    /// A level without its key.
    @usableFromInline
    struct Slot: Sendable {
        /// The size's mantissa, or an index into `bigSizes` when `isBig`.
        @usableFromInline var size: Int64
        @usableFromInline var sizeScale: UInt8
        @usableFromInline var priceScale: UInt8
        @usableFromInline var isBig: Bool

        @inlinable
        init(size: Int64, sizeScale: UInt8, priceScale: UInt8, isBig: Bool) {
            self.size = size
            self.sizeScale = sizeScale
            self.priceScale = priceScale
            self.isBig = isBig
        }
    }

    /// Bids (`true`): the highest price is best. Asks (`false`): the lowest.
    public let isBids: Bool
    /// Ascending keys (negated prices for asks); `keys[i]` belongs to `slots[i]`.
    @usableFromInline var keys: [Int64] = []
    @usableFromInline var slots: [Slot] = []
    /// Sizes beyond 64-bit mantissas (rare), referenced by index from their slot.
    @usableFromInline var bigSizes: [ExactDecimal] = []
    /// The key scale of the owning book, for rebuilding prices.
    @usableFromInline var keyScale: UInt8 = 0

    public init(isBids: Bool) {
        self.isBids = isBids
    }

    /// The number of price levels.
    @inlinable public var count: Int { keys.count }
    @inlinable public var isEmpty: Bool { keys.isEmpty }

    /// The best level (highest bid, lowest ask).
    @inlinable public var best: BookLevel? { keys.isEmpty ? nil : level(at: 0) }

    /// The level at `rank` from the top (0 is best); `rank < count`.
    @inlinable
    public func level(at rank: Int) -> BookLevel { level(index: keys.count &- 1 &- rank) }

    /// The level stored at `index` (ascending key order).
    @inlinable
    func level(index i: Int) -> BookLevel {
        let slot = slots[i]
        let key = isBids ? keys[i] : 0 &- keys[i]
        // The key is the price's mantissa times 10^(keyScale - priceScale): dividing gives it back exactly.
        let shift = Int(keyScale &- slot.priceScale)
        let price = ExactDecimal(mantissa64: shift == 0 ? key : key / OrderBook.powersOfTen[shift], scale: slot.priceScale)
        let size = slot.isBig ? bigSizes[Int(slot.size)] : ExactDecimal(mantissa64: slot.size, scale: slot.sizeScale)
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
        let (low, found) = keys.withUnsafeBufferPointer { k -> (Int, Bool) in
            let n = k.count
            if n > 0, k[n &- 1] < key { return (n, false) }
            var low = 0
            var high = n
            while low < high {
                let mid = (low &+ high) &>> 1
                if k[mid] < key { low = mid &+ 1 } else { high = mid }
            }
            return (low, low < n && k[low] == key)
        }
        let size64 = level.size.mantissa64
        if size64 == 0 {
            if found {
                keys.remove(at: low)
                slots.remove(at: low)
            }
            return
        }
        let slot: Slot
        if let size64 {
            slot = Slot(size: size64, sizeScale: level.size.scale, priceScale: level.price.scale, isBig: false)
        } else {
            bigSizes.append(level.size)
            slot = Slot(size: Int64(bigSizes.count - 1), sizeScale: 0, priceScale: level.price.scale, isBig: true)
        }
        if found {
            slots[low] = slot
        } else {
            keys.insert(key, at: low)
            slots.insert(slot, at: low)
        }
    }

    /// Keeps the best `depth` levels.
    mutating func truncate(to depth: Int) {
        guard count > depth else { return }
        keys.removeFirst(count - depth)
        slots.removeFirst(count - depth)
    }

    mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
        bigSizes.removeAll(keepingCapacity: true)
    }

    /// Multiplies every key by `factor` (the book's key scale grew to `scale`); false on overflow.
    mutating func rescaleKeys(by factor: Int64, to scale: UInt8) -> Bool {
        for i in keys.indices {
            let (k, overflow) = keys[i].multipliedReportingOverflow(by: factor)
            if overflow { return false }
            keys[i] = k
        }
        keyScale = scale
        return true
    }
}
