public import HFTAdapters
public import HFTBook
public import HFTCore

/// Replays a capture's book messages through a ``BookKeeper`` as a live stream would, offline: the received
/// frames in order, and, for REST recipes (Binance), the recorded REST depth snapshots at the point where they
/// were recorded (matched to instruments by the URL's `symbol=` parameter).
///
/// Used by `hft replay --books` and the book tests. Thread safety: a plain value, one thread.
public struct CaptureBookReplay {
    public private(set) var keeper: BookKeeper
    public private(set) var bookEvents = 0
    public private(set) var applied = 0
    public private(set) var snapshotsFed = 0
    /// Book events after which a book was published as valid while crossed (must stay 0).
    public private(set) var crossedWhileValid = 0

    public init(integrity: BookIntegrity, depthLimit: Int? = nil) {
        keeper = BookKeeper(integrity: integrity, depthLimit: depthLimit)
    }

    /// Runs `capture` through `adapter`. `transform` may alter or drop (nil) each book update before the keeper
    /// sees it (fault injection in tests); `onBook` sees each update, the action and the instrument's book after it.
    public mutating func run(
        _ capture: CaptureFile, adapter: any ExchangeAdapter, exchange: ExchangeID,
        transform: (BookUpdate) -> BookUpdate? = { $0 },
        onBook: (BookUpdate, BookSync.Action, BookSync) -> Void = { _, _, _ in }
    ) throws {
        var natives: [String: Instrument] = [:]
        for entry in adapter.symbols.entries { natives[entry.native.uppercased()] = entry.instrument }
        for record in capture.records {
            switch record {
            case .http(_, let time, let url, let body) where keeper.integrity.continuity.needsRESTSnapshot:
                guard let symbol = url.firstMatch(of: /[?&]symbol=([A-Za-z0-9_\-]+)/)?.1,
                      let instrument = natives[String(symbol).uppercased()] else { continue }
                var bytes = Array(body.utf8)
                let snapshot = try bytes.withUnsafeMutableBytes { raw in
                    try RESTBookSnapshot.binanceDepth(UnsafeRawBufferPointer(raw), exchange: exchange, instrument: instrument,
                                                      receiveTime: time)
                }
                snapshotsFed += 1
                let action = keeper.receiveSnapshot(snapshot)
                if action == .applied { applied += 1 }
            case .receive(_, let time, let data):
                var sink = EventBatch()
                var bytes = Array(data.utf8)
                _ = bytes.withUnsafeMutableBytes { adapter.parse(UnsafeRawBufferPointer($0), receiveTime: time, into: &sink) }
                for case .book(let original) in sink.events {
                    guard let update = transform(original) else { continue }
                    bookEvents += 1
                    let action = keeper.receive(update)
                    if action == .applied { applied += 1 }
                    guard let sync = keeper.books[update.instrument] else { continue }
                    if sync.isValid, sync.book.isCrossed { crossedWhileValid += 1 }
                    onBook(update, action, sync)
                }
            default:
                break
            }
        }
    }
}
