/// A kind of data a stream subscribes to. The well-known channels are static members; others can be made
/// from their name (channels are open for extension, unlike an enum).
///
/// Names follow the original Python design: `ticker`, `trade`, `l2_book`, `candles`, `funding`, `my_order`,
/// `my_trade`, `my_order_batch`.
public struct Channel: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// Best bid and ask (top of book), with last price when the exchange sends it.
    public static let ticker = Channel(rawValue: "ticker")
    /// Public trades.
    public static let trade = Channel(rawValue: "trade")
    /// Level-2 order book (price-aggregated), snapshots and deltas.
    public static let l2Book = Channel(rawValue: "l2_book")
    /// OHLCV candles.
    public static let candles = Channel(rawValue: "candles")
    /// Funding rates of perpetual swaps.
    public static let funding = Channel(rawValue: "funding")
    /// The account's own orders (authenticated).
    public static let myOrder = Channel(rawValue: "my_order")
    /// The account's own fills (authenticated).
    public static let myTrade = Channel(rawValue: "my_trade")
    /// Batched updates of the account's own orders (authenticated).
    public static let myOrderBatch = Channel(rawValue: "my_order_batch")

    /// The channels HFTKit knows by name.
    public static let wellKnown: [Channel] = [.ticker, .trade, .l2Book, .candles, .funding, .myOrder, .myTrade, .myOrderBatch]

    /// True for channels that need credentials.
    public var isPrivate: Bool { rawValue.hasPrefix("my_") }

    public var description: String { rawValue }

    public static func < (lhs: Channel, rhs: Channel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Which side of the book, or which side took liquidity in a trade.
@frozen
public enum Side: UInt8, Sendable, Hashable, CustomStringConvertible {
    case buy
    case sell

    public var opposite: Side { self == .buy ? .sell : .buy }
    public var description: String { self == .buy ? "buy" : "sell" }
}
