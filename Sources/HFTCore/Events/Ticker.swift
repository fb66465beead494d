/// Top of book: best bid and ask with their sizes, and the last trade price when the exchange sends it.
/// Sizes are nil only for feeds that carry none (Kraken Futures `ticker_lite`).
public struct Ticker: Sendable, Hashable {
    public var exchange: ExchangeID
    public var instrument: Instrument
    public var bidPrice: ExactDecimal
    public var bidSize: ExactDecimal?
    public var askPrice: ExactDecimal
    public var askSize: ExactDecimal?
    /// Last trade price, when the ticker message carries one (Binance `bookTicker` does not).
    public var lastPrice: ExactDecimal?
    /// The exchange's timestamp of this update, when the message carries one.
    public var exchangeTime: Timestamp?
    /// When the frame carrying this event was received locally.
    public var receiveTime: Timestamp

    @inlinable
    public init(
        exchange: ExchangeID, instrument: Instrument,
        bidPrice: ExactDecimal, bidSize: ExactDecimal?, askPrice: ExactDecimal, askSize: ExactDecimal?,
        lastPrice: ExactDecimal? = nil, exchangeTime: Timestamp?, receiveTime: Timestamp
    ) {
        self.exchange = exchange
        self.instrument = instrument
        self.bidPrice = bidPrice
        self.bidSize = bidSize
        self.askPrice = askPrice
        self.askSize = askSize
        self.lastPrice = lastPrice
        self.exchangeTime = exchangeTime
        self.receiveTime = receiveTime
    }
}
