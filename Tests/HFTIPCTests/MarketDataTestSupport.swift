import Foundation
import HFTAdapters
import HFTCapture
import HFTCore
import HFTExchanges
@testable import HFTIPC
import HFTStream
import Synchronization

/// The events of a recorded capture, replayed offline through the exchange's generated adapter: the truth that
/// market data must survive the wire unchanged.
struct CaptureEvents {
    static let capturesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ExchangeConformanceTests/Captures")

    let exchange: ExchangeID
    let events: [MarketEvent]

    init(exchange name: String, capture file: String) throws {
        let capture = try CaptureFile(contentsOf: Self.capturesFolder.appendingPathComponent(file))
        guard let id = ExchangeID(rawValue: name), let descriptor = ExchangeCatalog.descriptor(for: id) else {
            throw HFTError(.configuration, "no spec for \(name)")
        }
        exchange = id
        let configuration = descriptor.adapter.configuration
        let instruments = capture.instruments.filter { configuration.nativeSymbol($0) != nil }
        let adapter = try descriptor.adapter.init(instruments: instruments)
        var replay = CaptureReplay()
        replay.tallyOtherMarkets = instruments.count < capture.instruments.count
        var events: [MarketEvent] = []
        replay.run(capture, adapter: adapter) { events.append($0) }
        self.events = events
    }

    /// Every capture of the conformance tests (OKX's through both of its specs).
    static func all() throws -> [CaptureEvents] {
        try [
            ("binance", "binance.jsonl"), ("binance_futures", "binance_futures.jsonl"), ("coinbase", "coinbase.jsonl"),
            ("kraken", "kraken.jsonl"), ("kraken_futures", "kraken_futures.jsonl"), ("okx", "okx.jsonl"),
            ("okx_swap", "okx.jsonl"),
        ].map { try CaptureEvents(exchange: $0.0, capture: $0.1) }
    }

    /// Events the captures do not have (funding, the account's own orders and fills) and edge values: 128-bit
    /// mantissas, scale 38, negative values, UUID and text trade ids, absent optionals.
    static func synthetic(exchange: ExchangeID) -> [MarketEvent] {
        let btc = try! Instrument(parsing: "BTC-USDT-PERP")
        let t0 = Timestamp(nanosecondsSinceEpoch: 1_700_000_000_123_456_789)
        let wide = try! ExactDecimal("12345678901234567890123456789.012345678")
        let tiny = try! ExactDecimal("-0.00000000000000000000000000000000000001")
        return [
            .funding(Funding(exchange: exchange, instrument: btc, rate: try! ExactDecimal("0.00010000"),
                             predictedRate: try! ExactDecimal("-0.0000125"), nextFundingTime: t0 + 3_600_000_000_000,
                             markPrice: try! ExactDecimal("64000.10"), exchangeTime: t0, receiveTime: t0 + 1)),
            .funding(Funding(exchange: exchange, instrument: btc, rate: tiny, exchangeTime: nil, receiveTime: t0)),
            .myOrder(MyOrder(exchange: exchange, instrument: btc, orderID: "8389765512345", clientOrderID: "my-order-1",
                             side: .sell, type: .stopLimit, status: .partiallyFilled, price: try! ExactDecimal("65000.00"),
                             size: try! ExactDecimal("0.500"), filledSize: try! ExactDecimal("0.125"),
                             averageFillPrice: try! ExactDecimal("65000.5"), exchangeTime: t0, receiveTime: t0 + 5)),
            .myOrder(MyOrder(exchange: exchange, instrument: btc, orderID: "x", side: .buy, type: .market, status: .new,
                             price: nil, size: wide, filledSize: .zero, exchangeTime: nil, receiveTime: t0)),
            .myTrade(MyTrade(exchange: exchange, instrument: btc, orderID: "8389765512345",
                             tradeID: .uuid(0x8c3e0d9a_1111_2222_3333_444455556666), side: .sell,
                             price: try! ExactDecimal("65000.00"), size: try! ExactDecimal("0.125"),
                             fee: try! ExactDecimal("-0.0031"), feeAsset: "USDT", liquidity: .maker,
                             exchangeTime: t0, receiveTime: t0 + 7)),
            .myTrade(MyTrade(exchange: exchange, instrument: btc, orderID: "o", tradeID: .text("T-77/b"), side: .buy,
                             price: wide, size: tiny, exchangeTime: nil, receiveTime: t0)),
            .trade(Trade(exchange: exchange, instrument: btc, price: wide, size: try! ExactDecimal("1e-8"), side: .buy,
                         tradeID: .none, exchangeTime: nil, receiveTime: t0)),
            .candle(Candle(exchange: exchange, instrument: btc, intervalSeconds: 60, startTime: t0, open: 1, high: 2,
                           low: tiny, close: wide, volume: .zero, isClosed: nil, exchangeTime: nil, receiveTime: t0)),
        ]
    }
}

/// An event as compared in tests: its JSON line (decimals in their plain text, with the received scale; times in
/// nanoseconds; receive time included).
func line(_ event: MarketEvent) -> String { EventJSON.encode(event) }

/// A private IPC directory for one test, removed afterwards.
final class MarketDataIPCDirectory {
    let directory: IPCDirectory
    init() {
        var template = Array("/tmp/hftkit-test-XXXXXX".utf8CString)
        let path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        directory = IPCDirectory(path: path)
    }
    var endpoints: MarketDataEndpoints { MarketDataEndpoints(directory: directory) }
    deinit { try? FileManager.default.removeItem(atPath: directory.path) }
}

/// Collects what an observer receives (called on its consumer thread; read by the test thread).
final class EventCollector: StreamObserver, @unchecked Sendable {
    let events = Mutex<[MarketEvent]>([])
    let health = Mutex<[HealthEvent]>([])
    /// A pause per event (a slow observer).
    let delayMicroseconds: UInt32

    init(delayMicroseconds: UInt32 = 0) { self.delayMicroseconds = delayMicroseconds }

    func onEvent(_ event: MarketEvent) {
        if delayMicroseconds > 0 { usleep(delayMicroseconds) }
        events.withLock { $0.append(event) }
    }
    func onHealth(_ event: HealthEvent) { health.withLock { $0.append(event) } }
    var count: Int { events.withLock { $0.count } }
    var lines: [String] { events.withLock { $0.map(line) } }
    var healthKinds: [HealthEvent.Kind] { health.withLock { $0.map(\.kind) } }

    /// Polls until `condition` holds or `seconds` pass.
    /// Sleeps with `Task.sleep`, so that waiting does not hold a thread of the cooperative pool.
    func wait(seconds: Double = 60, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }
}
