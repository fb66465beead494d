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
        out.append(Workload(
            name: descriptor.id.rawValue, adapter: adapter,
            baseline: FoundationBaseline(spec: spec, exchange: descriptor.id, symbols: symbols),
            frames: frames, frameData: frames.map { Data($0) }, hotFrames: hot, hotData: hot.map { Data($0) },
            bytes: frames.reduce(0) { $0 + $1.count }))
    }
    return out
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(1),
        maxIterations: 200
    )
    let receiveTime = Timestamp(nanosecondsSinceEpoch: 0)
    for w in workloads {
        Benchmark("\(w.name): generated adapter (per \(w.frames.count) frames)") { benchmark in
            for _ in benchmark.scaledIterations {
                var sink = EventBatch()
                var count = 0
                for f in w.frames {
                    _ = f.withUnsafeBytes { w.adapter.parse($0, receiveTime: receiveTime, into: &sink) }
                    count &+= sink.count
                    sink.removeAll()
                }
                blackHole(count)
            }
        }
        Benchmark("\(w.name): baseline JSONSerialization (per \(w.frames.count) frames)") { benchmark in
            for _ in benchmark.scaledIterations {
                var events: [MarketEvent] = []
                for d in w.frameData { _ = w.baseline.decode(d, receiveTime: receiveTime, into: &events) }
                blackHole(events.count)
            }
        }
        guard !w.hotFrames.isEmpty else { continue }
        Benchmark("\(w.name) ticker+trade: generated adapter (per \(w.hotFrames.count) frames)") { benchmark in
            for _ in benchmark.scaledIterations {
                var sink = EventBatch()
                var count = 0
                for f in w.hotFrames {
                    _ = f.withUnsafeBytes { w.adapter.parse($0, receiveTime: receiveTime, into: &sink) }
                    count &+= sink.count
                    sink.removeAll()
                }
                blackHole(count)
            }
        }
        Benchmark("\(w.name) ticker+trade: baseline JSONSerialization (per \(w.hotFrames.count) frames)") { benchmark in
            for _ in benchmark.scaledIterations {
                var events: [MarketEvent] = []
                for d in w.hotData { _ = w.baseline.decode(d, receiveTime: receiveTime, into: &events) }
                blackHole(events.count)
            }
        }
    }
}
