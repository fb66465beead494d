/// The maintained book of one instrument after an update: its best `depth` levels per side, whether it is
/// valid, and the sequence of the last update applied. What observers that asked for book views receive
/// (`MarketStream.bind(_:queueCapacity:book:)` with a depth), instead of or next to the deltas.
///
/// A view with ``isValid`` false carries no levels: the book is resynchronizing (a gap, a checksum mismatch, a
/// crossed book, an overflow) and must not be traded on. A crossed book is never published as valid.
///
/// Thread safety: a value; it owns copies of the levels (two arrays per view).
public struct BookTop: Sendable, Hashable {
    public var exchange: ExchangeID
    public var instrument: Instrument
    /// The best bids, best (highest) first; at most the depth asked for.
    public var bids: [BookLevel]
    /// The best asks, best (lowest) first.
    public var asks: [BookLevel]
    /// Levels on each side of the whole book (not only the top).
    public var bidLevels: Int
    public var askLevels: Int
    /// False while the book resynchronizes: the levels are empty then.
    public var isValid: Bool
    /// The sequence fields of the last update applied (empty for exchanges without sequence numbers).
    public var sequence: BookSequence
    public var exchangeTime: Timestamp?
    public var receiveTime: Timestamp

    public init(
        exchange: ExchangeID, instrument: Instrument, bids: [BookLevel], asks: [BookLevel], bidLevels: Int, askLevels: Int,
        isValid: Bool, sequence: BookSequence = BookSequence(), exchangeTime: Timestamp?, receiveTime: Timestamp
    ) {
        self.exchange = exchange
        self.instrument = instrument
        self.bids = bids
        self.asks = asks
        self.bidLevels = bidLevels
        self.askLevels = askLevels
        self.isValid = isValid
        self.sequence = sequence
        self.exchangeTime = exchangeTime
        self.receiveTime = receiveTime
    }

    public var bestBid: BookLevel? { bids.first }
    public var bestAsk: BookLevel? { asks.first }
}
