public import HFTAdapters
public import HFTCore

/// The books of one exchange stream, one ``BookSync`` per instrument, with totals for reports.
///
/// Feed it every ``BookUpdate`` of the stream in order (and the REST snapshots its actions ask for); it answers
/// with the action for that instrument. Used by the stream's book stage, `hft replay --books` and tests.
///
/// Thread safety: a plain value owned by one thread.
public struct BookKeeper: Sendable {
    public let integrity: BookIntegrity
    public let depthLimit: Int?
    public private(set) var books: [Instrument: BookSync] = [:]
    /// Every fault seen, in order, with its instrument.
    public private(set) var faults: [(instrument: Instrument, fault: BookFault)] = []
    /// Each instrument's decimals, for `kraken_v2_crc32_top10` (``setPrecision(_:_:)``).
    public private(set) var precisions: [Instrument: BookPrecision] = [:]

    /// `depthLimit` defaults to the spec's `book.depth`.
    public init(integrity: BookIntegrity, depthLimit: Int? = nil) {
        self.integrity = integrity
        self.depthLimit = depthLimit ?? integrity.depth
    }

    /// A book message from the stream.
    public mutating func receive(_ update: BookUpdate) -> BookSync.Action {
        record(update.instrument) { $0.receive(update) }
    }

    /// A REST snapshot (REST recipes).
    public mutating func receiveSnapshot(_ snapshot: BookUpdate) -> BookSync.Action {
        record(snapshot.instrument) { $0.receiveSnapshot(snapshot) }
    }

    /// The decimals of `instrument`'s prices and quantities (Kraken v2: `price_precision` and `qty_precision` from
    /// the `instrument` channel), kept for its book now and after. Until they are set, that book's v2 checksums
    /// are counted as unverified (``checksumsUnverified``), never as verified.
    public mutating func setPrecision(_ instrument: Instrument, _ precision: BookPrecision) {
        precisions[instrument] = precision
        books[instrument]?.setPrecision(precision)
    }

    /// Queues dropped book updates of `instrument`.
    public mutating func overflowed(_ instrument: Instrument) -> BookSync.Action {
        record(instrument) { $0.overflowed() }
    }

    /// The checksums verified over all books.
    public var checksumsVerified: Int { books.values.reduce(0) { $0 + $1.checksumsVerified } }

    /// The checksums sent that could not be checked, over all books (Kraken v2 without precisions).
    public var checksumsUnverified: Int { books.values.reduce(0) { $0 + $1.checksumsUnverified } }

    private mutating func record(_ instrument: Instrument, _ body: (inout BookSync) -> BookSync.Action) -> BookSync.Action {
        if books[instrument] == nil {
            var sync = BookSync(instrument: instrument, integrity: integrity, depthLimit: depthLimit)
            if let precision = precisions[instrument] { sync.setPrecision(precision) }
            books[instrument] = sync
        }
        let action = body(&books[instrument]!)
        if case .resync(let fault) = action { faults.append((instrument, fault)) }
        return action
    }
}
