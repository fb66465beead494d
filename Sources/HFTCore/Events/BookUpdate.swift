/// One order-book message for one instrument: a full snapshot or a delta of changed levels.
/// In a delta a level with size 0 deletes that price.
public struct BookUpdate: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case snapshot
        case delta
    }

    public var exchange: ExchangeID
    public var instrument: Instrument
    public var kind: Kind
    /// Bid levels as sent (exchanges order them best first; deltas may come in any order).
    public var bids: [BookLevel]
    /// Ask levels as sent.
    public var asks: [BookLevel]
    /// The sequence fields the exchange attaches, for gap detection.
    public var sequence: BookSequence
    /// The exchange's checksum of the book after applying this update (Kraken, OKX), when sent.
    public var checksum: UInt32?
    public var exchangeTime: Timestamp?
    public var receiveTime: Timestamp

    @inlinable
    public init(
        exchange: ExchangeID, instrument: Instrument, kind: Kind, bids: [BookLevel], asks: [BookLevel],
        sequence: BookSequence = BookSequence(), checksum: UInt32? = nil,
        exchangeTime: Timestamp?, receiveTime: Timestamp
    ) {
        self.exchange = exchange
        self.instrument = instrument
        self.kind = kind
        self.bids = bids
        self.asks = asks
        self.sequence = sequence
        self.checksum = checksum
        self.exchangeTime = exchangeTime
        self.receiveTime = receiveTime
    }
}

/// A price level: the total size resting at one price.
@frozen
public struct BookLevel: Sendable, Hashable {
    public var price: ExactDecimal
    public var size: ExactDecimal

    @inlinable
    public init(price: ExactDecimal, size: ExactDecimal) {
        self.price = price
        self.size = size
    }
}

/// The sequence numbers a book message carries; which are present depends on the exchange:
///
/// | exchange | first | last | previous |
/// |---|---|---|---|
/// | Binance spot | `U` | `u` | – |
/// | Binance USD-M | `U` | `u` | `pu` |
/// | OKX | – | `seqId` | `prevSeqId` |
/// | Kraken Futures, Coinbase | – | `seq` / `sequence_num` | – |
public struct BookSequence: Sendable, Hashable {
    /// First update id covered by this message.
    public var first: UInt64?
    /// Last update id covered by this message (the message's own sequence number).
    public var last: UInt64?
    /// The `last` of the message that must precede this one.
    public var previous: UInt64?

    @inlinable
    public init(first: UInt64? = nil, last: UInt64? = nil, previous: UInt64? = nil) {
        self.first = first
        self.last = last
        self.previous = previous
    }
}
