import HFTCore
import Logging
import Testing

@Suite struct MarketModelTests {
    @Test(arguments: [
        ("BTC-USDT", "BTC-USDT", "BTC", "USDT"),
        ("btc/usdt", "BTC-USDT", "BTC", "USDT"),
        ("ETH/BTC", "ETH-BTC", "ETH", "BTC"),
        ("btc-usdt-perp", "BTC-USDT-PERP", "BTC", "USDT"),
        ("BTC-USD-22K27", "BTC-USD-22K27", "BTC", "USD"),
        ("ETH-USD-21Z31", "ETH-USD-21Z31", "ETH", "USD"),
        ("BTC-USD-22K7", "BTC-USD-22K07", "BTC", "USD"),
        ("1000SHIB-USDT-PERP", "1000SHIB-USDT-PERP", "1000SHIB", "USDT"),
        ("BTC-USD-30000-22K27-C", "BTC-USD-30000-22K27-C", "BTC", "USD"),
    ])
    func normalizesInstruments(text: String, normalized: String, base: String, quote: String) throws {
        let instrument = try Instrument(parsing: text)
        #expect(instrument.description == normalized)
        #expect(instrument.base == base)
        #expect(instrument.quote == quote)
        #expect(Instrument(normalized) == instrument)
    }

    @Test func decodesExpiryCodes() throws {
        // Month codes: K = May, Z = December, N = July, U = September (futures convention).
        #expect(try Instrument(parsing: "BTC-USD-22K27").kind == .future(expiry: ExpiryDate(year: 2022, month: 5, day: 27)!))
        #expect(try Instrument(parsing: "ETH-USD-21Z31").kind == .future(expiry: ExpiryDate(year: 2021, month: 12, day: 31)!))
        #expect(try Instrument(parsing: "BCH-USD-21N30").kind == .future(expiry: ExpiryDate(year: 2021, month: 7, day: 30)!))
        #expect(try Instrument(parsing: "BTC-USD-21U24").kind == .future(expiry: ExpiryDate(year: 2021, month: 9, day: 24)!))
        #expect(try Instrument(parsing: "UNI-USD-PERP").kind == .perpetual)
    }

    @Test(arguments: ["", "BTC", "BTC-", "-USDT", "BTC-USDT-XXX", "BTC-USD-22A27", "BTC-USD-22K32", "BTC_USDT",
                      "btc/usdt/x", "BTC-USDT-PERP-X", "BT C-USD", "BTC-USD-0-22K27-C", "BTC-USD-1-22K27-X"])
    func rejectsMalformedInstruments(text: String) {
        #expect(throws: InstrumentError.self) { try Instrument(parsing: text) }
    }

    @Test func instrumentErrorsSayWhatIsExpected() {
        do {
            _ = try Instrument(parsing: "BTC-USDT-XXX")
            Issue.record("accepted")
        } catch {
            #expect(error.description == "invalid instrument 'BTC-USDT-XXX': third part 'XXX' is neither PERP nor an expiry like 22K27")
        }
    }

    @Test func exchangeIdentifiers() {
        #expect(ExchangeID(rawValue: "binance_futures") != nil)
        #expect(ExchangeID(rawValue: "Binance") == nil)
        #expect(ExchangeID(rawValue: "") == nil)
        #expect(ExchangeID(rawValue: "1x") == nil)
        #expect(ExchangeID.validate("okx-swap") == "exchange identifier 'okx-swap' may only contain a-z, 0-9 and '_'")
    }

    @Test func channelsUseThePythonDesignNames() {
        #expect(Channel.wellKnown.map(\.rawValue) ==
            ["ticker", "trade", "l2_book", "candles", "funding", "my_order", "my_trade", "my_order_batch"])
        #expect(Channel.myTrade.isPrivate && !Channel.l2Book.isPrivate)
        #expect(Channel(rawValue: "liquidations").rawValue == "liquidations")  // open for more
    }

    @Test func eventsCarryBothTimestamps() throws {
        let exchange = ExchangeID(rawValue: "binance")!
        let instrument = try Instrument(parsing: "BTC-USDT")
        let received = Timestamp.now()
        let trade = Trade(
            exchange: exchange, instrument: instrument, price: try ExactDecimal("65083.67"),
            size: try ExactDecimal("0.001"), side: .sell, tradeID: .number(12345),
            exchangeTime: try Timestamp(1_633_998_511_098, unit: .milliseconds), receiveTime: received)
        let event = MarketEvent.trade(trade)
        #expect(event.channel == .trade)
        #expect(event.exchange == exchange)
        #expect(event.instrument == instrument)
        #expect(event.receiveTime == received)
    }

    @Test func tradeIDsKeepUUIDs() {
        let text = "05af78ac-a774-478c-a50c-8b9c234e071e"
        let bits = text.withBytes { UUIDText.parse($0) }
        #expect(bits != nil)
        #expect(TradeID.uuid(bits!).description == text)
        #expect("not-a-uuid".withBytes { UUIDText.parse($0) } == nil)
    }

    @Test func errorsCarryTheirContext() {
        let error = HFTError(
            .parse, "price is not a decimal",
            context: ErrorContext(exchange: ExchangeID(rawValue: "binance"), connection: "trade#1", channel: .trade,
                                  messageKind: "aggTrade", fieldPath: "$.data.p"),
            underlying: DecimalError.unexpectedCharacter(offset: 3, byte: UInt8(ascii: "x")),
            sample: #"{"data":{"p":"123x"}}"#)
        #expect(error.description == #"[parse] binance conn=trade#1 channel=trade kind=aggTrade field=$.data.p: price is not a decimal: unexpected 'x' at offset 3 in decimal text | sample: {"data":{"p":"123x"}}"#)
    }

    @Test func problemLogCountsAndLogsOncePerKind() {
        let recorder = RecordingLogHandler.Store()
        let log = ProblemLog(logger: Logger(label: "test") { _ in RecordingLogHandler(store: recorder) })
        let context = ErrorContext(exchange: ExchangeID(rawValue: "okx"), messageKind: "books", fieldPath: "$.data[0].checksum")
        for _ in 0..<25 { log.record(HFTError(.parse, "checksum is not an integer", context: context, sample: "x")) }
        log.record(HFTError(.integrity, "checksum mismatch", context: context))
        #expect(log.total == 26)
        #expect(log.snapshot().map(\.count) == [25, 1])
        // First of each kind, plus a reminder at 10 (a power of ten); not 26 lines.
        #expect(recorder.messages.count == 3)
        #expect(recorder.messages[0].contains("sample: x"))
        #expect(recorder.messages[1].hasPrefix("10 times so far"))
    }
}

/// A swift-log handler that keeps messages in memory.
struct RecordingLogHandler: LogHandler {
    final class Store: @unchecked Sendable {
        private let lock = NSLockLike()
        private var stored: [String] = []
        var messages: [String] { lock.with { stored } }
        func append(_ m: String) { lock.with { stored.append(m) } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        store.append("\(event.message)")
    }
}

import Synchronization

/// A tiny lock for the test handler.
final class NSLockLike: Sendable {
    private let mutex = Mutex<Void>(())
    func with<R>(_ body: () -> R) -> R { mutex.withLock { _ in body() } }
}

/// Interned identities: equal values share an id, and the events that carry them are plain bit patterns
/// (copied without reference counting on every hand-off).
@Suite struct InterningTests {
    @Test func equalInstrumentsShareOneIdAndKeepTheirParts() throws {
        let a = try Instrument(parsing: "btc-usdt-perp")
        let b = try Instrument(base: "BTC", quote: "USDT", kind: .perpetual)
        let c = try Instrument(parsing: "BTC-USDT")
        #expect(a == b && a.id == b.id)
        #expect(a != c)
        #expect(a.base == "BTC" && a.quote == "USDT" && a.kind == .perpetual && a.description == "BTC-USDT-PERP")
        let option = try Instrument(parsing: "BTC-USD-30000-22K27-C")
        #expect(option.description == "BTC-USD-30000-22K27-C")
        #expect(Set([a, b, c, option]).count == 3)
    }

    @Test func exchangeIdentifiersAreInterned() {
        let a = ExchangeID(rawValue: "okx_swap")!
        #expect(a == ExchangeID(rawValue: "okx_swap")! && a.rawValue == "okx_swap")
        #expect(a != ExchangeID(rawValue: "okx")!)
        #expect(ExchangeID(rawValue: "OKX") == nil)
    }

    @Test func tickersAreCopiedWithoutReferenceCounting() {
        #expect(_isPOD(Instrument.self))
        #expect(_isPOD(ExchangeID.self))
        #expect(_isPOD(Ticker.self))
        #expect(MemoryLayout<Instrument>.size == 4)
    }
}
