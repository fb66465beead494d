import Foundation
import HFTCore
@testable import HFTIPC
import SwiftProtobuf
import Testing

/// The hand-written hot-path codec (MarketDataEncoder, MarketDataDecoder's fast path) against SwiftProtobuf, the
/// independent truth: the same bytes out, the same events (or the same refusal) in.
@Suite struct MarketDataHandCodecTests {
    let publishTime = Timestamp(nanosecondsSinceEpoch: 1_700_000_000_999_000_000)

    /// SwiftProtobuf's serialization of `event`.
    func reference(_ event: MarketEvent, sequence: UInt64, publishTime: Timestamp) throws -> [UInt8] {
        try MarketDataCodec.message(
            event, exchange: event.exchange.rawValue, instrument: event.instrument.description, sequence: sequence,
            publishTime: publishTime
        ).serializedBytes()
    }

    func handEncoded(_ encoder: MarketDataEncoder, _ event: MarketEvent, sequence: UInt64, publishTime: Timestamp) -> [UInt8] {
        let names = MarketDataEncoder.Names(exchange: event.exchange.rawValue, instrument: event.instrument.description)
        return Array(encoder.encode(event, names: names, sequence: sequence, publishTime: publishTime))
    }

    func topic(_ event: MarketEvent) -> [UInt8] { MarketDataTopic.bytes(event.instrument.description) }

    /// Decodes with `decoder` (fast path first) and with SwiftProtobuf only; both must agree. Returns the event
    /// and whether the fast path decoded it.
    func checkDecoding(
        _ payload: [UInt8], topic: [UInt8], decoder: inout MarketDataDecoder, sourceLocation: SourceLocation = #_sourceLocation
    ) -> (line: String?, fast: Bool) {
        var reference = MarketDataDecoder()
        let slow = topic.withUnsafeBytes { t in payload.withUnsafeBytes { p in
            Result { () throws(MarketDataDecodingError) in try reference.slowDecode(topic: t, payload: p) }
        } }
        let both = topic.withUnsafeBytes { t in payload.withUnsafeBytes { p in
            Result { () throws(MarketDataDecodingError) in try decoder.decode(topic: t, payload: p) }
        } }
        var keys = MarketDataDecoder.Keys()
        let fastEvent = topic.withUnsafeBytes { t in payload.withUnsafeBytes { p in decoder.fastDecode(topic: t, payload: p, keys: &keys) } }
        let fast = fastEvent.map { (event: $0, sequence: keys.sequence) }
        switch (slow, both) {
        case (.success(let a), .success(let b)):
            #expect(line(a.event) == line(b.event) && a.sequence == b.sequence, sourceLocation: sourceLocation)
            if let fast {
                #expect(line(fast.event) == line(a.event) && fast.sequence == a.sequence, sourceLocation: sourceLocation)
                #expect(keys.exchange == a.event.exchange.id && keys.instrument == a.event.instrument.id, sourceLocation: sourceLocation)
            }
            return (line(a.event), fast != nil)
        case (.failure(let a), .failure(let b)):
            #expect(a == b, sourceLocation: sourceLocation)
            #expect(fast == nil, "the fast path accepted what SwiftProtobuf refuses: \(a)", sourceLocation: sourceLocation)
            return (nil, false)
        default:
            Issue.record("fast and reference decoding disagree: \(slow) vs \(both)", sourceLocation: sourceLocation)
            return (nil, false)
        }
    }

    /// A ticker or trade whose decimals all have 64-bit mantissas: the fast path must take it.
    func isFastKind(_ event: MarketEvent) -> Bool {
        let decimals: [ExactDecimal?]
        switch event {
        case .ticker(let t): decimals = [t.bidPrice, t.bidSize, t.askPrice, t.askSize, t.lastPrice]
        case .trade(let t): decimals = [t.price, t.size]
        default: return false
        }
        return decimals.allSatisfy { $0?.mantissa64 != nil || $0 == nil }
    }

    @Test func everyCaptureEventEncodesToSwiftProtobufsBytesAndDecodesIdentically() throws {
        let encoder = MarketDataEncoder()
        var decoder = MarketDataDecoder()
        var fastCount = 0
        var total = 0
        for capture in try CaptureEvents.all() {
            for (i, event) in (capture.events + CaptureEvents.synthetic(exchange: capture.exchange)).enumerated() {
                let sequence = UInt64(i + 1)
                let bytes = handEncoded(encoder, event, sequence: sequence, publishTime: publishTime)
                #expect(bytes == (try reference(event, sequence: sequence, publishTime: publishTime)), "\(line(event))")
                // The first message of a new name takes the slow path, which learns the name; then the fast path
                // must take every ticker and trade (with 64-bit mantissas) and nothing else.
                let (decoded, fast) = checkDecoding(bytes, topic: topic(event), decoder: &decoder)
                #expect(decoded == line(event))
                #expect(fast == isFastKind(event), "\(line(event))")
                if fast { fastCount += 1 }
                total += 1
            }
        }
        #expect(total > 14_000)
        #expect(fastCount > 1_000)  // the 1 2xx tickers and trades of the captures took the hand-written path
    }

    /// Random tickers and trades: mantissa extremes (64-bit limits, 128-bit, negative, zero), every scale, absent
    /// optionals, negative and zero times, every trade-id form (long texts need a two-byte length).
    @Test func randomValuesMatchSwiftProtobuf() throws {
        var rng = SplitMix64(seed: 0x6_2026_1122)
        let exchange = ExchangeID(rawValue: "fuzz_exchange")!
        let instruments = try ["BTC-USDT", "ETH-USD-PERP", "SOL-USDC", "LONGBASEASSET15-QUOTE-PERP"].map { try Instrument(parsing: $0) }
        let encoder = MarketDataEncoder()
        var decoder = MarketDataDecoder()
        func mantissa() -> Int128 {
            switch rng.next() % 8 {
            case 0: return 0
            case 1: return Int128(Int64.max) - Int128(rng.next() % 3)
            case 2: return Int128(Int64.min) + Int128(rng.next() % 3)
            case 3: return Int128(Int64.max) + 1 + Int128(rng.next() % 1000)  // just past 64 bits
            case 4: return -(Int128(rng.next()) << 60 | Int128(rng.next() % 1000))  // wide negative
            case 5: return Int128(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 64))
            default: return Int128(Int64(rng.next() % 2_000_000)) - 1_000_000
            }
        }
        func decimal() -> ExactDecimal {
            while true {
                if let d = try? ExactDecimal(mantissa: mantissa(), scale: Int(rng.next() % 39)) { return d }
            }
        }
        func maybe() -> ExactDecimal? { rng.next() % 3 == 0 ? nil : decimal() }
        func time() -> Timestamp {
            switch rng.next() % 4 {
            case 0: return Timestamp(nanosecondsSinceEpoch: 0)
            case 1: return Timestamp(nanosecondsSinceEpoch: -Int64(rng.next() % 1_000_000_000_000))
            default: return Timestamp(nanosecondsSinceEpoch: Int64(bitPattern: rng.next()) & Int64.max)
            }
        }
        func tradeID() -> TradeID {
            switch rng.next() % 6 {
            case 0: return .none
            case 1: return .number(0)
            case 2: return .number(rng.next())
            case 3: return .uuid(UInt128(rng.next()) << 64 | UInt128(rng.next()))
            case 4: return .text("")
            default: return .text(String(repeating: "é-x", count: Int(rng.next() % 80)))
            }
        }
        var fast = 0
        for i in 0..<5_000 {
            let instrument = instruments[i % instruments.count]
            let exchangeTime: Timestamp? = rng.next() % 3 == 0 ? nil : time()
            let event: MarketEvent = rng.next() % 2 == 0
                ? .ticker(Ticker(exchange: exchange, instrument: instrument, bidPrice: decimal(), bidSize: maybe(),
                                 askPrice: decimal(), askSize: maybe(), lastPrice: maybe(), exchangeTime: exchangeTime,
                                 receiveTime: time()))
                : .trade(Trade(exchange: exchange, instrument: instrument, price: decimal(), size: decimal(),
                               side: rng.next() % 2 == 0 ? .buy : .sell, tradeID: tradeID(), exchangeTime: exchangeTime,
                               receiveTime: time()))
            let sequence = [0, 1, UInt64.max, rng.next()][Int(rng.next() % 4)]
            let publish = time()
            let bytes = handEncoded(encoder, event, sequence: sequence, publishTime: publish)
            #expect(bytes == (try reference(event, sequence: sequence, publishTime: publish)), "\(line(event))")
            let result = checkDecoding(bytes, topic: topic(event), decoder: &decoder)
            #expect(result.line == line(event))
            if result.fast { fast += 1 }
        }
        #expect(fast > 1_000)
    }

    /// The decoder remembers the last message's names by their bytes: names that are prefixes of each other, differ
    /// only in length or in their last byte, or are longer than the remembered 16 bytes, interleaved, must each decode
    /// to their own exchange and instrument (SwiftProtobuf decides).
    @Test func namesThatDifferOnlyAtTheEndAreNotConfused() throws {
        let exchanges = ["okx", "okx_a", "okx_b", "binance", "binance_futures", "binance_futures_x"].map { ExchangeID(rawValue: $0)! }
        let instruments = try ["BTC-USD", "BTC-USDT", "BTC-USDC", "BTC-USDT-PERP", "BTC-USDC-PERP", "LONGBASEASSET15-QUOTE-PERP",
                               "LONGBASEASSET15-QUOTE"].map { try Instrument(parsing: $0) }
        let encoder = MarketDataEncoder()
        var decoder = MarketDataDecoder()
        var expected: [String] = []
        var decoded: [String] = []
        var fast = 0
        for round in 0..<3 {
            for (i, instrument) in instruments.enumerated() {
                for (j, exchange) in exchanges.enumerated() where (i + j + round) % 2 == 0 || round == 2 {
                    let event = MarketEvent.ticker(Ticker(
                        exchange: exchange, instrument: instrument, bidPrice: ExactDecimal(mantissa64: Int64(i), scale: 1),
                        bidSize: nil, askPrice: ExactDecimal(mantissa64: Int64(j), scale: 2), askSize: nil,
                        exchangeTime: nil, receiveTime: Timestamp(nanosecondsSinceEpoch: Int64(round))))
                    let bytes = handEncoded(encoder, event, sequence: UInt64(i * 10 + j + 1), publishTime: publishTime)
                    let result = checkDecoding(bytes, topic: topic(event), decoder: &decoder)
                    expected.append(line(event))
                    decoded.append(result.line ?? "refused")
                    if result.fast { fast += 1 }
                }
            }
        }
        #expect(decoded == expected)
        #expect(fast > expected.count / 2)  // after the first sight of each name, the fast path decodes
    }

    /// Bytes that are not what HFTKit's publishers send: truncated, corrupted, with unknown fields, repeated
    /// fields, fields out of order, a wrong topic. The fast path either decodes them exactly as SwiftProtobuf
    /// does or leaves them to it (same event, same error).
    @Test func unusualAndMalformedBytesDecodeAsSwiftProtobufDecides() throws {
        var rng = SplitMix64(seed: 42)
        let exchange = ExchangeID(rawValue: "binance")!
        let btc = try Instrument(parsing: "BTC-USDT")
        var decoder = MarketDataDecoder()
        let encoder = MarketDataEncoder()
        let samples: [MarketEvent] = [
            .ticker(Ticker(exchange: exchange, instrument: btc, bidPrice: try ExactDecimal("64000.01"), bidSize: try ExactDecimal("1.5"),
                           askPrice: try ExactDecimal("64000.02"), askSize: nil, exchangeTime: nil,
                           receiveTime: Timestamp(nanosecondsSinceEpoch: 1_700_000_000_000_000_000))),
            .trade(Trade(exchange: exchange, instrument: btc, price: try ExactDecimal("64000.5"), size: try ExactDecimal("0.001"),
                         side: .sell, tradeID: .number(123_456_789), exchangeTime: Timestamp(nanosecondsSinceEpoch: 5),
                         receiveTime: Timestamp(nanosecondsSinceEpoch: 6))),
        ]
        var accepted = 0
        for event in samples {
            let good = handEncoded(encoder, event, sequence: 9, publishTime: publishTime)
            _ = checkDecoding(good, topic: topic(event), decoder: &decoder)  // learn the names
            // Unknown fields (envelope field 15 varint, field 7 bytes; fixed32 and fixed64) are skipped by both.
            for extra: [UInt8] in [[0x78, 0x96, 0x01], [0x3A, 0x02, 0x41, 0x42], [0x7D, 1, 2, 3, 4], [0x79, 1, 2, 3, 4, 5, 6, 7, 8]] {
                let r = checkDecoding(good + extra, topic: topic(event), decoder: &decoder)
                #expect(r.line == line(event) && r.fast)
                let front = checkDecoding(extra + good, topic: topic(event), decoder: &decoder)
                #expect(front.line == line(event) && front.fast)
            }
            // The same event field twice: SwiftProtobuf merges the two; a second sequence replaces the first.
            let body = Array(good[eventFieldStart(good)...])
            _ = checkDecoding(good + body, topic: topic(event), decoder: &decoder)
            _ = checkDecoding(good + [0x18, 0x63], topic: topic(event), decoder: &decoder)
            // A topic that is not the instrument's.
            #expect(checkDecoding(good, topic: Array("ETH-USDT ".utf8), decoder: &decoder).line == nil)
            #expect(checkDecoding(good, topic: Array("BTC-USDT".utf8), decoder: &decoder).line == nil)
            // Truncations and random corruptions.
            for cut in 0..<good.count { _ = checkDecoding(Array(good.prefix(cut)), topic: topic(event), decoder: &decoder) }
            for _ in 0..<3_000 {
                var bad = good
                for _ in 0...(rng.next() % 3) {
                    bad[Int(rng.next() % UInt64(bad.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
                if checkDecoding(bad, topic: topic(event), decoder: &decoder).fast { accepted += 1 }
            }
        }
        #expect(accepted > 0)  // some corruptions still make valid messages (a changed digit), decoded fast
    }

    /// Where the event field (8 to 14, the last one written) starts.
    func eventFieldStart(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { raw in
            var r = ProtobufReader(raw)
            while true {
                let start = r.position
                let (field, wireType) = r.key()!
                if field >= 8 { return start }
                _ = r.skip(wireType)
            }
        }
    }

    /// Independent truth for the length prefix: a trade id text of 200 bytes makes a trade body longer than 127
    /// bytes, whose length protobuf writes as a two-byte varint.
    @Test func longBodiesGetATwoByteLength() throws {
        let exchange = ExchangeID(rawValue: "binance")!
        let event = MarketEvent.trade(Trade(
            exchange: exchange, instrument: try Instrument(parsing: "BTC-USDT"), price: 1, size: 2, side: .buy,
            tradeID: .text(String(repeating: "t", count: 200)), exchangeTime: nil, receiveTime: Timestamp(nanosecondsSinceEpoch: 0)))
        let bytes = handEncoded(MarketDataEncoder(), event, sequence: 0, publishTime: Timestamp(nanosecondsSinceEpoch: 0))
        // "binance" (0A 07 …), "BTC-USDT" (12 08 …), then field 9: key 0x4A and a length of 4+4+2+3+200 = 213 = D5 01.
        let trade = Array(bytes.dropFirst(2 + 7 + 2 + 8))
        #expect(Array(trade.prefix(3)) == [0x4A, 0xD5, 0x01])
        #expect(trade.count == 3 + 213)
        // price 1: 0A 02 08 02; size 2: 12 02 08 04; side BUY: 18 01; text: 32 C8 01 + 200 × 't'.
        #expect(Array(trade[3..<16]) == [0x0A, 0x02, 0x08, 0x02, 0x12, 0x02, 0x08, 0x04, 0x18, 0x01, 0x32, 0xC8, 0x01])
    }
}

/// A small deterministic generator (SplitMix64) for reproducible random values.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
