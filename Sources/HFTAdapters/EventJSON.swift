public import HFTCore

/// The JSON-lines form of normalized events, shared by `hft replay`, `hft stream` and the conformance tests.
/// Schema (docs/replay-format.md): one object per event with `exchange`, `symbol`, `channel`, `kind`,
/// `exchangeTime` and `receiveTime` (integer nanoseconds since the epoch; absent when unknown), then the
/// kind's fields. Decimals are strings exactly as received (scale kept); absent optional fields are omitted.
public enum EventJSON {
    public static func encode(_ event: MarketEvent) -> String {
        var o = ObjectWriter()
        o.string("exchange", event.exchange.rawValue)
        o.string("symbol", event.instrument.description)
        o.string("channel", event.channel.rawValue)
        switch event {
        case .ticker(let t):
            o.string("kind", "ticker")
            o.times(t.exchangeTime, t.receiveTime)
            o.decimal("bidPrice", t.bidPrice)
            if let v = t.bidSize { o.decimal("bidSize", v) }
            o.decimal("askPrice", t.askPrice)
            if let v = t.askSize { o.decimal("askSize", v) }
            if let last = t.lastPrice { o.decimal("lastPrice", last) }
        case .trade(let t):
            o.string("kind", "trade")
            o.times(t.exchangeTime, t.receiveTime)
            o.decimal("price", t.price)
            o.decimal("size", t.size)
            o.string("side", t.side.description)
            if t.tradeID != .none { o.string("tradeId", t.tradeID.description) }
        case .book(let b):
            o.string("kind", b.kind == .snapshot ? "snapshot" : "delta")
            o.times(b.exchangeTime, b.receiveTime)
            o.levels("bids", b.bids)
            o.levels("asks", b.asks)
            if let v = b.sequence.first { o.raw("first", String(v)) }
            if let v = b.sequence.last { o.raw("last", String(v)) }
            if let v = b.sequence.previous { o.raw("previous", String(v)) }
            if let v = b.checksum { o.raw("checksum", String(v)) }
        case .bookTop(let b):
            o.string("kind", "book_state")
            o.times(b.exchangeTime, b.receiveTime)
            o.raw("valid", b.isValid ? "true" : "false")
            o.level("bestBid", b.bestBid)
            o.level("bestAsk", b.bestAsk)
            o.raw("bidLevels", String(b.bidLevels))
            o.raw("askLevels", String(b.askLevels))
            o.levels("bids", b.bids)
            o.levels("asks", b.asks)
            if let v = b.sequence.last { o.raw("last", String(v)) }
        case .candle(let c):
            o.string("kind", "candle")
            o.times(c.exchangeTime, c.receiveTime)
            o.raw("interval", String(c.intervalSeconds))
            o.raw("start", String(c.startTime.nanosecondsSinceEpoch))
            o.decimal("open", c.open)
            o.decimal("high", c.high)
            o.decimal("low", c.low)
            o.decimal("close", c.close)
            o.decimal("volume", c.volume)
            if let closed = c.isClosed { o.raw("closed", closed ? "true" : "false") }
        case .funding(let f):
            o.string("kind", "funding")
            o.times(f.exchangeTime, f.receiveTime)
            o.decimal("rate", f.rate)
        case .myOrder(let m):
            o.string("kind", "my_order")
            o.times(m.exchangeTime, m.receiveTime)
            o.string("orderId", m.orderID)
            o.string("status", m.status.rawValue)
        case .myTrade(let m):
            o.string("kind", "my_trade")
            o.times(m.exchangeTime, m.receiveTime)
            o.string("orderId", m.orderID)
            o.decimal("price", m.price)
            o.decimal("size", m.size)
        }
        return o.finish()
    }

    struct ObjectWriter {
        var text = "{"
        var first = true

        mutating func key(_ k: String) {
            if !first { text += "," }
            first = false
            text += "\"\(k)\":"
        }

        mutating func string(_ k: String, _ v: String) {
            key(k)
            text += "\"" + v.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
        }

        mutating func raw(_ k: String, _ v: String) {
            key(k)
            text += v
        }

        mutating func decimal(_ k: String, _ v: ExactDecimal) { string(k, v.plainText) }

        mutating func times(_ exchange: Timestamp?, _ receive: Timestamp) {
            if let exchange { raw("exchangeTime", String(exchange.nanosecondsSinceEpoch)) }
            raw("receiveTime", String(receive.nanosecondsSinceEpoch))
        }

        mutating func levels(_ k: String, _ levels: [BookLevel]) {
            key(k)
            text += "[" + levels.map { "[\"\($0.price.plainText)\",\"\($0.size.plainText)\"]" }.joined(separator: ",") + "]"
        }

        mutating func level(_ k: String, _ level: BookLevel?) {
            key(k)
            text += level.map { "[\"\($0.price.plainText)\",\"\($0.size.plainText)\"]" } ?? "null"
        }

        mutating func finish() -> String { text + "}" }
    }
}
