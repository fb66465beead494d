// Wire to observer, over real sockets on loopback: the exchange simulator serves the recorded Binance session
// (looped, as fast as the connection takes frames) to
//   - a MarketStream with one observer that counts events (lws client → in-place parse → observer queue →
//     observer thread), and
//   - the baseline: a bare C libwebsockets client (Benchmarks/BareLWSClient) that only counts the same frames,
// in the same run, plainly and with permessage-deflate. Every Binance frame of the capture is one event, so
// frames and events compare one to one (checked against the offline replay before measuring).
// Latency: event.receiveTime (taken when lws hands over the frame, before parsing) → the observer's callback,
// p50 and p99 per iteration, with the simulator pacing the recording at 100x (not saturated).
// Simulator and stream set-up are outside the measured interval; connecting and subscribing are inside for both.
import BareLWSClient
import Benchmark
import Dispatch
import Foundation
import HFTAdapters
import HFTCapture
import HFTCore
import HFTExchanges
import HFTSimulator
import HFTStream
import HFTWebSocket

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let binance = ExchangeID(rawValue: "binance")!

/// The recorded session, its script and what the stream asks for.
struct Session {
    let capture: CaptureFile
    let script: SimulatorScript
    let instruments: [Instrument]
    let channels: [Channel]
    /// Frames of one pass over the recording (all on one connection), each one event.
    let framesPerPass: Int

    init() {
        capture = try! CaptureFile(contentsOf: packageRoot.appendingPathComponent("Tests/ExchangeConformanceTests/Captures/binance.jsonl"))
        script = SimulatorScript(capture: capture)
        instruments = capture.instruments
        channels = [.l2Book, .ticker, .candles, .trade]
        precondition(script.connections.count == 1, "the Binance capture records one connection")
        framesPerPass = script.connections[0].frames.count
        var replay = CaptureReplay()
        replay.run(capture, adapter: try! ExchangeCatalog.adapter(for: binance, instruments: instruments)) { _ in }
        precondition(replay.totalEvents == framesPerPass, "frames and events must match one to one for this comparison")
    }

    func simulator(speed: Double?, loop: Bool) -> ExchangeSimulator {
        var options = ExchangeSimulator.Options()
        options.speed = speed
        options.loop = loop
        return try! ExchangeSimulator(script: script, options: options)
    }

    func stream(_ simulator: ExchangeSimulator, deflate: Bool) -> MarketStream {
        var options = MarketStream.Options()
        options.endpoint = simulator.baseURL
        options.permessageDeflate = deflate
        return try! MarketStream(exchange: binance, instruments: instruments, channels: channels, options: options)
    }
}

/// Counts events (and optionally records receive → callback latency) until `target`, then signals `done`.
final class CountingObserver: StreamObserver, @unchecked Sendable {
    let target: Int
    let latencies: UnsafeMutableBufferPointer<Int64>?
    private(set) var count = 0  // observer thread; read after `done`
    let done = DispatchSemaphore(value: 0)

    init(target: Int, recordLatency: Bool) {
        self.target = target
        latencies = recordLatency ? .allocate(capacity: target) : nil
    }

    deinit { latencies?.deallocate() }

    func onEvent(_ event: MarketEvent) {
        guard count < target else { return }
        if let latencies { latencies[count] = Timestamp.now().nanosecondsSinceEpoch - event.receiveTime.nanosecondsSinceEpoch }
        count += 1
        if count == target { done.signal() }
    }

    func onHealth(_ event: HealthEvent) {}

    /// The latency at `percentile` (0…100) of what was recorded.
    func latency(percentile: Double) -> Int {
        guard let latencies, count > 0 else { return 0 }
        let sorted = latencies.prefix(count).sorted()
        return Int(sorted[min(count - 1, Int(Double(count) * percentile / 100))])
    }
}

/// Streams `frames` events through a MarketStream from a fresh simulator; measures start → last event.
func measureStream(_ benchmark: Benchmark, _ session: Session, frames: Int, speed: Double?, deflate: Bool, latency: Bool) -> CountingObserver {
    let simulator = session.simulator(speed: speed, loop: speed == nil)
    let stream = session.stream(simulator, deflate: deflate)
    let observer = CountingObserver(target: frames, recordLatency: latency)
    stream.bind(observer)
    benchmark.startMeasurement()
    try! stream.start()
    let arrived = observer.done.wait(timeout: .now() + 120) == .success
    benchmark.stopMeasurement()
    stream.stop()
    simulator.stop()
    precondition(arrived, "MarketStream received \(observer.count) of \(frames) events")
    return observer
}

/// Receives `frames` frames with the bare C client from a fresh simulator; measures connect → last frame.
func measureBare(_ benchmark: Benchmark, _ session: Session, frames: Int, deflate: Bool) {
    let simulator = session.simulator(speed: nil, loop: true)
    let path = WebSocketURL(session.stream(simulator, deflate: false).plans[0].url)!.path
    var result = bare_lws_result()
    benchmark.startMeasurement()
    let status = path.withCString { bare_lws_receive("127.0.0.1", Int32(simulator.port), $0, nil, 0, UInt64(frames), 120_000, deflate ? 1 : 0, &result) }
    benchmark.stopMeasurement()
    simulator.stop()
    precondition(status == 0, "the bare client received \(result.frames) of \(frames) frames (status \(status))")
    blackHole(result.bytes)
}

let benchmarks: @Sendable () -> Void = {
    LibWebSockets.setLogLevels(1)  // errors only
    let session = Session()
    let frames = session.framesPerPass * 200
    // Allocations are counted process-wide: the simulator's (a few per frame sent) are on both sides of a pair.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(4),
        maxIterations: 30
    )

    Benchmark("wire to observer: MarketStream, one observer counting events (per \(frames) frames)") { benchmark in
        _ = measureStream(benchmark, session, frames: frames, speed: nil, deflate: false, latency: false)
    }
    Benchmark("wire to observer: baseline bare C lws client counting frames (per \(frames) frames)") { benchmark in
        measureBare(benchmark, session, frames: frames, deflate: false)
    }
    Benchmark("wire to observer deflated: MarketStream with permessage-deflate (per \(frames) frames)") { benchmark in
        _ = measureStream(benchmark, session, frames: frames, speed: nil, deflate: true, latency: false)
    }
    Benchmark("wire to observer deflated: baseline bare C lws client with permessage-deflate (per \(frames) frames)") { benchmark in
        measureBare(benchmark, session, frames: frames, deflate: true)
    }

    let p50 = BenchmarkMetric.custom("latency p50 (ns)", polarity: .prefersSmaller, useScalingFactor: false)
    let p99 = BenchmarkMetric.custom("latency p99 (ns)", polarity: .prefersSmaller, useScalingFactor: false)
    let events = session.framesPerPass
    Benchmark(
        "wire to observer latency: MarketStream at 100x the recorded pace (per \(events) events)",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal, p50, p99], scalingFactor: .one, maxDuration: .seconds(4), maxIterations: 30)
    ) { benchmark in
        let observer = measureStream(benchmark, session, frames: events, speed: 100, deflate: false, latency: true)
        benchmark.measurement(p50, observer.latency(percentile: 50))
        benchmark.measurement(p99, observer.latency(percentile: 99))
    }
}
