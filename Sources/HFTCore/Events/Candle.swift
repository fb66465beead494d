/// One OHLCV candle (one event per candle entry; updates of an open candle repeat its start time).
public struct Candle: Sendable, Hashable {
    public var exchange: ExchangeID
    public var instrument: Instrument
    /// Candle length in seconds (60 for `1m`).
    public var intervalSeconds: Int32
    public var startTime: Timestamp
    public var open: ExactDecimal
    public var high: ExactDecimal
    public var low: ExactDecimal
    public var close: ExactDecimal
    /// Base-asset volume.
    public var volume: ExactDecimal
    /// True once the interval has ended and the candle is final; nil when the exchange does not say
    /// (Coinbase sends no flag).
    public var isClosed: Bool?
    public var exchangeTime: Timestamp?
    public var receiveTime: Timestamp

    @inlinable
    public init(
        exchange: ExchangeID, instrument: Instrument, intervalSeconds: Int32, startTime: Timestamp,
        open: ExactDecimal, high: ExactDecimal, low: ExactDecimal, close: ExactDecimal, volume: ExactDecimal,
        isClosed: Bool?, exchangeTime: Timestamp?, receiveTime: Timestamp
    ) {
        self.exchange = exchange
        self.instrument = instrument
        self.intervalSeconds = intervalSeconds
        self.startTime = startTime
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.isClosed = isClosed
        self.exchangeTime = exchangeTime
        self.receiveTime = receiveTime
    }
}

/// A perpetual swap's funding rate.
public struct Funding: Sendable, Hashable {
    public var exchange: ExchangeID
    public var instrument: Instrument
    /// The rate of the current funding interval (0.0001 = 0.01 %).
    public var rate: ExactDecimal
    /// The exchange's estimate for the next interval, when sent.
    public var predictedRate: ExactDecimal?
    public var nextFundingTime: Timestamp?
    public var markPrice: ExactDecimal?
    public var exchangeTime: Timestamp?
    public var receiveTime: Timestamp

    @inlinable
    public init(
        exchange: ExchangeID, instrument: Instrument, rate: ExactDecimal, predictedRate: ExactDecimal? = nil,
        nextFundingTime: Timestamp? = nil, markPrice: ExactDecimal? = nil,
        exchangeTime: Timestamp?, receiveTime: Timestamp
    ) {
        self.exchange = exchange
        self.instrument = instrument
        self.rate = rate
        self.predictedRate = predictedRate
        self.nextFundingTime = nextFundingTime
        self.markPrice = markPrice
        self.exchangeTime = exchangeTime
        self.receiveTime = receiveTime
    }
}
