public import HFTCore

/// The order book of one instrument: snapshots replace it, deltas change it level by level (size 0 deletes).
///
/// This is the bare data structure: it applies what it is given and says whether it is crossed. Whether an
/// update may be applied (sequence continuity, checksums, resync) is ``BookSync``'s job.
///
/// Prices become `Int64` keys at the book's key scale, the largest number of decimals seen in a price of this
/// book (`0.000022890` → scale 9, key 22890): comparisons are integer compares. A finer price widens the scale
/// (every key is multiplied once); a price whose key does not fit 63 bits is refused with
/// ``BookError/priceOutOfRange``.
///
/// Thread safety: a plain value, owned by one thread (the stream's book keeper or a service).
public struct OrderBook: Sendable {
    public let instrument: Instrument
    public private(set) var bids = BookSide(isBids: true)
    public private(set) var asks = BookSide(isBids: false)
    /// Levels kept per side after each update (the subscribed depth: levels pushed beyond it get no delete).
    public let depthLimit: Int?
    /// Decimals of the integer price keys.
    public private(set) var keyScale: UInt8 = 0

    public init(instrument: Instrument, depthLimit: Int? = nil) {
        self.instrument = instrument
        self.depthLimit = depthLimit
    }

    /// Best bid (highest) and best ask (lowest).
    public var bestBid: BookLevel? { bids.best }
    public var bestAsk: BookLevel? { asks.best }

    /// True when the best bid is at or above the best ask: never a valid state of a real book.
    public var isCrossed: Bool {
        guard let bid = bids.best, let ask = asks.best else { return false }
        return bid.price >= ask.price
    }

    /// Applies a snapshot (replacing everything) or a delta.
    public mutating func apply(_ update: BookUpdate) throws(BookError) {
        if update.kind == .snapshot { removeAll() }
        try apply(bids: update.bids, asks: update.asks)
    }

    /// Applies changed levels to both sides.
    public mutating func apply(bids newBids: [BookLevel], asks newAsks: [BookLevel]) throws(BookError) {
        for level in newBids { bids.set(key: try key(level.price), level: level) }
        for level in newAsks { asks.set(key: try key(level.price), level: level) }
        if let depth = depthLimit {
            bids.truncate(to: depth)
            asks.truncate(to: depth)
        }
    }

    public mutating func removeAll() {
        bids.removeAll()
        asks.removeAll()
    }

    /// The best `n` levels of each side, best first.
    public func top(_ n: Int) -> (bids: [BookLevel], asks: [BookLevel]) { (bids.top(n), asks.top(n)) }

    /// The price's key at the key scale, widening the scale first when the price has more decimals.
    @inlinable
    mutating func key(_ price: ExactDecimal) throws(BookError) -> Int64 {
        if price.scale == keyScale, let key = price.mantissa64 { return key }  // the common case
        if price.scale > keyScale { try widenKeyScale(to: price.scale) }
        let shift = Int(keyScale - price.scale)
        guard shift < OrderBook.powersOfTen.count,
              case let (scaled, overflow) = price.mantissa.multipliedReportingOverflow(by: Int128(OrderBook.powersOfTen[shift])),
              !overflow, let key = Int64(exactly: scaled)
        else { throw .priceOutOfRange(price) }
        return key
    }

    @usableFromInline
    mutating func widenKeyScale(to scale: UInt8) throws(BookError) {
        let shift = Int(scale - keyScale)
        guard shift < Self.powersOfTen.count else { throw .priceOutOfRange(nil) }
        let factor = Self.powersOfTen[shift]
        guard bids.rescaleKeys(by: factor, to: scale), asks.rescaleKeys(by: factor, to: scale) else { throw .priceOutOfRange(nil) }
        keyScale = scale
    }

    @usableFromInline
    static let powersOfTen: [Int64] = (0...18).map { (0..<$0).reduce(Int64(1)) { r, _ in r * 10 } }
}

/// Why a book cannot take an update.
public enum BookError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A price whose integer key does not fit 63 bits at the book's key scale (nil: while widening the scale).
    case priceOutOfRange(ExactDecimal?)

    public var description: String {
        switch self {
        case .priceOutOfRange(let p?): return "price \(p.plainText) out of the book's range"
        case .priceOutOfRange(nil): return "prices with too many decimals for the book's range"
        }
    }
}
