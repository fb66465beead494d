// Command round trip, send → handler → reply → handler, over ipc:// sockets in one process:
//   - IPCCommandSystem: "ba" sends bench_ping to "bb"; bb's handler replies (reply(to:), bench_pong); ba's
//     handler records the round trip and sends the next ping. Each hop runs the whole system: frame encoding,
//     receive thread, router (decode, addressing, duplicate check), dispatcher task, handler.
//   - the baseline: the same pattern in C on libzmq (Benchmarks/CCommandBaseline): two PUB/SUB peers, the same
//     64-byte topics and JSON envelopes built with snprintf, the reply's id found with memmem, a blocking thread
//     per side.
// p50 and p99 of the round trips of each iteration; set-up (binding, connecting, warm-up) is outside the interval.
import Benchmark
import CCommandBaseline
import Dispatch
import Foundation
import HFTIPC
import Synchronization

/// Records round trips driven from ba's pong handler.
final class RoundTrips: @unchecked Sendable {
    let count: Int
    var latencies: [Int64]
    var index = 0  // dispatcher task of ba only
    var start: UInt64 = 0
    let done = DispatchSemaphore(value: 0)

    init(count: Int) {
        self.count = count
        latencies = Array(repeating: 0, count: count)
    }

    func percentile(_ p: Double) -> Int {
        let sorted = latencies.sorted()
        return Int(sorted[min(count - 1, Int(Double(count) * p / 100))])
    }
}

/// Two started command systems connected both ways, in a temporary directory.
final class Pair: @unchecked Sendable {
    // One fixed directory: a previous run's socket files are stale (no lock holder) and get replaced.
    let dir = "/tmp/hftbench-commands-\(getuid())"
    let a: IPCCommandSystem
    let b: IPCCommandSystem
    let current = Mutex<RoundTrips?>(nil)

    init() {
        let directory = IPCDirectory(path: dir)
        a = try! IPCCommandSystem(processID: "ba", directory: directory)
        b = try! IPCCommandSystem(processID: "bb", directory: directory)
        try! a.start()
        try! b.start()
        let (a, b) = (a, b)
        b.registerHandler(type: "bench_ping") { ping in
            try b.reply(to: ping, type: "bench_pong")
        }
        a.registerHandler(type: "bench_pong") { [self] _ in
            guard let trips = current.withLock({ $0 }) else { return }
            let now = DispatchTime.now().uptimeNanoseconds
            trips.latencies[trips.index] = Int64(now - trips.start)
            trips.index += 1
            if trips.index == trips.count {
                trips.done.signal()
                return
            }
            trips.start = DispatchTime.now().uptimeNanoseconds
            try a.sendCommand(target: "bb", type: "bench_ping", payload: ["time": .number(IPCCommandSystem.nowMicroseconds())])
        }
        let connected = DispatchSemaphore(value: 0)
        Task {
            try! await a.connect(toProcess: "bb")
            try! await b.connect(toProcess: "ba")
            connected.signal()
        }
        connected.wait()
    }

    func run(_ trips: RoundTrips) {
        current.withLock { $0 = trips }
        trips.start = DispatchTime.now().uptimeNanoseconds
        try! a.sendCommand(target: "bb", type: "bench_ping", payload: ["time": .number(IPCCommandSystem.nowMicroseconds())])
        precondition(trips.done.wait(timeout: .now() + 120) == .success, "round trips stalled at \(trips.index)")
        current.withLock { $0 = nil }
    }
}

let benchmarks: @Sendable () -> Void = {
    let trips = 2_000
    let p50 = BenchmarkMetric.custom("latency p50 (ns)", polarity: .prefersSmaller, useScalingFactor: false)
    let p99 = BenchmarkMetric.custom("latency p99 (ns)", polarity: .prefersSmaller, useScalingFactor: false)
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, p50, p99],
        scalingFactor: .one,
        maxDuration: .seconds(5),
        maxIterations: 20
    )
    nonisolated(unsafe) var pair: Pair?

    // Where a round trip's time goes besides the sockets: routing a received frame (decode, addressing,
    // duplicate check) and building + encoding the reply, per command.
    let codecCount = 10_000
    Benchmark("command codec: route a frame + encode a reply (per \(codecCount) commands)",
              configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .one, maxDuration: .seconds(2), maxIterations: 20)) { benchmark in
        var router = CommandRouter(processID: "bb")
        router.registerHandler(type: "bench_ping")
        let frames = (0..<codecCount).map { i in
            try! IPCCommand(commandID: "ba_1702345678000000_\(i)", senderID: "ba", targetID: "bb", commandType: "bench_ping",
                            timestamp: 1_702_345_678_000_000, payload: ["time": 1_702_345_678_000_000]).encodeFrame()
        }
        benchmark.startMeasurement()
        for frame in frames {
            guard case .dispatch(let ping) = router.received(frame: frame, from: "ba") else { fatalError() }
            let reply = IPCCommand(commandID: "bb_1702345678000000_1", senderID: "bb", targetID: ping.senderID, commandType: "bench_pong",
                                   timestamp: 1_702_345_678_000_000, payload: ["in_reply_to": .string(ping.commandID)])
            blackHole(try! reply.encodeFrame())
        }
        benchmark.stopMeasurement()
    }

    Benchmark("command round trip latency: IPCCommandSystem send → handler → reply → handler (per \(trips) round trips)") { benchmark in
        if pair == nil { pair = Pair() }
        let roundTrips = RoundTrips(count: trips)
        benchmark.startMeasurement()
        pair!.run(roundTrips)
        benchmark.stopMeasurement()
        benchmark.measurement(p50, roundTrips.percentile(50))
        benchmark.measurement(p99, roundTrips.percentile(99))
    }
    Benchmark("command round trip latency: baseline C libzmq PUB/SUB ping-pong (per \(trips) round trips)") { benchmark in
        let dir = "/tmp/hftbench-c-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var latencies = [Int64](repeating: 0, count: trips)
        benchmark.startMeasurement()
        let status = latencies.withUnsafeMutableBufferPointer { ccommand_round_trips(dir, Int32(trips), $0.baseAddress) }
        benchmark.stopMeasurement()
        precondition(status == 0, "the C baseline failed")
        let sorted = latencies.sorted()
        benchmark.measurement(p50, Int(sorted[trips / 2]))
        benchmark.measurement(p99, Int(sorted[min(trips - 1, trips * 99 / 100)]))
    }
}
