import Foundation
import HFTAdapters
import HFTBook
import HFTCapture
import HFTCore
import HFTExchanges

/// A capture replayed through its spec's adapter and a ``CaptureBookReplay``.
enum CaptureBooks {
    static let capturesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ExchangeConformanceTests/Captures")

    static func run(
        exchange: String, file: String, transform: (BookUpdate) -> BookUpdate? = { $0 },
        onBook: (BookUpdate, BookSync.Action, BookSync) -> Void = { _, _, _ in }
    ) throws -> CaptureBookReplay {
        let capture = try CaptureFile(contentsOf: capturesFolder.appendingPathComponent(file))
        let id = ExchangeID(rawValue: exchange)!
        let descriptor = ExchangeCatalog.descriptor(for: id)!
        let instruments = capture.instruments.filter { descriptor.adapter.configuration.nativeSymbol($0) != nil }
        let adapter = try descriptor.adapter.init(instruments: instruments)
        var replay = CaptureBookReplay(integrity: descriptor.adapter.configuration.book)
        try replay.run(capture, adapter: adapter, exchange: id, transform: transform, onBook: onBook)
        return replay
    }
}
