// Decimal parsing: HFTKit's ExactDecimal from bytes against Foundation's Decimal(string:) on the same inputs.
// Inputs: every 20th decimal of the recorded captures (Tests/HFTCoreTests/Fixtures/capture-decimals.tsv),
// about 10 000 real exchange values. One iteration parses all of them; `make bench` prints ns per parse
// and the ratio.
import Benchmark
import Foundation
import HFTCore

let inputs: [String] = {
    let fixture = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/HFTCoreTests/Fixtures/capture-decimals.tsv")
    let text = (try? String(contentsOf: fixture, encoding: .utf8)) ?? ""
    let values = text.split(separator: "\n").map { String($0.split(separator: "\t")[1]) }
    precondition(!values.isEmpty, "fixture not found at \(fixture.path)")
    return stride(from: 0, to: values.count, by: 20).map { values[$0] }
}()

/// All inputs packed into one byte buffer, as they would sit in a receive buffer: (offset, length) pairs.
let packed: (bytes: [UInt8], spans: [(Int, Int)]) = {
    var bytes: [UInt8] = []
    var spans: [(Int, Int)] = []
    for s in inputs {
        spans.append((bytes.count, s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }
    return (bytes, spans)
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 1_000
    )

    Benchmark("decimal parse: ExactDecimal from bytes (per \(inputs.count) values)") { benchmark in
        packed.bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            for _ in benchmark.scaledIterations {
                var checksum: Int128 = 0
                for (offset, length) in packed.spans {
                    checksum &+= (try? ExactDecimal(parsing: base + offset, count: length))?.mantissa ?? 0
                }
                blackHole(checksum)
            }
        }
    }

    Benchmark("decimal parse: baseline Foundation Decimal(string:) (per \(inputs.count) values)") { benchmark in
        for _ in benchmark.scaledIterations {
            var count = 0
            for s in inputs {
                if let d = Decimal(string: s), !d.isNaN { count &+= 1 }
            }
            blackHole(count)
        }
    }
}
