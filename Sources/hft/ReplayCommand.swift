import ArgumentParser
import Foundation
import HFTAdapters
import HFTCapture
import HFTCore
import HFTExchanges

/// `hft replay <capture.jsonl> [--exchange NAME]`: runs a capture through the generated adapter offline.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a recorded capture through an exchange adapter and print normalized events as JSON lines.",
        discussion: """
            Events go to standard output, one JSON object per line (schema: docs/replay-format.md). The summary
            (frames and events per message kind, then every unrecognized or failed frame) goes to standard error.
            """)

    @Argument(help: "A capture file (JSON lines: header, connect, send, recv, http records).")
    var capture: String

    @Option(help: "The exchange spec to use (default: the capture header's exchange, lower-cased).")
    var exchange: String?

    @Flag(help: "Print only the summary.")
    var summaryOnly = false

    @Option(help: .hidden)
    var profileRepeat = 0

    func run() throws {
        let file = try CaptureFile(contentsOf: URL(fileURLWithPath: capture))
        let name = exchange ?? file.exchange.lowercased()
        guard let id = ExchangeID(rawValue: name) else { throw ValidationError("'\(name)' is not an exchange identifier") }
        guard let descriptor = ExchangeCatalog.descriptor(for: id) else {
            throw ValidationError("no spec for exchange '\(name)'; known: \(ExchangeCatalog.all.map(\.id.rawValue).joined(separator: ", "))")
        }
        // A capture may hold several markets of an exchange (OKX spot and swaps): replay those this spec covers
        // and count the other markets' frames separately.
        let instruments = file.instruments.filter { descriptor.adapter.configuration.nativeSymbol($0) != nil }
        let adapter = try descriptor.adapter.init(instruments: instruments)
        if profileRepeat > 0 {
            // Parse the frames repeatedly without output (for profilers; not a benchmark).
            let frames = file.receivedFrames.map { (Array($0.data.utf8), $0.time) }
            var total = 0
            var sink = EventBatch()
            let start = ContinuousClock.now
            for _ in 0..<profileRepeat {
                for (bytes, time) in frames {
                    total &+= bytes.withUnsafeBytes { adapter.parse($0, receiveTime: time, into: &sink) }.events
                    sink.removeAll()
                }
            }
            let elapsed = ContinuousClock.now - start
            let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            let perFrame = Int((nanoseconds / Double(max(1, frames.count * profileRepeat))).rounded())
            print("parsed \(frames.count * profileRepeat) frames, \(total) events, \(perFrame) ns/frame (wall clock, indicative)")
            return
        }
        var replay = CaptureReplay()
        replay.tallyOtherMarkets = instruments.count < file.instruments.count
        replay.run(file, adapter: adapter) { event in
            if !summaryOnly { print(EventJSON.encode(event)) }
        }
        var err = StandardError()
        print("# \(name): \(file.receivedFrames.count) frames, \(replay.totalEvents) events", to: &err)
        for (kind, tally) in replay.byKind.sorted(by: { $0.key < $1.key }) {
            print("#   \(kind): \(tally.frames) frames, \(tally.events) events", to: &err)
        }
        print("# unrecognized or failed: \(replay.problems.count)", to: &err)
        for problem in replay.problems {
            print("#   \(problem.reason): \(problem.frame)", to: &err)
        }
        if !replay.problems.isEmpty { throw ExitCode(2) }
    }
}

/// Standard error as a `TextOutputStream`, for summaries that must not mix with JSON-lines output.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
