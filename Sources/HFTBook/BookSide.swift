public import HFTCore

/// One side of an order book: price levels kept sorted, best level last, so that the frequent changes near the
/// top move few elements and reading the top N walks backwards from the end.
///
/// Prices are compared as integer keys: the price's digits at the book's key scale (``OrderBook`` picks the
/// scale and widens it when a finer price arrives). Asks store negated keys, so both sides keep their keys
/// ascending and share one binary search. Levels keep the exchange's text form (`ExactDecimal` keeps the scale
/// as received), which checksums need.
///
/// Thread safety: a plain value, owned by one book.
public struct BookSide: Sendable {
    /// Bids (`true`): the highest price is best. Asks (`false`): the lowest.
    public let isBids: Bool
    /// Ascending keys (negated prices for asks); `keys[i]` belongs to `levels[i]`.
    @usableFromInline var keys: [Int64] = []
    @usableFromInline var levels: [BookLevel] = []

    public init(isBids: Bool) {
        self.isBids = isBids
    }

    /// The number of price levels.
    @inlinable public var count: Int { levels.count }
    @inlinable public var isEmpty: Bool { levels.isEmpty }

    /// The best level (highest bid, lowest ask).
    @inlinable public var best: BookLevel? { levels.last }

    /// The level at `rank` from the top (0 is best); `rank < count`.
    @inlinable
    public func level(at rank: Int) -> BookLevel { levels[levels.count - 1 - rank] }

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
        if level.size.mantissa64 == 0 {
            if found {
                keys.remove(at: low)
                levels.remove(at: low)
            }
        } else if found {
            levels[low] = level
        } else {
            keys.insert(key, at: low)
            levels.insert(level, at: low)
        }
    }

    /// Keeps the best `depth` levels.
    mutating func truncate(to depth: Int) {
        guard count > depth else { return }
        keys.removeFirst(count - depth)
        levels.removeFirst(count - depth)
    }

    mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        levels.removeAll(keepingCapacity: true)
    }

    /// Multiplies every key by `factor` (the book's key scale grew); false on overflow.
    mutating func rescaleKeys(by factor: Int64) -> Bool {
        for i in keys.indices {
            let (k, overflow) = keys[i].multipliedReportingOverflow(by: factor)
            if overflow { return false }
            keys[i] = k
        }
        return true
    }
}
