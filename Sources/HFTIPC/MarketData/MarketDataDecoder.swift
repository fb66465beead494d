public import HFTCore
import SwiftProtobuf

/// Decodes received market-data messages (topic frame + protobuf `hftkit.marketdata.MarketEvent`) into
/// ``MarketEvent`` values: what ``MarketDataSubscriber``'s receive thread does with each message.
///
/// Tickers and trades, the hot kinds, are read by hand straight from the frame's bytes: no allocation, no `String`
/// (the exchange and instrument are found by their bytes among the names seen before). Everything else — the other
/// kinds, names not seen yet, and any message not in the canonical form (a repeated sub-message, a wide mantissa,
/// an unknown enum value, malformed bytes) — goes through SwiftProtobuf, which decides exactly as before, with the
/// same errors. The tests compare both paths on every capture event and on random values.
///
/// Thread and ownership rules: a value with its own name cache; use one per decoding thread. The bytes are read
/// during the call only.
public struct MarketDataDecoder {
    var names = MarketDataCodec.NameCache()

    public init() {}

    /// The event of one message and its `sequence` (per publisher and instrument, from 1).
    /// - Throws: ``MarketDataDecodingError`` when the payload is not a valid message, or its instrument is not
    ///   the topic's (`topic` is the instrument and one space).
    public mutating func decode(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer
    ) throws(MarketDataDecodingError) -> (event: MarketEvent, sequence: UInt64) {
        var keys = Keys()
        if let event = fastDecode(topic: topic, payload: payload, keys: &keys) { return (event, keys.sequence) }
        return try slowDecode(topic: topic, payload: payload)
    }

    /// ``decode(topic:payload:)`` with the event's exchange and instrument (each of `MarketEvent`'s accessors is a
    /// call that copies the event).
    @inline(__always)
    mutating func decode(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, keys: inout Keys
    ) throws(MarketDataDecodingError) -> MarketEvent {
        if let event = fastDecode(topic: topic, payload: payload, keys: &keys) { return event }
        let (event, sequence) = try slowDecode(topic: topic, payload: payload)
        keys = Keys(sequence: sequence, exchange: event.exchange.id, instrument: event.instrument.id)
        return event
    }

    /// What the receive thread needs besides the event: its sequence, and the ids of its exchange and instrument.
    struct Keys {
        var sequence: UInt64 = 0
        var exchange: UInt32 = 0
        var instrument: UInt32 = 0
    }

    /// SwiftProtobuf's decoding: the reference, and the path of everything ``fastDecode(topic:payload:)`` leaves.
    mutating func slowDecode(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer
    ) throws(MarketDataDecodingError) -> (event: MarketEvent, sequence: UInt64) {
        let message: MarketDataCodec.Message
        do {
            message = try MarketDataCodec.Message(serializedBytes: Array(payload))
        } catch {
            throw MarketDataDecodingError(field: "payload", reason: "not a hftkit.marketdata.MarketEvent (\(error))")
        }
        guard topic.count == message.instrument.utf8.count + 1, topic.last == UInt8(ascii: " "),
              message.instrument.utf8.elementsEqual(topic.dropLast()) else {
            throw MarketDataDecodingError(field: "topic", reason: "does not match instrument '\(message.instrument)'")
        }
        return (try MarketDataCodec.event(message, names: &names), message.sequence)
    }

    /// The hand-written path: nil when the message is not a canonical ticker or trade of known names.
    func fastDecode(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, keys: inout Keys) -> MarketEvent? {
        var r = ProtobufReader(payload)
        var exchange = 0..<0
        var instrument = 0..<0
        var sequence: UInt64 = 0
        var receiveTime: Int64 = 0
        var exchangeTime: Int64? = nil
        var kind: UInt64 = 0
        var body = 0..<0
        while !r.isAtEnd {
            guard let (field, wireType) = r.key() else { return nil }
            switch field {
            case 1, 2:
                guard wireType == 2, let range = r.lengthDelimited() else { return nil }
                if field == 1 { exchange = range } else { instrument = range }
            case 3, 4, 5, 6:
                guard wireType == 0, let v = r.varint() else { return nil }
                switch field {
                case 3: sequence = v
                case 4: receiveTime = Int64(bitPattern: v)
                case 5: exchangeTime = Int64(bitPattern: v)
                default: break  // publish_time: not part of the event
                }
            case 8, 9:
                // A second event field (a merge, or a oneof replaced) is left to SwiftProtobuf.
                guard kind == 0, wireType == 2, let range = r.lengthDelimited() else { return nil }
                kind = field
                body = range
            case 10...14:
                return nil
            default:
                guard r.skip(wireType) else { return nil }
            }
        }
        // The topic is the instrument and one space.
        guard kind != 0, topic.count == instrument.count + 1, topic.last == UInt8(ascii: " "),
              r.equals(instrument, UnsafeRawBufferPointer(rebasing: topic.dropLast())) else { return nil }
        guard let exchangeID = names.exchangesByBytes.value(bytes(r, exchange)),
              let instrumentID = names.instrumentsByBytes.value(bytes(r, instrument)) else { return nil }
        keys = Keys(sequence: sequence, exchange: exchangeID.id, instrument: instrumentID.id)
        let receive = Timestamp(nanosecondsSinceEpoch: receiveTime)
        let exchangeStamp = exchangeTime.map { Timestamp(nanosecondsSinceEpoch: $0) }
        var b = r.nested(body)
        if kind == 8 {
            var bid: ExactDecimal?, bidSize: ExactDecimal?, ask: ExactDecimal?, askSize: ExactDecimal?, last: ExactDecimal?
            while !b.isAtEnd {
                guard let (field, wireType) = b.key() else { return nil }
                if field >= 1 && field <= 5 {
                    guard wireType == 2, let range = b.lengthDelimited(), let d = Self.decimal(b.nested(range)) else { return nil }
                    switch field {  // a repeated field would be merged by SwiftProtobuf: left to it
                    case 1: guard bid == nil else { return nil }; bid = d
                    case 2: guard bidSize == nil else { return nil }; bidSize = d
                    case 3: guard ask == nil else { return nil }; ask = d
                    case 4: guard askSize == nil else { return nil }; askSize = d
                    default: guard last == nil else { return nil }; last = d
                    }
                } else {
                    guard b.skip(wireType) else { return nil }
                }
            }
            guard let bid, let ask else { return nil }
            return .ticker(Ticker(
                exchange: exchangeID, instrument: instrumentID, bidPrice: bid, bidSize: bidSize, askPrice: ask,
                askSize: askSize, lastPrice: last, exchangeTime: exchangeStamp, receiveTime: receive))
        }
        var price: ExactDecimal?, size: ExactDecimal?
        var side: Side?
        var tradeID = TradeID.none
        while !b.isAtEnd {
            guard let (field, wireType) = b.key() else { return nil }
            switch field {
            case 1, 2:
                guard wireType == 2, let range = b.lengthDelimited(), let d = Self.decimal(b.nested(range)) else { return nil }
                if field == 1 {
                    guard price == nil else { return nil }
                    price = d
                } else {
                    guard size == nil else { return nil }
                    size = d
                }
            case 3:
                guard wireType == 0, let v = b.varint() else { return nil }
                switch v {  // the last one wins, as in protobuf; anything but BUY and SELL is an error: left to SwiftProtobuf
                case 1: side = .buy
                case 2: side = .sell
                default: return nil
                }
            case 4:  // the trade_id oneof: the last one wins
                guard wireType == 0, let v = b.varint() else { return nil }
                tradeID = .number(v)
            case 5:
                guard wireType == 2, let range = b.lengthDelimited(), range.count == 16 else { return nil }
                var bits: UInt128 = 0
                for i in range { bits = bits << 8 | UInt128(b.base[i]) }
                tradeID = .uuid(bits)
            case 6:
                guard wireType == 2, let range = b.lengthDelimited(),
                      let text = String(validating: bytes(b, range), as: UTF8.self) else { return nil }
                tradeID = .text(text)
            default:
                guard b.skip(wireType) else { return nil }
            }
        }
        guard let price, let size, let side else { return nil }
        return .trade(Trade(
            exchange: exchangeID, instrument: instrumentID, price: price, size: size, side: side, tradeID: tradeID,
            exchangeTime: exchangeStamp, receiveTime: receive))
    }

    @inline(__always)
    private func bytes(_ r: ProtobufReader, _ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: r.base + range.lowerBound, count: range.count)
    }

    /// A `Decimal` with a 64-bit mantissa and a valid scale; nil otherwise (a wide mantissa, a bad scale).
    @inline(__always)
    static func decimal(_ reader: ProtobufReader) -> ExactDecimal? {
        var r = reader
        var zigzag: UInt64 = 0
        var scale: UInt32 = 0
        while !r.isAtEnd {
            guard let (field, wireType) = r.key() else { return nil }
            switch field {
            case 1:
                guard wireType == 0, let v = r.varint() else { return nil }
                zigzag = v
            case 2:
                guard wireType == 0, let v = r.varint() else { return nil }
                scale = UInt32(truncatingIfNeeded: v)
            case 3:
                return nil
            default:
                guard r.skip(wireType) else { return nil }
            }
        }
        guard scale <= UInt32(ExactDecimal.maxScale) else { return nil }
        let mantissa = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
        return ExactDecimal(mantissa64: mantissa, scale: UInt8(scale))
    }
}
