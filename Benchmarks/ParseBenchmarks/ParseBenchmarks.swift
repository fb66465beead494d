// Frame parsing per exchange spec: the generated adapter against a Foundation JSONSerialization baseline that
// decodes the same frames into the same events (FoundationBaseline.swift), over the recorded captures.
// A second pair measures only the ticker and trade frames, the ones that must not allocate.
import Benchmark
import Foundation
import HFTAdapters
import HFTCapture
import HFTCodegen
import HFTCore
import HFTExchanges

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

struct Workload {
    let name: String
    let adapter: any ExchangeAdapter
    let baseline: FoundationBaseline
    let frames: [[UInt8]]
    let frameData: [Data]
    let hotFrames: [[UInt8]]
    let hotData: [Data]
    let bytes: Int
}


let workloads: [Workload] = {
    var out: [Workload] = []
    for descriptor in ExchangeCatalog.all {
        let specURL = packageRoot.appendingPathComponent(descriptor.specFile)
        guard let text = try? String(contentsOf: specURL, encoding: .utf8),
              let spec = try? SpecReader.read(file: descriptor.specFile, text: text),
              let file = spec.conformance.captures.first?.file,
              let capture = try? CaptureFile(contentsOf: packageRoot.appendingPathComponent("Tests/ExchangeConformanceTests/Captures/\(file)"))
        else { continue }
        let instruments = capture.instruments.filter { descriptor.adapter.configuration.nativeSymbol($0) != nil }
        guard let adapter = try? descriptor.adapter.init(instruments: instruments) else { continue }
        var symbols: [String: Instrument] = [:]
        for e in adapter.symbols.entries { symbols[e.native.uppercased()] = e.instrument }
        var frames: [[UInt8]] = []
        var hot: [[UInt8]] = []
        for f in capture.receivedFrames {
            let bytes = Array(f.data.utf8)
            var sink = EventBatch()
            let outcome = bytes.withUnsafeBytes { adapter.parse($0, receiveTime: f.time, into: &sink) }
            guard outcome.disposition == .data || outcome.disposition != .unrecognized else { continue }
            if case .failed = outcome.disposition { continue }  // other markets of a shared capture
            frames.append(bytes)
            if sink.events.contains(where: { if case .ticker = $0 { return true }; if case .trade = $0 { return true }; return false }) {
                hot.append(bytes)
            }
        }
        // The baseline must produce the same events, or the ratio means nothing.
        let baseline = FoundationBaseline(spec: spec, exchange: descriptor.id, symbols: symbols)
        var adapterEvents = 0
        var baselineEvents: [MarketEvent] = []
        var batch = EventBatch()
        for f in frames {
            _ = f.withUnsafeBytes { adapter.parse($0, receiveTime: Timestamp(nanosecondsSinceEpoch: 0), into: &batch) }
            adapterEvents += batch.count
            batch.removeAll()
            _ = baseline.decode(Data(f), receiveTime: Timestamp(nanosecondsSinceEpoch: 0), into: &baselineEvents)
        }
        guard adapterEvents == baselineEvents.count else {
            FileHandle.standardError.write(Data("""
                SKIPPED \(descriptor.id): the baseline decodes \(baselineEvents.count) events, the adapter \(adapterEvents); \
                no ratio is reported for it

                """.utf8))
            continue
        }
        out.append(Workload(
            name: descriptor.id.rawValue, adapter: adapter,
            baseline: baseline,
            frames: frames, frameData: frames.map { Data($0) }, hotFrames: hot, hotData: hot.map { Data($0) },
            bytes: frames.reduce(0) { $0 + $1.count }))
    }
    return out
}()

let benchmarks: @Sendable () -> Void = {
    // HFTKIT_PROFILE_SECONDS=N runs each benchmark for N seconds, for a profiler attached to the benchmark
    // executable (`perf record .build-bench/release/ParseBenchmarks --filter ...`); the report is then not comparable.
    let profileSeconds = ProcessInfo.processInfo.environment["HFTKIT_PROFILE_SECONDS"].flatMap { Int($0) }
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(profileSeconds ?? 1),
        maxIterations: profileSeconds == nil ? 200 : 100_000_000
    )
    for w in workloads {
        register("\(w.name)", w.frames, w.frameData, w)
        if !w.hotFrames.isEmpty { register("\(w.name) ticker+trade", w.hotFrames, w.hotData, w) }
        // HFTKIT_SUBSET=text adds a pair over the frames that contain `text` (`"c":"` for Kraken's book updates),
        // for looking at one message kind; not part of the report's targets.
        if let pat = ProcessInfo.processInfo.environment["HFTKIT_SUBSET"] {
            let sel = w.frames.filter { String(decoding: $0, as: UTF8.self).contains(pat) }
            if !sel.isEmpty { register("\(w.name) subset", sel, sel.map { Data($0) }, w) }
        }
    }
}

/// One pair: the generated adapter and the baseline over the same frames.
///
/// An iteration covers at least 256 frames (the list repeated): the benchmark harness's own cost per iteration
/// (clocks, counters, about 0.2–0.3 µs) would otherwise be a visible part of the adapter's time on short lists (OKX
/// swap's ticker+trade frames are 8, parsed in 1.6 µs) but not of the baseline's, and lower the ratio.
func register(_ group: String, _ distinct: [[UInt8]], _ distinctData: [Data], _ w: Workload) {
    let repeats = max(1, (256 + distinct.count - 1) / distinct.count)
    let frames = Array((0..<repeats).map { _ in distinct }.joined())
    let data = Array((0..<repeats).map { _ in distinctData }.joined())
    let receiveTime = Timestamp(nanosecondsSinceEpoch: 0)
    // The frames back to back in one buffer, as a connection's receive buffer holds them: the loop hands the
    // parser a pointer and a length per frame, without retaining an array per frame.
    let buffer = frames.flatMap { $0 }
    var ends: [Int] = []
    for f in frames { ends.append((ends.last ?? 0) + f.count) }
    // A connection's batch has grown to its largest frame after the first ones: start each run there, so that the
    // allocation count is the parser's, not the batch's first growth (a Binance or OKX frame can carry 20 trades).
    var largest = 16
    var warmup = EventBatch()
    parseEach(buffer, ends, w.adapter, receiveTime, &warmup) { largest = max(largest, $0) }
    let capacity = largest
    Benchmark("\(group): generated adapter (per \(frames.count) frames)") { benchmark in
        var sink = EventBatch(capacity: capacity)  // one batch reused across frames, as a connection does
        benchmark.startMeasurement()  // the batch's own allocation is the connection's, not the parser's
        for _ in benchmark.scaledIterations {
            var count = 0
            parseEach(buffer, ends, w.adapter, receiveTime, &sink) { count &+= $0 }
            blackHole(count)
        }
        benchmark.stopMeasurement()
    }
    Benchmark("\(group): baseline JSONSerialization (per \(frames.count) frames)") { benchmark in
        for _ in benchmark.scaledIterations {
            var events: [MarketEvent] = []
            for d in data { _ = w.baseline.decode(d, receiveTime: receiveTime, into: &events) }
            blackHole(events.count)
        }
    }
}

/// Parses each frame of `buffer` (frame i ends at `ends[i]`) into `sink` and empties it again, as a connection does,
/// telling `events` how many events each frame gave.
@inline(__always)
func parseEach(
    _ buffer: [UInt8], _ ends: [Int], _ adapter: any ExchangeAdapter, _ receiveTime: Timestamp,
    _ sink: inout EventBatch, _ events: (Int) -> Void
) {
    buffer.withUnsafeBytes { all in
        ends.withUnsafeBufferPointer { ends in
            var start = 0
            for end in ends {
                _ = adapter.parse(UnsafeRawBufferPointer(rebasing: all[start..<end]), receiveTime: receiveTime, into: &sink)
                events(sink.count)
                sink.removeAll()
                start = end
            }
        }
    }
}

