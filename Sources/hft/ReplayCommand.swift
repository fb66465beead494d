import ArgumentParser
import Foundation
import HFTAdapters
import HFTBook
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

    @Flag(help: """
        Maintain the books (sync rules, checksums) and print, after every book event, the book's state: best bid \
        and ask, levels per side, valid or not (docs/replay-format.md, "Book states").
        """)
    var books = false

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
        if books {
            try replayBooks(file, adapter: adapter, exchange: id)
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

extension ReplayCommand {
    /// `--books`: every event line is followed, for book events, by the maintained book's state.
    func replayBooks(_ file: CaptureFile, adapter: any ExchangeAdapter, exchange: ExchangeID) throws {
        var replay = CaptureBookReplay(integrity: type(of: adapter).configuration.book)
        try replay.run(file, adapter: adapter, exchange: exchange, onBook: { update, action, sync in
            guard !summaryOnly else { return }
            print(EventJSON.encode(.book(update)))
            print(Self.bookState(update, action, sync))
        })
        var err = StandardError()
        print("# \(exchange) books: \(replay.bookEvents) book events, \(replay.applied) applied, " +
              "\(replay.keeper.checksumsVerified) checksums verified, \(replay.snapshotsFed) REST snapshots, " +
              "\(replay.keeper.faults.count) faults", to: &err)
        for (instrument, fault) in replay.keeper.faults {
            print("#   \(instrument): \(fault)", to: &err)
        }
        for (instrument, sync) in replay.keeper.books.sorted(by: { $0.key < $1.key }) {
            print("#   \(instrument): \(sync.isValid ? "valid" : "invalid"), \(sync.book.bids.count) bids, \(sync.book.asks.count) asks", to: &err)
        }
        if replay.crossedWhileValid > 0 || !replay.keeper.faults.isEmpty { throw ExitCode(3) }
    }

    /// One `book_state` line (docs/replay-format.md).
    static func bookState(_ update: BookUpdate, _ action: BookSync.Action, _ sync: BookSync) -> String {
        func level(_ l: BookLevel?) -> String {
            guard let l else { return "null" }
            return "[\"\(l.price.plainText)\",\"\(l.size.plainText)\"]"
        }
        var line = "{\"exchange\":\"\(update.exchange)\",\"symbol\":\"\(update.instrument)\",\"channel\":\"l2_book\"," +
            "\"kind\":\"book_state\",\"valid\":\(sync.isValid),\"bestBid\":\(level(sync.book.bestBid))," +
            "\"bestAsk\":\(level(sync.book.bestAsk)),\"bidLevels\":\(sync.book.bids.count),\"askLevels\":\(sync.book.asks.count)"
        if case .resync(let fault) = action { line += ",\"fault\":\"\(fault.name)\",\"reason\":\"\(fault.description)\"" }
        return line + "}"
    }
}

/// Standard error as a `TextOutputStream`, for summaries that must not mix with JSON-lines output.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
