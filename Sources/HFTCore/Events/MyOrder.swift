/// The state of one of the account's own orders, as the exchange reports it (private channel).
public struct MyOrder: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case new, open, partiallyFilled = "partially_filled", filled, canceled, rejected, expired
    }

    public enum OrderType: String, Sendable, Hashable {
        case limit, market, stopLimit = "stop_limit", stopMarket = "stop_market", other
    }

    public var exchange: ExchangeID
    public var instrument: Instrument
    public var orderID: String
    public var clientOrderID: String?
    public var side: Side
    public var type: OrderType
    public var status: Status
    /// Limit price; nil for market orders.
    public var price: ExactDecimal?
    public var size: ExactDecimal
    public var filledSize: ExactDecimal
    public var averageFillPrice: ExactDecimal?
    public var exchangeTime: Timestamp?
    public var receiveTime: Timestamp

    public init(
        exchange: ExchangeID, instrument: Instrument, orderID: String, clientOrderID: String? = nil,
        side: Side, type: OrderType, status: Status, price: ExactDecimal?, size: ExactDecimal,
        filledSize: ExactDecimal, averageFillPrice: ExactDecimal? = nil,
        exchangeTime: Timestamp?, receiveTime: Timestamp
    ) {
        self.exchange = exchange
        self.instrument = instrument
        self.orderID = orderID
        self.clientOrderID = clientOrderID
        self.side = side
        self.type = type
        self.status = status
        self.price = price
        self.size = size
        self.filledSize = filledSize
        self.averageFillPrice = averageFillPrice
        self.exchangeTime = exchangeTime
        self.receiveTime = receiveTime
    }
}

/// One fill of one of the account's own orders (private channel).
public struct MyTrade: Sendable, Hashable {
    public enum Liquidity: String, Sendable, Hashable {
        case maker, taker
    }

    public var exchange: ExchangeID
    public var instrument: Instrument
    public var orderID: String
    public var tradeID: TradeID
    public var side: Side
    public var price: ExactDecimal
    public var size: ExactDecimal
    public var fee: ExactDecimal?
    public var feeAsset: String?
    public var liquidity: Liquidity?
    public var exchangeTime: Timestamp?
    public var receiveTime: Timestamp

    public init(
        exchange: ExchangeID, instrument: Instrument, orderID: String, tradeID: TradeID, side: Side,
        price: ExactDecimal, size: ExactDecimal, fee: ExactDecimal? = nil, feeAsset: String? = nil,
        liquidity: Liquidity? = nil, exchangeTime: Timestamp?, receiveTime: Timestamp
    ) {
        self.exchange = exchange
        self.instrument = instrument
        self.orderID = orderID
        self.tradeID = tradeID
        self.side = side
        self.price = price
        self.size = size
        self.fee = fee
        self.feeAsset = feeAsset
        self.liquidity = liquidity
        self.exchangeTime = exchangeTime
        self.receiveTime = receiveTime
    }
}
