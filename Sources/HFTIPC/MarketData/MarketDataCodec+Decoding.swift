#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HFTCore
import SwiftProtobuf

/// Why a received market-data message was not delivered (counted by the subscriber, logged once with a sample).
public struct MarketDataDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field or part at fault (`trade.price`, `frames`, `topic`).
    public let field: String
    public let reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}

extension MarketDataCodec {
    /// Names seen on the wire, resolved once to interned values. The slow path (``event(_:names:)``) looks names up
    /// as Strings and validates new ones; every validated name is also added by its bytes, which is how
    /// ``MarketDataDecoder``'s fast path finds it without creating a String. Confined to the decoding thread.
    struct NameCache {
        private var instruments: [String: Instrument] = [:]
        private var exchanges: [String: ExchangeID] = [:]
        private(set) var instrumentsByBytes = ByteNameTable<Instrument>()
        private(set) var exchangesByBytes = ByteNameTable<ExchangeID>()

        mutating func instrument(_ name: String) throws(MarketDataDecodingError) -> Instrument {
            if let known = instruments[name] { return known }
            guard instruments.count < 100_000 else {
                throw MarketDataDecodingError(field: "instrument", reason: "too many distinct instruments")
            }
            do {
                let parsed = try Instrument(parsing: name)
                guard parsed.description == name else {
                    throw MarketDataDecodingError(field: "instrument", reason: "'\(name)' is not in normalized notation (\(parsed))")
                }
                instruments[name] = parsed
                instrumentsByBytes.add(Array(name.utf8), parsed)
                return parsed
            } catch let error as InstrumentError {
                throw MarketDataDecodingError(field: "instrument", reason: error.description)
            } catch {
                throw error as! MarketDataDecodingError
            }
        }

        mutating func exchange(_ name: String) throws(MarketDataDecodingError) -> ExchangeID {
            if let known = exchanges[name] { return known }
            guard exchanges.count < 1_000, let id = ExchangeID(rawValue: name) else {
                throw MarketDataDecodingError(field: "exchange", reason: ExchangeID.validate(name) ?? "too many exchanges")
            }
            exchanges[name] = id
            exchangesByBytes.add(Array(name.utf8), id)
            return id
        }
    }

    /// The event of a wire message; throws when a required field is missing or a value is out of range.
    static func event(_ m: Message, names: inout NameCache) throws(MarketDataDecodingError) -> MarketEvent {
        let exchange = try names.exchange(m.exchange)
        let instrument = try names.instrument(m.instrument)
        let receiveTime = Timestamp(nanosecondsSinceEpoch: m.receiveTime)
        let exchangeTime = m.hasExchangeTime ? Timestamp(nanosecondsSinceEpoch: m.exchangeTime) : nil
        switch m.event {
        case .ticker(let t)?:
            return .ticker(Ticker(
                exchange: exchange, instrument: instrument,
                bidPrice: try required(t.hasBidPrice, t.bidPrice, "ticker.bid_price"),
                bidSize: try optional(t.hasBidSize, t.bidSize, "ticker.bid_size"),
                askPrice: try required(t.hasAskPrice, t.askPrice, "ticker.ask_price"),
                askSize: try optional(t.hasAskSize, t.askSize, "ticker.ask_size"),
                lastPrice: try optional(t.hasLastPrice, t.lastPrice, "ticker.last_price"),
                exchangeTime: exchangeTime, receiveTime: receiveTime))
        case .trade(let t)?:
            return .trade(Trade(
                exchange: exchange, instrument: instrument,
                price: try required(t.hasPrice, t.price, "trade.price"),
                size: try required(t.hasSize, t.size, "trade.size"),
                side: try side(t.side, "trade.side"),
                tradeID: try tradeID(t.tradeID.map(TradeIDField.init), "trade"),
                exchangeTime: exchangeTime, receiveTime: receiveTime))
        case .book(let b)?:
            return .book(BookUpdate(
                exchange: exchange, instrument: instrument, kind: b.snapshot ? .snapshot : .delta,
                bids: try levels(b.bids, "book.bids"), asks: try levels(b.asks, "book.asks"),
                sequence: BookSequence(
                    first: b.hasFirstSequence ? b.firstSequence : nil,
                    last: b.hasLastSequence ? b.lastSequence : nil,
                    previous: b.hasPreviousSequence ? b.previousSequence : nil),
                checksum: b.hasChecksum ? b.checksum : nil,
                exchangeTime: exchangeTime, receiveTime: receiveTime))
        case .candle(let c)?:
            return .candle(Candle(
                exchange: exchange, instrument: instrument, intervalSeconds: c.intervalSeconds,
                startTime: Timestamp(nanosecondsSinceEpoch: c.startTime),
                open: try required(c.hasOpen, c.open, "candle.open"),
                high: try required(c.hasHigh, c.high, "candle.high"),
                low: try required(c.hasLow, c.low, "candle.low"),
                close: try required(c.hasClose, c.close, "candle.close"),
                volume: try required(c.hasVolume, c.volume, "candle.volume"),
                isClosed: c.hasClosed ? c.closed : nil,
                exchangeTime: exchangeTime, receiveTime: receiveTime))
        case .funding(let f)?:
            return .funding(Funding(
                exchange: exchange, instrument: instrument,
                rate: try required(f.hasRate, f.rate, "funding.rate"),
                predictedRate: try optional(f.hasPredictedRate, f.predictedRate, "funding.predicted_rate"),
                nextFundingTime: f.hasNextFundingTime ? Timestamp(nanosecondsSinceEpoch: f.nextFundingTime) : nil,
                markPrice: try optional(f.hasMarkPrice, f.markPrice, "funding.mark_price"),
                exchangeTime: exchangeTime, receiveTime: receiveTime))
        case .myOrder(let o)?:
            return .myOrder(MyOrder(
                exchange: exchange, instrument: instrument, orderID: o.orderID,
                clientOrderID: o.hasClientOrderID ? o.clientOrderID : nil,
                side: try side(o.side, "my_order.side"), type: try orderType(o.type), status: try orderStatus(o.status),
                price: try optional(o.hasPrice, o.price, "my_order.price"),
                size: try required(o.hasSize, o.size, "my_order.size"),
                filledSize: try required(o.hasFilledSize, o.filledSize, "my_order.filled_size"),
                averageFillPrice: try optional(o.hasAverageFillPrice, o.averageFillPrice, "my_order.average_fill_price"),
                exchangeTime: exchangeTime, receiveTime: receiveTime))
        case .myTrade(let t)?:
            let liquidity: MyTrade.Liquidity?
            switch t.liquidity {
            case .unspecified: liquidity = nil
            case .maker: liquidity = .maker
            case .taker: liquidity = .taker
            case .UNRECOGNIZED(let v):
                throw MarketDataDecodingError(field: "my_trade.liquidity", reason: "unknown value \(v)")
            }
            return .myTrade(MyTrade(
                exchange: exchange, instrument: instrument, orderID: t.orderID,
                tradeID: try tradeID(t.tradeID.map(TradeIDField.init), "my_trade"),
                side: try side(t.side, "my_trade.side"),
                price: try required(t.hasPrice, t.price, "my_trade.price"),
                size: try required(t.hasSize, t.size, "my_trade.size"),
                fee: try optional(t.hasFee, t.fee, "my_trade.fee"),
                feeAsset: t.hasFeeAsset ? t.feeAsset : nil, liquidity: liquidity,
                exchangeTime: exchangeTime, receiveTime: receiveTime))
        case nil:
            throw MarketDataDecodingError(field: "event", reason: "no event set (unknown kind from a newer publisher?)")
        }
    }

    static func decimal(_ d: Hftkit_Marketdata_Decimal, _ field: String) throws(MarketDataDecodingError) -> ExactDecimal {
        guard d.scale <= UInt32(ExactDecimal.maxScale) else {
            throw MarketDataDecodingError(field: field, reason: "scale \(d.scale) above \(ExactDecimal.maxScale)")
        }
        if d.wideMantissa.isEmpty { return ExactDecimal(mantissa64: d.mantissa, scale: UInt8(d.scale)) }
        guard d.wideMantissa.count == 16, d.mantissa == 0 else {
            throw MarketDataDecodingError(field: field, reason: "wide_mantissa must be 16 bytes, with mantissa 0")
        }
        var bits: UInt128 = 0
        for byte in d.wideMantissa { bits = bits << 8 | UInt128(byte) }
        do {
            return try ExactDecimal(mantissa: Int128(bitPattern: bits), scale: Int(d.scale))
        } catch {
            throw MarketDataDecodingError(field: field, reason: "mantissa out of range (\(error))")
        }
    }

    @inline(__always)
    static func required(_ present: Bool, _ d: Hftkit_Marketdata_Decimal, _ field: String) throws(MarketDataDecodingError) -> ExactDecimal {
        guard present else { throw MarketDataDecodingError(field: field, reason: "missing") }
        return try decimal(d, field)
    }

    @inline(__always)
    static func optional(_ present: Bool, _ d: Hftkit_Marketdata_Decimal, _ field: String) throws(MarketDataDecodingError) -> ExactDecimal? {
        present ? try decimal(d, field) : nil
    }

    static func levels(_ levels: [Hftkit_Marketdata_BookLevel], _ field: String) throws(MarketDataDecodingError) -> [BookLevel] {
        var out: [BookLevel] = []
        out.reserveCapacity(levels.count)
        for l in levels {
            out.append(BookLevel(
                price: try required(l.hasPrice, l.price, field + ".price"),
                size: try required(l.hasSize, l.size, field + ".size")))
        }
        return out
    }

    static func side(_ s: Hftkit_Marketdata_Side, _ field: String) throws(MarketDataDecodingError) -> Side {
        switch s {
        case .buy: return .buy
        case .sell: return .sell
        default: throw MarketDataDecodingError(field: field, reason: "unset or unknown (\(s.rawValue))")
        }
    }

    static func orderType(_ t: Hftkit_Marketdata_OrderType) throws(MarketDataDecodingError) -> MyOrder.OrderType {
        switch t {
        case .limit: return .limit
        case .market: return .market
        case .stopLimit: return .stopLimit
        case .stopMarket: return .stopMarket
        case .other: return .other
        default: throw MarketDataDecodingError(field: "my_order.type", reason: "unset or unknown (\(t.rawValue))")
        }
    }

    static func orderStatus(_ s: Hftkit_Marketdata_OrderStatus) throws(MarketDataDecodingError) -> MyOrder.Status {
        switch s {
        case .new: return .new
        case .open: return .open
        case .partiallyFilled: return .partiallyFilled
        case .filled: return .filled
        case .canceled: return .canceled
        case .rejected: return .rejected
        case .expired: return .expired
        default: throw MarketDataDecodingError(field: "my_order.status", reason: "unset or unknown (\(s.rawValue))")
        }
    }

    /// The trade-id oneof of `Trade` and `MyTrade` (two generated enums with the same cases).
    enum TradeIDField {
        case number(UInt64), uuid(Data), text(String)
        init(_ t: Hftkit_Marketdata_Trade.OneOf_TradeID) {
            switch t {
            case .tradeNumber(let n): self = .number(n)
            case .tradeUuid(let d): self = .uuid(d)
            case .tradeText(let s): self = .text(s)
            }
        }
        init(_ t: Hftkit_Marketdata_MyTrade.OneOf_TradeID) {
            switch t {
            case .tradeNumber(let n): self = .number(n)
            case .tradeUuid(let d): self = .uuid(d)
            case .tradeText(let s): self = .text(s)
            }
        }
    }

    static func tradeID(_ field: TradeIDField?, _ prefix: String) throws(MarketDataDecodingError) -> TradeID {
        switch field {
        case nil: return .none
        case .number(let n): return .number(n)
        case .text(let s): return .text(s)
        case .uuid(let d):
            guard d.count == 16 else {
                throw MarketDataDecodingError(field: prefix + ".trade_uuid", reason: "\(d.count) bytes, not 16")
            }
            var bits: UInt128 = 0
            for byte in d { bits = bits << 8 | UInt128(byte) }
            return .uuid(bits)
        }
    }
}
