import Foundation
import HFTAdapters
import HFTCapture
import HFTCore
import HFTExchanges
import HFTSimulator
import HFTStream
import Testing

/// A stream whose connections offer permessage-deflate, against the simulator (which accepts it as exchanges
/// do): every frame still arrives and parses into exactly the events of the offline replay.
@Suite(.serialized) struct DeflatedStreamTests {
    @Test func deflatedStreamDeliversTheOfflineReplay() async throws {
        let fixture = try ReplayFixture(exchange: "coinbase", capture: "coinbase.jsonl")
        let simulator = try fixture.simulator()
        defer { simulator.stop() }
        let stream = try fixture.stream(endpoint: simulator.baseURL) { $0.permessageDeflate = true }
        let observer = CollectingObserver()
        stream.bind(observer)
        try stream.start()
        let arrived = await observer.wait { observer.count >= fixture.expected.count }
        stream.stop()
        #expect(arrived, "\(observer.count) of \(fixture.expected.count) events; health: \(observer.health.withLock { $0.map(\.description) })")
        let health = observer.health.withLock { $0.map(\.description) }
        let same = ReplayFixture.grouped(observer.events.withLock { $0 }) == ReplayFixture.grouped(fixture.expected)
        #expect(same, "events differ from the offline replay; health: \(health)")
    }
}
