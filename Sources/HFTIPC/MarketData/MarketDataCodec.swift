#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HFTCore
import SwiftProtobuf

/// Converts between HFTCore's ``MarketEvent`` and the wire message `hftkit.marketdata.MarketEvent`
/// (proto/hftkit/market_data.proto). Pure functions: no sockets, no state besides the caller's name caches.
///
/// Exactness: decimals travel as mantissa and scale (a 16-byte mantissa when it does not fit in 64 bits), so every
/// value comes back identical (same mantissa, same scale: `6195.00000000` stays `6195.00000000`); timestamps as
/// int64 nanoseconds.
enum MarketDataCodec {
    typealias Message = Hftkit_Marketdata_MarketEvent

    // MARK: Encoding

    /// The wire message of `event`. `exchange` and `instrument` are the event's names (the caller caches them: reading
    /// them from the intern table takes a lock).
    static func message(
        _ event: MarketEvent, exchange: String, instrument: String, sequence: UInt64, publishTime: Timestamp
    ) -> Message {
        var m = Message()
        m.exchange = exchange
        m.instrument = instrument
        m.sequence = sequence
        m.publishTime = publishTime.nanosecondsSinceEpoch
        switch event {
        case .ticker(let t):
            m.receiveTime = t.receiveTime.nanosecondsSinceEpoch
            if let x = t.exchangeTime { m.exchangeTime = x.nanosecondsSinceEpoch }
            var body = Hftkit_Marketdata_Ticker()
            body.bidPrice = wire(t.bidPrice)
            if let v = t.bidSize { body.bidSize = wire(v) }
            body.askPrice = wire(t.askPrice)
            if let v = t.askSize { body.askSize = wire(v) }
            if let v = t.lastPrice { body.lastPrice = wire(v) }
            m.ticker = body
        case .trade(let t):
            m.receiveTime = t.receiveTime.nanosecondsSinceEpoch
            if let x = t.exchangeTime { m.exchangeTime = x.nanosecondsSinceEpoch }
            var body = Hftkit_Marketdata_Trade()
            body.price = wire(t.price)
            body.size = wire(t.size)
            body.side = wire(t.side)
            switch t.tradeID {
            case .none: break
            case .number(let n): body.tradeNumber = n
            case .uuid(let bits): body.tradeUuid = uuidBytes(bits)
            case .text(let s): body.tradeText = s
            }
            m.trade = body
        case .bookTop:
            break  // not carried over IPC (MarketDataPublisher refuses it): a view is derived from the updates
        case .book(let b):
            m.receiveTime = b.receiveTime.nanosecondsSinceEpoch
            if let x = b.exchangeTime { m.exchangeTime = x.nanosecondsSinceEpoch }
            var body = Hftkit_Marketdata_BookUpdate()
            body.snapshot = b.kind == .snapshot
            body.bids = b.bids.map(wire)
            body.asks = b.asks.map(wire)
            if let v = b.sequence.first { body.firstSequence = v }
            if let v = b.sequence.last { body.lastSequence = v }
            if let v = b.sequence.previous { body.previousSequence = v }
            if let v = b.checksum { body.checksum = v }
            m.book = body
        case .candle(let c):
            m.receiveTime = c.receiveTime.nanosecondsSinceEpoch
            if let x = c.exchangeTime { m.exchangeTime = x.nanosecondsSinceEpoch }
            var body = Hftkit_Marketdata_Candle()
            body.intervalSeconds = c.intervalSeconds
            body.startTime = c.startTime.nanosecondsSinceEpoch
            body.open = wire(c.open)
            body.high = wire(c.high)
            body.low = wire(c.low)
            body.close = wire(c.close)
            body.volume = wire(c.volume)
            if let v = c.isClosed { body.closed = v }
            m.candle = body
        case .funding(let f):
            m.receiveTime = f.receiveTime.nanosecondsSinceEpoch
            if let x = f.exchangeTime { m.exchangeTime = x.nanosecondsSinceEpoch }
            var body = Hftkit_Marketdata_Funding()
            body.rate = wire(f.rate)
            if let v = f.predictedRate { body.predictedRate = wire(v) }
            if let v = f.nextFundingTime { body.nextFundingTime = v.nanosecondsSinceEpoch }
            if let v = f.markPrice { body.markPrice = wire(v) }
            m.funding = body
        case .myOrder(let o):
            m.receiveTime = o.receiveTime.nanosecondsSinceEpoch
            if let x = o.exchangeTime { m.exchangeTime = x.nanosecondsSinceEpoch }
            var body = Hftkit_Marketdata_MyOrder()
            body.orderID = o.orderID
            if let v = o.clientOrderID { body.clientOrderID = v }
            body.side = wire(o.side)
            body.type = wire(o.type)
            body.status = wire(o.status)
            if let v = o.price { body.price = wire(v) }
            body.size = wire(o.size)
            body.filledSize = wire(o.filledSize)
            if let v = o.averageFillPrice { body.averageFillPrice = wire(v) }
            m.myOrder = body
        case .myTrade(let t):
            m.receiveTime = t.receiveTime.nanosecondsSinceEpoch
            if let x = t.exchangeTime { m.exchangeTime = x.nanosecondsSinceEpoch }
            var body = Hftkit_Marketdata_MyTrade()
            body.orderID = t.orderID
            switch t.tradeID {
            case .none: break
            case .number(let n): body.tradeNumber = n
            case .uuid(let bits): body.tradeUuid = uuidBytes(bits)
            case .text(let s): body.tradeText = s
            }
            body.side = wire(t.side)
            body.price = wire(t.price)
            body.size = wire(t.size)
            if let v = t.fee { body.fee = wire(v) }
            if let v = t.feeAsset { body.feeAsset = v }
            if let v = t.liquidity { body.liquidity = v == .maker ? .maker : .taker }
            m.myTrade = body
        }
        return m
    }

    @inline(__always)
    static func wire(_ value: ExactDecimal) -> Hftkit_Marketdata_Decimal {
        var d = Hftkit_Marketdata_Decimal()
        d.scale = UInt32(value.scale)
        if let m = value.mantissa64 {
            d.mantissa = m
        } else {
            let m = UInt128(bitPattern: value.mantissa)
            d.wideMantissa = Data((0..<16).map { UInt8(truncatingIfNeeded: m >> (8 * (15 - $0))) })
        }
        return d
    }

    static func wire(_ level: BookLevel) -> Hftkit_Marketdata_BookLevel {
        var l = Hftkit_Marketdata_BookLevel()
        l.price = wire(level.price)
        l.size = wire(level.size)
        return l
    }

    static func wire(_ side: Side) -> Hftkit_Marketdata_Side { side == .buy ? .buy : .sell }

    static func wire(_ type: MyOrder.OrderType) -> Hftkit_Marketdata_OrderType {
        switch type {
        case .limit: return .limit
        case .market: return .market
        case .stopLimit: return .stopLimit
        case .stopMarket: return .stopMarket
        case .other: return .other
        }
    }

    static func wire(_ status: MyOrder.Status) -> Hftkit_Marketdata_OrderStatus {
        switch status {
        case .new: return .new
        case .open: return .open
        case .partiallyFilled: return .partiallyFilled
        case .filled: return .filled
        case .canceled: return .canceled
        case .rejected: return .rejected
        case .expired: return .expired
        }
    }

    static func uuidBytes(_ bits: UInt128) -> Data {
        Data((0..<16).map { UInt8(truncatingIfNeeded: bits >> (8 * (15 - $0))) })
    }
}
