public import HFTCore
import SwiftProtobuf
#if canImport(Glibc)
import Glibc
#endif

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
    /// The exchange and instrument of the last message decoded by the fast path, by their bytes: a stream repeats them.
    var lastExchange = LastName<ExchangeID>()
    var lastInstrument = LastName<Instrument>()

    /// Names of up to 16 bytes as two little-endian words (unused bytes zero) and their length: compared in two
    /// instructions instead of a table lookup.
    struct NameWords: Equatable {
        var low: UInt64 = 0
        var high: UInt64 = 0
        var count = -1  // matches no name

        init() {}

        /// The words of the bytes in `range` of a message of `end` bytes at `base`; nil when the name is longer than
        /// 16 bytes or ends less than 16 bytes before the message does (the words are read as two 8-byte loads).
        @inline(__always)
        init?(_ base: UnsafePointer<UInt8>, _ range: Range<Int>, _ end: Int) {
            let n = range.count
            guard n <= 16, range.lowerBound + 16 <= end else { return nil }
            let raw = UnsafeRawPointer(base + range.lowerBound)
            low = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            high = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            if n < 8 {
                low &= (1 &<< UInt64(n &* 8)) &- 1
                high = 0
            } else if n < 16 {
                high &= (1 &<< UInt64((n &- 8) &* 8)) &- 1
            }
            count = n
        }
    }

    /// The last name found by its bytes and what it named: a stream repeats its exchange and instrument, so the
    /// next message's name is compared with it first (two word compares) before the table is searched.
    struct LastName<Value> {
        var words = NameWords()  // count -1: matches nothing before the first name
        var value: Value?

        /// The value named by the bytes in `range` of a message of `end` bytes at `base`; nil when `table` has none.
        @inline(__always)
        mutating func resolve(_ base: UnsafePointer<UInt8>, _ range: Range<Int>, _ end: Int, in table: ByteNameTable<Value>) -> Value? {
            let w = NameWords(base, range, end)
            if let w, w == words { return value.unsafelyUnwrapped }
            guard let found = table.value(UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)) else { return nil }
            if let w { (words, value) = (w, found) }
            return found
        }
    }

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
    ///
    /// Canonical: one-byte keys (every field of these messages has one), sub-messages shorter than 128 bytes,
    /// decimals as `mantissa` then `scale` (a one-byte scale), the event field once. Envelope fields may come in any
    /// order, repeat (the last wins, as in protobuf) or be unknown (skipped), as SwiftProtobuf accepts them.
    @inline(__always)
    mutating func fastDecode(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, keys: inout Keys) -> MarketEvent? {
        if let ticker = canonicalTicker(topic: topic, payload: payload, keys: &keys) { return .ticker(ticker) }
        return generalFastDecode(topic: topic, payload: payload, keys: &keys)
    }

    /// A ticker exactly as ``MarketDataEncoder`` (and SwiftProtobuf, and Python's protobuf) writes it: fields in
    /// number order, each once, one-byte lengths, nothing else. Read straight through, with no dispatch per field:
    /// the publisher's own form, so nearly every message. Anything else is nil and goes to the general fast path.
    @inline(__always)
    mutating func canonicalTicker(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, keys: inout Keys) -> Ticker? {
        guard let start = payload.baseAddress, payload.count > 4 else { return nil }
        let base = start.assumingMemoryBound(to: UInt8.self)
        let end = payload.count
        // exchange (1) and instrument (2): key, one-byte length, bytes.
        guard base[0] == 0x0A, base[1] < 0x80 else { return nil }
        let exchange = 2..<(2 &+ Int(base[1]))
        var p = exchange.upperBound
        guard p &+ 2 <= end, base[p] == 0x12, base[p &+ 1] < 0x80 else { return nil }
        let instrument = (p &+ 2)..<(p &+ 2 &+ Int(base[p &+ 1]))
        p = instrument.upperBound
        // sequence (3), receive_time (4), exchange_time (5), publish_time (6): each optional, in this order.
        var sequence: UInt64?, receiveTime: UInt64?, exchangeTime: UInt64?, publishTime: UInt64?
        guard Self.varintField(0x18, base, &p, end, &sequence), Self.varintField(0x20, base, &p, end, &receiveTime),
              Self.varintField(0x28, base, &p, end, &exchangeTime), Self.varintField(0x30, base, &p, end, &publishTime)
        else { return nil }
        // ticker (8), the last field: its body runs to the end of the message.
        guard p &+ 2 <= end, base[p] == 0x42, Int(base[p &+ 1]) == end &- p &- 2 else { return nil }
        p &+= 2
        // bid (1), bid size (2), ask (3), ask size (4), last (5): decimals in this order, 2 and 4 and 5 optional.
        guard let bid = Self.decimalField(0x0A, base, &p, end, readable: end) else { return nil }
        let bidSize = Self.decimalField(0x12, base, &p, end, readable: end)
        guard let ask = Self.decimalField(0x1A, base, &p, end, readable: end) else { return nil }
        let askSize = Self.decimalField(0x22, base, &p, end, readable: end)
        let last = Self.decimalField(0x2A, base, &p, end, readable: end)
        guard p == end,
              let (exchangeID, instrumentID) = resolveNames(topic, base, exchange, instrument, end) else { return nil }
        keys = Keys(sequence: sequence ?? 0, exchange: exchangeID.id, instrument: instrumentID.id)
        return Ticker(
            exchange: exchangeID, instrument: instrumentID, bidPrice: bid, bidSize: bidSize, askPrice: ask,
            askSize: askSize, lastPrice: last,
            exchangeTime: exchangeTime.map { Timestamp(nanosecondsSinceEpoch: Int64(bitPattern: $0)) },
            receiveTime: Timestamp(nanosecondsSinceEpoch: Int64(bitPattern: receiveTime ?? 0)))
    }

    /// The exchange and instrument named by the bytes in `exchange` and `instrument` (the previous message's first,
    /// by two word compares, then the tables); nil when `topic` is not the instrument and one space, or a name is
    /// not known yet.
    @inline(__always)
    mutating func resolveNames(
        _ topic: UnsafeRawBufferPointer, _ base: UnsafePointer<UInt8>, _ exchange: Range<Int>, _ instrument: Range<Int>, _ end: Int
    ) -> (ExchangeID, Instrument)? {
        guard topic.count == instrument.count &+ 1, topic[instrument.count] == UInt8(ascii: " "),
              memcmp(base + instrument.lowerBound, topic.baseAddress!, instrument.count) == 0,
              let exchangeID = lastExchange.resolve(base, exchange, end, in: names.exchangesByBytes),
              let instrumentID = lastInstrument.resolve(base, instrument, end, in: names.instrumentsByBytes) else { return nil }
        return (exchangeID, instrumentID)
    }

    /// The varint field `key` at `p` (moved past it) into `value`, when it is there; false when it is there but its
    /// varint is malformed. An absent field leaves `value` and `p` as they are.
    @inline(__always)
    static func varintField(_ key: UInt8, _ base: UnsafePointer<UInt8>, _ p: inout Int, _ end: Int, _ value: inout UInt64?) -> Bool {
        guard p < end, base[p] == key else { return true }
        p &+= 1
        guard let v = varint(base, &p, end) else { return false }
        value = v
        return true
    }

    /// The decimal field `key` at `p` (moved past it) of a message body ending at `end`, when it is there and
    /// canonical; nil, with `p` unmoved, otherwise. `readable`: as ``decimal(_:_:_:readable:)``'s.
    @inline(__always)
    static func decimalField(_ key: UInt8, _ base: UnsafePointer<UInt8>, _ p: inout Int, _ end: Int, readable: Int) -> ExactDecimal? {
        guard p &+ 2 <= end, base[p] == key else { return nil }
        let n = Int(base[p &+ 1])
        guard n < 0x80, n <= end &- p &- 2, let d = decimal(base, p &+ 2, p &+ 2 &+ n, readable: readable) else { return nil }
        p &+= 2 &+ n
        return d
    }

    /// The general hand-written path: envelope fields in any order, repeated or unknown.
    @inline(__always)
    mutating func generalFastDecode(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, keys: inout Keys) -> MarketEvent? {
        guard let start = payload.baseAddress else { return nil }
        let base = start.assumingMemoryBound(to: UInt8.self)
        let end = payload.count
        var p = 0
        var exchange = 0..<0
        var instrument = 0..<0
        var sequence: UInt64 = 0
        var receiveTime: UInt64 = 0
        var exchangeTime: UInt64 = 0
        var hasExchangeTime = false
        var kind: UInt8 = 0
        var body = 0..<0
        while p < end {
            let key = base[p]
            p &+= 1
            switch key {
            case 0x0A, 0x12, 0x42, 0x4A:  // exchange, instrument (strings); ticker, trade (messages)
                guard let n = Self.varint(base, &p, end), n <= UInt64(end - p) else { return nil }
                let range = p..<(p + Int(n))
                p = range.upperBound
                switch key {
                case 0x0A: exchange = range
                case 0x12: instrument = range
                default:
                    // A second event field (a merge, or a oneof replaced) is left to SwiftProtobuf.
                    guard kind == 0 else { return nil }
                    kind = key
                    body = range
                }
            case 0x18, 0x20, 0x28, 0x30:  // sequence, receive_time, exchange_time, publish_time
                guard let v = Self.varint(base, &p, end) else { return nil }
                switch key {
                case 0x18: sequence = v
                case 0x20: receiveTime = v
                case 0x28: (exchangeTime, hasExchangeTime) = (v, true)
                default: break  // publish_time: not part of the event
                }
            default:
                // Other kinds (fields 10 to 14) and anything unusual go to SwiftProtobuf; unknown fields are skipped.
                var r = ProtobufReader(base: base, from: p - 1, to: end)
                guard let (field, wireType) = r.key(), field == 7 || field > 14, r.skip(wireType) else { return nil }
                p = r.position
            }
        }
        guard kind != 0, let (exchangeID, instrumentID) = resolveNames(topic, base, exchange, instrument, end) else { return nil }
        keys = Keys(sequence: sequence, exchange: exchangeID.id, instrument: instrumentID.id)
        let receive = Timestamp(nanosecondsSinceEpoch: Int64(bitPattern: receiveTime))
        let exchangeStamp = hasExchangeTime ? Timestamp(nanosecondsSinceEpoch: Int64(bitPattern: exchangeTime)) : nil
        p = body.lowerBound
        let bodyEnd = body.upperBound
        if kind == 0x42 {
            var bid: ExactDecimal?, bidSize: ExactDecimal?, ask: ExactDecimal?, askSize: ExactDecimal?, last: ExactDecimal?
            while p < bodyEnd {
                let key = base[p]
                guard key & 7 == 2, key >= 0x0A, key <= 0x2A,
                      let d = Self.decimalField(key, base, &p, bodyEnd, readable: end) else { return nil }
                switch key {  // a repeated field would be merged by SwiftProtobuf: left to it
                case 0x0A: guard bid == nil else { return nil }; bid = d
                case 0x12: guard bidSize == nil else { return nil }; bidSize = d
                case 0x1A: guard ask == nil else { return nil }; ask = d
                case 0x22: guard askSize == nil else { return nil }; askSize = d
                default: guard last == nil else { return nil }; last = d
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
        while p < bodyEnd {
            let key = base[p]
            p &+= 1
            switch key {
            case 0x0A, 0x12:
                guard p < bodyEnd else { return nil }
                let n = Int(base[p])
                guard n < 0x80, n <= bodyEnd - p - 1, let d = Self.decimal(base, p + 1, p + 1 + n, readable: end) else { return nil }
                p += 1 + n
                if key == 0x0A {
                    guard price == nil else { return nil }
                    price = d
                } else {
                    guard size == nil else { return nil }
                    size = d
                }
            case 0x18:
                // The last one wins, as in protobuf; anything but BUY and SELL is an error: left to SwiftProtobuf.
                guard let v = Self.varint(base, &p, bodyEnd) else { return nil }
                switch v {
                case 1: side = .buy
                case 2: side = .sell
                default: return nil
                }
            case 0x20:  // the trade_id oneof: the last one wins
                guard let v = Self.varint(base, &p, bodyEnd) else { return nil }
                tradeID = .number(v)
            case 0x2A, 0x32:
                guard let n = Self.varint(base, &p, bodyEnd), n <= UInt64(bodyEnd - p) else { return nil }
                let range = p..<(p + Int(n))
                p = range.upperBound
                if key == 0x2A {
                    guard range.count == 16 else { return nil }
                    var bits: UInt128 = 0
                    for i in range { bits = bits << 8 | UInt128(base[i]) }
                    tradeID = .uuid(bits)
                } else {
                    guard let text = String(validating: UnsafeBufferPointer(start: base + range.lowerBound, count: range.count), as: UTF8.self)
                    else { return nil }
                    tradeID = .text(text)
                }
            default:
                return nil
            }
        }
        guard let price, let size, let side else { return nil }
        return .trade(Trade(
            exchange: exchangeID, instrument: instrumentID, price: price, size: size, side: side, tradeID: tradeID,
            exchangeTime: exchangeStamp, receiveTime: receive))
    }

    /// A varint at `p` (moved past it), read by ``ProtobufReader/varint()``'s rules.
    @inline(__always)
    static func varint(_ base: UnsafePointer<UInt8>, _ p: inout Int, _ end: Int) -> UInt64? {
        if p < end, base[p] < 0x80 {
            p &+= 1
            return UInt64(base[p &- 1])
        }
        var r = ProtobufReader(base: base, from: p, to: end)
        let v = r.varint()
        p = r.position
        return v
    }

    /// A canonical `Decimal` in `start..<end`: `mantissa` (when not zero) then a one-byte `scale` (when not zero);
    /// nil for anything else (a wide mantissa, a scale above 38, other fields), which SwiftProtobuf then decides.
    /// `readable`: the end of the whole message, up to which the mantissa's varint may be read as one word.
    @inline(__always)
    static func decimal(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, readable: Int) -> ExactDecimal? {
        var p = start
        var zigzag: UInt64 = 0
        var scale: UInt8 = 0
        if p < end, base[p] == 0x08 {
            p &+= 1
            let wordReadable = p &+ 8 <= readable
            let word = wordReadable ? UInt64(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self)) : 0
            let stops = ~word & 0x8080_8080_8080_8080
            if wordReadable, stops != 0 {  // up to 8 bytes, read at once (the length is checked below)
                let length = (stops.trailingZeroBitCount &+ 1) >> 3
                zigzag = ProtobufReader.pack(length == 8 ? word : word & ((1 &<< UInt64(length &* 8)) &- 1))
                p &+= length
                guard p <= end else { return nil }
            } else {
                guard let v = varint(base, &p, end) else { return nil }
                zigzag = v
            }
        }
        if p < end, base[p] == 0x10 {
            guard p + 1 < end else { return nil }
            scale = base[p + 1]
            p &+= 2
        }
        guard p == end, scale <= ExactDecimal.maxScale else { return nil }
        let mantissa = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
        return ExactDecimal(mantissa64: mantissa, scale: scale)
    }
}
