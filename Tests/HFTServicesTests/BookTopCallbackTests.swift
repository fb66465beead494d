import Foundation
import HFTCapture
import HFTCore
import HFTIPC
@testable import HFTServices
import Testing

/// A service whose stream has `book_depth`: `onBookTop` gets the book the stream keeps (synced from the REST
/// snapshots `hft simulate` serves for Binance), at most `book_depth` levels per side, best first, never valid while crossed.
@Suite(.serialized) struct BookTopCallbackTests {
    actor Views: Service {
        let context: ServiceContext
        var views: [BookTop] = []
        var updates = 0
        init(context: ServiceContext) { self.context = context }
        func onBook(_ book: BookUpdate) { updates += 1 }
        func onBookTop(_ view: BookTop) { views.append(view) }
        func state() -> (updates: Int, views: [BookTop]) { (updates, views) }
    }

    @Test func serviceGetsValidUncrossedTopViews() async throws {
        let capture = RunProcessTests.packageRoot + "/Tests/ExchangeConformanceTests/Captures/binance.jsonl"
        let dir = RunProcessTests.temporaryIPCDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (simulator, url) = try await RunProcessTests.simulator(capture, ["--speed", "10"], ipcDirectory: dir)
        defer { _ = simulator.terminate() }

        let registry = ServiceRegistry()
        registry.register(Views.self)
        let config = try ServiceConfiguration(text: """
            {"service.views": {"class_name": "Views", "setting": {"streams": [{"exchange": "binance", "endpoint": "\(url)",
              "currency_pairs": ["NKN-USDT", "BLZ-ETH", "LRC-BTC", "RUNE-EUR"], "subscribe_channels": ["l2_book"], "book_depth": 5}]}}}
            """, environment: [:], registry: registry)
        let runtime = ServiceRuntime(configuration: config, registry: registry, directory: IPCDirectory(path: dir))
        try await runtime.start()
        let service = try #require(runtime.service(named: "views") as? Views)
        let deadline = ContinuousClock.now + .seconds(60)
        while await service.state().views.filter(\.isValid).count < 50, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        await runtime.stop()
        let (updates, views) = await service.state()
        let valid = views.filter(\.isValid)
        #expect(updates > 0, "book_depth keeps the updates too")
        #expect(valid.count >= 50, "valid views: \(valid.count) of \(views.count)")
        for view in valid {
            #expect(view.bids.count <= 5 && view.asks.count <= 5)
            if let bid = view.bestBid, let ask = view.bestAsk {
                #expect(bid.price < ask.price, "\(view.instrument): a crossed book published as valid")
            }
            // Best first on both sides, as the exchange orders them.
            #expect(zip(view.bids, view.bids.dropFirst()).allSatisfy { $0.price > $1.price })
            #expect(zip(view.asks, view.asks.dropFirst()).allSatisfy { $0.price < $1.price })
        }
    }
}
