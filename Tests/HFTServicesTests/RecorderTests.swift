import Foundation
import HFTAdapters
import HFTCapture
import HFTCore
import HFTExchanges
import HFTIPC
@testable import HFTServices
import Testing

/// The `recorder` service against `hft simulate`: the file it writes is a capture that replays (through the same
/// generated adapter, as `hft replay` does) into exactly the events of the recording the simulator served.
@Suite(.serialized) struct RecorderTests {
    @Test func recordedSessionReplaysToTheServedEvents() async throws {
        let capture = RunProcessTests.packageRoot + "/Tests/ExchangeConformanceTests/Captures/binance.jsonl"
        let original = try CaptureFile(contentsOf: URL(fileURLWithPath: capture))
        let symbols = ["NKN-USDT", "BLZ-ETH", "LRC-BTC", "RUNE-EUR"]
        let truth = try Self.eventsByGroup(original)
        let expectedCount = truth.values.reduce(0) { $0 + $1.count }
        #expect(expectedCount > 100)

        let dir = RunProcessTests.temporaryIPCDirectory()
        let recordings = dir + "-recordings"
        defer {
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: recordings)
        }
        // Served once (no --loop), at 20× the recorded pace.
        let (simulator, url) = try await RunProcessTests.simulator(capture, ["--speed", "20"], ipcDirectory: dir)
        defer { _ = simulator.terminate() }

        let registry = ServiceRegistry()
        let config = try ServiceConfiguration(text: """
            {"service.rec": {"class_name": "RecorderService", "setting": {"directory": "\(recordings)",
              "streams": [{"exchange": "binance", "endpoint": "\(url)",
              "currency_pairs": \(symbols), "subscribe_channels": ["l2_book", "ticker", "candles", "trade"]}]}}}
            """, environment: [:], registry: registry)
        let runtime = ServiceRuntime(configuration: config, registry: registry, directory: IPCDirectory(path: dir))
        try await runtime.start()
        let recorder = try #require(runtime.service(named: "rec") as? RecorderService)
        let file = try #require(recorder.files.first)
        // Until the recording holds every served event (the recorder flushes every 200 ms), or a generous deadline.
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            if let recorded = try? CaptureFile(contentsOf: URL(fileURLWithPath: file)),
               let events = try? Self.eventsByGroup(recorded), events.values.reduce(0, { $0 + $1.count }) >= expectedCount { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        await runtime.stop()

        let recorded = try CaptureFile(contentsOf: URL(fileURLWithPath: file))
        #expect(recorded.exchange.lowercased() == "binance", "the header names the exchange")
        let got = try Self.eventsByGroup(recorded)
        #expect(Set(got.keys) == Set(truth.keys))
        for (group, events) in truth {
            let recordedEvents = got[group] ?? []
            let firstDifference = Array(zip(recordedEvents, events)).firstIndex { $0.0 != $0.1 }
            #expect(recordedEvents.count == events.count && firstDifference == nil,
                    "\(group): \(recordedEvents.count) events replayed from the recording, \(events.count) from the capture; first difference at \(firstDifference.map(String.init) ?? "-")")
        }
        // Connections and frames are recorded, so `hft simulate` can serve the file again.
        #expect(!recorded.connectURLs.isEmpty && !recorded.receivedFrames.isEmpty)
    }

    /// Events of a capture's replay through the binance adapter, per channel and instrument, without receive
    /// times (those are the recorder's clock, not the exchange's).
    static func eventsByGroup(_ file: CaptureFile) throws -> [String: [String]] {
        let adapter = try ExchangeCatalog.adapter(for: ExchangeID(rawValue: "binance")!, instruments: file.instruments)
        var groups: [String: [String]] = [:]
        var replay = CaptureReplay()
        replay.run(file, adapter: adapter) { event in
            groups["\(event.channel.rawValue) \(event.instrument)", default: []].append(StreamCallbackTests.withoutReceiveTime(EventJSON.encode(event)))
        }
        return groups
    }
}
