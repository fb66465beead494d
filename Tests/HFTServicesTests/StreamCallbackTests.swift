import Foundation
import HFTAdapters
import HFTCapture
import HFTCore
import HFTExchanges
import HFTIPC
@testable import HFTServices
import Synchronization
import Testing

/// A service fed by a real `MarketStream` against `hft simulate`: its callbacks receive what the offline replay
/// of the same capture produces (the independent truth), all on the service's one thread.
@Suite(.serialized) struct StreamCallbackTests {
    actor Collector: Service {
        let context: ServiceContext
        var lines: [String] = []
        var health: [String] = []
        var threads = Set<UInt>()
        var stopped = false
        init(context: ServiceContext) { self.context = context }
        func note(_ event: MarketEvent) {
            lines.append(EventJSON.encode(event))
            threads.insert(UInt(bitPattern: Int(bitPattern: UInt(pthread_self()))))
        }
        func onTicker(_ ticker: Ticker) { note(.ticker(ticker)) }
        func onTrade(_ trade: Trade) { note(.trade(trade)) }
        func onBook(_ book: BookUpdate) { note(.book(book)) }
        func onCandle(_ candle: Candle) { note(.candle(candle)) }
        func onStreamHealth(_ event: HealthEvent) { health.append("\(event.kind)") }
        func onStop() { stopped = true }
        func state() -> (Int, [String], Int) { (lines.count, health, threads.count) }
    }

    @Test func callbacksReceiveTheStreamsEvents() async throws {
        let capture = RunProcessTests.packageRoot + "/Tests/ExchangeConformanceTests/Captures/binance.jsonl"
        let file = try CaptureFile(contentsOf: URL(fileURLWithPath: capture))
        let adapter = try ExchangeCatalog.adapter(for: ExchangeID(rawValue: "binance")!, instruments: file.instruments)
        var truth: [String: [String]] = [:]
        var replay = CaptureReplay()
        replay.run(file, adapter: adapter) { event in
            truth["\(event.channel.rawValue) \(event.instrument)", default: []].append(Self.withoutReceiveTime(EventJSON.encode(event)))
        }

        let dir = RunProcessTests.temporaryIPCDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (simulator, url) = try await RunProcessTests.simulator(capture, ["--loop", "--speed", "20"], ipcDirectory: dir)
        defer { _ = simulator.terminate() }

        let registry = ServiceRegistry()
        registry.register(Collector.self)
        let config = try ServiceConfiguration(text: """
            {"service.collect": {"class_name": "Collector", "setting": {"streams": [{"exchange": "binance", "endpoint": "\(url)",
              "currency_pairs": ["NKN-USDT", "BLZ-ETH", "LRC-BTC", "RUNE-EUR"], "subscribe_channels": ["l2_book", "ticker", "candles", "trade"]}]}}}
            """, environment: [:], registry: registry)
        let runtime = ServiceRuntime(configuration: config, registry: registry, directory: IPCDirectory(path: dir))
        try await runtime.start()
        let collector = try #require(runtime.service(named: "collect") as? Collector)
        let deadline = ContinuousClock.now + .seconds(60)
        while await collector.state().0 < 300, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        await runtime.stop()
        let (count, health, threads) = await collector.state()
        #expect(count >= 300)
        #expect(threads == 1, "every callback on the service's one thread")
        #expect(health.contains("subscribed"), "\(health)")
        #expect(health.last == "stopped", "\(health)")
        #expect(await collector.stopped)
        // Per channel and instrument, the callbacks saw the replay's sequence (looped).
        var got: [String: [String]] = [:]
        for line in await collector.lines {
            let channel = line.firstMatch(of: /"channel":"([^"]+)"/)?.1 ?? ""
            let symbol = line.firstMatch(of: /"symbol":"([^"]+)"/)?.1 ?? ""
            got["\(channel) \(symbol)", default: []].append(Self.withoutReceiveTime(line))
        }
        for (group, events) in got {
            let expected = truth[group] ?? []
            let mismatch = events.indices.first { expected.isEmpty || events[$0] != expected[$0 % expected.count] }
            #expect(mismatch == nil, "\(group): event \(mismatch ?? 0) differs from the replay")
        }
        #expect(RunProcessTests.leftovers(dir).isEmpty, "left behind: \(RunProcessTests.leftovers(dir))")
    }

    static func withoutReceiveTime(_ line: String) -> String {
        line.replacing(/,"receiveTime":[0-9]+/, with: "")
    }
}
