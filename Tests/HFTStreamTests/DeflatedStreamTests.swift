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
    @Test func deflatedStreamDeliversTheOfflineReplay() throws {
        let capture = try CaptureFile(contentsOf: SimulatorStreamTests.capturesFolder.appendingPathComponent("coinbase.jsonl"))
        let id = ExchangeID(rawValue: "coinbase")!
        let descriptor = try #require(ExchangeCatalog.descriptor(for: id))
        let adapter = try descriptor.adapter.init(instruments: capture.instruments)
        var replay = CaptureReplay()
        var expected: [String] = []
        replay.run(capture, adapter: adapter) { expected.append(EventJSON.encode($0).replacing(/,"receiveTime":[0-9]+/, with: "")) }

        var simulatorOptions = ExchangeSimulator.Options()
        simulatorOptions.speed = nil
        let simulator = try ExchangeSimulator(script: SimulatorScript(capture: capture), options: simulatorOptions)
        defer { simulator.stop() }
        var options = MarketStream.Options()
        options.endpoint = simulator.baseURL
        options.permessageDeflate = true
        let channels = Array(Set(descriptor.adapter.configuration.channels.keys)).sorted()
        let stream = try MarketStream(exchange: id, instruments: capture.instruments, channels: channels, options: options)
        let observer = CollectingObserver()
        stream.bind(observer)
        try stream.start()
        let arrived = observer.wait { observer.count >= expected.count }
        stream.stop()
        #expect(arrived, "\(observer.count) of \(expected.count) events; health: \(observer.health.withLock { $0.map(\.description) })")
        #expect(SimulatorStreamTests.grouped(observer.events.withLock { $0 }) == SimulatorStreamTests.grouped(expected))
    }
}
