import Foundation
import HFTCore
@testable import HFTIPC
import SwiftProtobuf
import Testing

/// The codec without sockets: every event kind survives HFTCore → protobuf bytes → HFTCore exactly.
@Suite struct MarketDataCodecTests {
    /// Encodes, serializes, parses and decodes `event`.
    func roundTrip(_ event: MarketEvent, names: inout MarketDataCodec.NameCache) throws -> MarketEvent {
        let message = MarketDataCodec.message(
            event, exchange: event.exchange.rawValue, instrument: event.instrument.description, sequence: 7,
            publishTime: .now())
        let bytes: [UInt8] = try message.serializedBytes()
        let parsed = try MarketDataCodec.Message(serializedBytes: bytes)
        #expect(parsed.sequence == 7)
        return try MarketDataCodec.event(parsed, names: &names)
    }

    @Test func everyCaptureEventRoundTripsExactly() throws {
        var names = MarketDataCodec.NameCache()
        var kinds: Set<String> = []
        var total = 0
        for capture in try CaptureEvents.all() {
            for event in capture.events + CaptureEvents.synthetic(exchange: capture.exchange) {
                let back = try roundTrip(event, names: &names)
                // The JSON line prints decimals with their scale and every time in ns: equal lines, identical events.
                #expect(line(back) == line(event))
                kinds.insert("\(event.channel)")
                total += 1
            }
        }
        #expect(kinds == ["ticker", "trade", "l2_book", "candles", "funding", "my_order", "my_trade"])
        #expect(total > 14_000)
    }

    /// Independent truth: the protobuf encoding rules (varint keys, zigzag sint64) computed by hand.
    @Test func decimalWireBytesFollowTheProtobufEncoding() throws {
        let d = MarketDataCodec.wire(try ExactDecimal("-12.5"))
        // field 1 (sint64, wire type 0): key 0x08, zigzag(-125) = 249 = 0xF9 0x01; field 2 (uint32): key 0x10, 1.
        #expect(try d.serializedBytes() == [0x08, 0xF9, 0x01, 0x10, 0x01])
        let kept = MarketDataCodec.wire(try ExactDecimal("6195.00000000"))
        #expect(kept.mantissa == 619_500_000_000 && kept.scale == 8)
        let wide = MarketDataCodec.wire(try ExactDecimal("-123456789012345678901234567890"))
        #expect(wide.mantissa == 0 && wide.wideMantissa.count == 16)
        #expect(Int128(bitPattern: wide.wideMantissa.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }) == -123456789012345678901234567890)
    }

    @Test func invalidMessagesAreRejectedWithTheField() throws {
        var names = MarketDataCodec.NameCache()
        func decode(_ edit: (inout MarketDataCodec.Message) -> Void) -> MarketDataDecodingError? {
            var m = MarketDataCodec.Message()
            m.exchange = "binance"
            m.instrument = "BTC-USDT"
            var t = Hftkit_Marketdata_Trade()
            t.price = MarketDataCodec.wire(ExactDecimal(1))
            t.size = MarketDataCodec.wire(ExactDecimal(2))
            t.side = .buy
            m.trade = t
            edit(&m)
            do {
                _ = try MarketDataCodec.event(m, names: &names)
                return nil
            } catch {
                return error
            }
        }
        #expect(decode { _ in } == nil)
        #expect(decode { $0.trade.clearPrice() }?.field == "trade.price")
        #expect(decode { $0.trade.size.scale = 39 }?.field == "trade.size")
        #expect(decode { $0.trade.side = .unspecified }?.field == "trade.side")
        #expect(decode { $0.trade.tradeUuid = Data([1, 2, 3]) }?.field == "trade.trade_uuid")
        #expect(decode { $0.trade.price.wideMantissa = Data(repeating: 0x7f, count: 16) }?.field == "trade.price")
        #expect(decode { $0.instrument = "btc/usdt" }?.field == "instrument")
        #expect(decode { $0.exchange = "Binance!" }?.field == "exchange")
        #expect(decode { $0.event = nil }?.field == "event")
    }

    @Test func endpointsComeFromConfiguration() throws {
        let dir = IPCDirectory(path: "/run/x")
        let endpoints = try MarketDataEndpoints(parsing: ["binance.ticker=tcp://10.0.0.5:7001"], directory: dir)
        let binance = ExchangeID(rawValue: "binance")!
        #expect(endpoints.endpoint(exchange: binance, channel: .ticker) == "tcp://10.0.0.5:7001")
        #expect(endpoints.endpoint(exchange: binance, channel: .trade) == "ipc:///run/x/binance.trade.ipc")
        #expect(throws: IPCError.self) { try MarketDataEndpoints(parsing: ["binance=tcp://x:1"], directory: dir) }
    }
}
