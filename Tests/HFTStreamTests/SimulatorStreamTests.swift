import HFTStream
import Testing

/// The simulator serving a capture over a real WebSocket server, and a stream connected to it through
/// libwebsockets, deliver exactly the events of the offline replay of the same capture.
@Suite(.serialized) struct SimulatorStreamTests {
    /// Every spec with a capture. `unrecorded`: channels the adapter subscribes that the capture lacks; the
    /// simulator serves nothing for them, so the expected side leaves their events out too (the offline replay
    /// parses every recorded frame, whatever it was subscribed as).
    /// - binance_futures: recorded on the legacy root `/stream`; the adapter's `/public` and `/market` connections
    ///   are each served their streams of that one recording.
    /// - okx, okx_swap: one recorded connection carries spot, swap and futures; each adapter gets its markets.
    /// - kraken_futures: recorded `ticker_lite`, which the adapter parses into tickers, but the spec subscribes the
    ///   full `ticker` feed (see its `conformance.subscriptionsDiffer`): no ticker frames for that subscription.
    static let cases: [(exchange: String, capture: String, unrecorded: [String])] = [
        ("binance", "binance.jsonl", []), ("binance_futures", "binance_futures.jsonl", []),
        ("coinbase", "coinbase.jsonl", []), ("okx", "okx.jsonl", []), ("okx_swap", "okx.jsonl", []),
        ("kraken", "kraken.jsonl", []), ("kraken_futures", "kraken_futures.jsonl", ["ticker"]),
    ]

    @Test(arguments: cases)
    func liveStreamDeliversTheOfflineReplay(exchange: String, capture file: String, unrecorded: [String]) async throws {
        let fixture = try ReplayFixture(exchange: exchange, capture: file)
        // Truth: the offline replay of the capture, less the channels it did not record.
        let expected = fixture.expected.filter { line in !unrecorded.contains { line.contains("\"channel\":\"\($0)\"") } }
        #expect(!expected.isEmpty)

        let simulator = try fixture.simulator()
        defer { simulator.stop() }
        var options = MarketStream.Options()
        options.endpoint = simulator.baseURL
        options.staleAfterSeconds = 600  // the recording ends; see ReplayFixture.stream(endpoint:_:)
        let stream = try MarketStream(exchange: fixture.exchange, instruments: fixture.instruments, channels: fixture.channels,
                                      options: options)
        let observer = CollectingObserver()
        stream.bind(observer)
        try stream.start()
        let arrived = await observer.wait { observer.count >= expected.count }
        stream.stop()
        #expect(arrived, "\(exchange): \(observer.count) of \(expected.count) events; health: \(observer.healthText)")
        // Connections interleave differently than the recording: compare per instrument and kind, in order.
        let got = observer.events.withLock { $0 }
        #expect(ReplayFixture.grouped(got) == ReplayFixture.grouped(expected))
        let kinds = observer.kinds
        #expect(kinds.contains(.connected))
        #expect(kinds.contains(.subscribed))
        // Nothing the adapter cannot place: a frame of another market (an OKX swap frame on the spot stream) would
        // fail as an unknown symbol and be reported as bad frames.
        #expect(!kinds.map(\.name).contains("badFrames"), "\(observer.healthText)")
    }
}
