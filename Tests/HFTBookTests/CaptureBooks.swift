import Foundation
import HFTAdapters
import HFTBook
import HFTCapture
import HFTCore
import HFTExchanges

/// Replays a capture's book frames (and its recorded REST snapshots) through a ``BookKeeper``, as a stream would.
struct CaptureBooks {
    static let capturesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ExchangeConformanceTests/Captures")

    var keeper: BookKeeper
    var bookEvents = 0
    var withChecksum = 0
    var applied = 0
    var crossedWhileValid = 0
    var snapshotsFed = 0

    /// Runs `file` through the spec `exchange`; `afterEach` sees the keeper after each book event.
    init(exchange: String, file: String, afterEach: (BookUpdate, BookSync.Action, BookKeeper) -> Void = { _, _, _ in }) throws {
        let capture = try CaptureFile(contentsOf: Self.capturesFolder.appendingPathComponent(file))
        let id = ExchangeID(rawValue: exchange)!
        let descriptor = ExchangeCatalog.descriptor(for: id)!
        let instruments = capture.instruments.filter { descriptor.adapter.configuration.nativeSymbol($0) != nil }
        let adapter = try descriptor.adapter.init(instruments: instruments)
        keeper = BookKeeper(integrity: descriptor.adapter.configuration.book)
        var natives: [String: Instrument] = [:]
        for e in adapter.symbols.entries { natives[e.native.uppercased()] = e.instrument }
        for record in capture.records {
            switch record {
            case .http(_, let time, let url, let body):
                // A recorded REST depth snapshot: `…/depth?symbol=NKNUSDT&limit=1000`.
                guard let symbol = url.firstMatch(of: /symbol=([A-Za-z0-9]+)/)?.1,
                      let instrument = natives[String(symbol).uppercased()] else { continue }
                var bytes = Array(body.utf8)
                let snapshot = try bytes.withUnsafeMutableBytes { raw in
                    try RESTBookSnapshot.binanceDepth(UnsafeRawBufferPointer(raw), exchange: id, instrument: instrument, receiveTime: time)
                }
                snapshotsFed += 1
                _ = keeper.receiveSnapshot(snapshot)
            case .receive(_, let time, let data):
                var sink = EventBatch()
                var bytes = Array(data.utf8)
                _ = bytes.withUnsafeMutableBytes { adapter.parse(UnsafeRawBufferPointer($0), receiveTime: time, into: &sink) }
                for case .book(let update) in sink.events {
                    bookEvents += 1
                    if update.checksum != nil { withChecksum += 1 }
                    let action = keeper.receive(update)
                    if action == .applied { applied += 1 }
                    if let book = keeper.books[update.instrument], book.isValid, book.book.isCrossed { crossedWhileValid += 1 }
                    afterEach(update, action, keeper)
                }
            default:
                break
            }
        }
    }
}
