/// Every normalized event a stream delivers, as one value (for queues and IPC that carry mixed kinds).
///
/// All events carry the exchange, the instrument, the exchange's own timestamp when the message has one
/// (`exchangeTime`), and the local receive time of the frame (`receiveTime`, taken once per frame).
public enum MarketEvent: Sendable {
    case ticker(Ticker)
    case trade(Trade)
    case book(BookUpdate)
    /// The maintained book's top levels after an update (observers that asked for a book depth).
    case bookTop(BookTop)
    case candle(Candle)
    case funding(Funding)
    case myOrder(MyOrder)
    case myTrade(MyTrade)

    /// The channel this kind of event belongs to.
    public var channel: Channel {
        switch self {
        case .ticker: return .ticker
        case .trade: return .trade
        case .book: return .l2Book
        case .bookTop: return .l2Book
        case .candle: return .candles
        case .funding: return .funding
        case .myOrder: return .myOrder
        case .myTrade: return .myTrade
        }
    }

    public var exchange: ExchangeID {
        switch self {
        case .ticker(let e): return e.exchange
        case .trade(let e): return e.exchange
        case .book(let e): return e.exchange
        case .bookTop(let e): return e.exchange
        case .candle(let e): return e.exchange
        case .funding(let e): return e.exchange
        case .myOrder(let e): return e.exchange
        case .myTrade(let e): return e.exchange
        }
    }

    public var instrument: Instrument {
        switch self {
        case .ticker(let e): return e.instrument
        case .trade(let e): return e.instrument
        case .book(let e): return e.instrument
        case .bookTop(let e): return e.instrument
        case .candle(let e): return e.instrument
        case .funding(let e): return e.instrument
        case .myOrder(let e): return e.instrument
        case .myTrade(let e): return e.instrument
        }
    }

    public var receiveTime: Timestamp {
        switch self {
        case .ticker(let e): return e.receiveTime
        case .trade(let e): return e.receiveTime
        case .book(let e): return e.receiveTime
        case .bookTop(let e): return e.receiveTime
        case .candle(let e): return e.receiveTime
        case .funding(let e): return e.receiveTime
        case .myOrder(let e): return e.receiveTime
        case .myTrade(let e): return e.receiveTime
        }
    }
}
