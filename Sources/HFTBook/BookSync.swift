public import HFTAdapters
public import HFTCore

/// Keeps one instrument's book provably right: applies snapshots and deltas under the spec's continuity rule,
/// verifies checksums and the uncrossed invariant, and tells its driver when to resync.
///
/// A pure state machine (`mutating func` in, ``Action`` out), tested without sockets. The driver (the stream's
/// book keeper, `hft replay`, a test) executes actions: ``Action/fetchSnapshot`` (REST recipes) and
/// ``Action/resync(_:)`` (resubscribe the book channel, or fetch a new snapshot), and publishes the book after
/// ``Action/applied``. While ``status`` is not ``Status/valid`` the book must not be used for trading; observers
/// see ``isValid``.
///
/// Recipes (``BookIntegrity/Continuity``): WebSocket snapshots start the book and deltas before the first
/// snapshot are ignored; REST recipes (`binance_spot`, `binance_futures`) buffer deltas (up to
/// ``bufferLimit``), ask for a snapshot, drop the buffered deltas it covers, check that the first kept one
/// bridges it, and apply the rest.
///
/// Thread safety: a plain value owned by one thread.
public struct BookSync: Sendable {
    public enum Status: Sendable, Equatable {
        /// No snapshot yet (or a resync is under way): deltas are ignored or buffered.
        case awaitingSnapshot
        /// The book follows the exchange's.
        case valid
    }

    /// What the driver must do after an input.
    public enum Action: Sendable, Equatable {
        /// Nothing changed that observers can see (ignored, buffered, or dropped as covered by the snapshot).
        case none
        /// The book changed and is valid: publish it.
        case applied
        /// REST recipes: request a snapshot (the first delta arrived, or the last snapshot was too old).
        case fetchSnapshot
        /// The book is invalid for `fault`: resubscribe (WebSocket snapshots) or fetch a snapshot (REST), and
        /// report a health event. Deltas are ignored (or buffered) until the new snapshot.
        case resync(BookFault)
    }

    public private(set) var book: OrderBook
    public private(set) var status: Status = .awaitingSnapshot
    public let continuity: BookIntegrity.Continuity
    public let checksum: BookIntegrity.Checksum
    /// Deltas kept while waiting for a REST snapshot.
    public let bufferLimit: Int

    /// Checksums that matched, for reports and tests (faults are listed by ``BookKeeper``).
    public private(set) var checksumsVerified = 0
    /// Checksums sent that could not be checked (Kraken v2 before the instrument's precision is known): counted,
    /// so that a stream never passes them silently.
    public private(set) var checksumsUnverified = 0

    var previous = BookSequence()
    var checksumCache = ChecksumCache()
    var buffer: [BookUpdate] = []
    var snapshotRequested = false
    /// REST recipes: the snapshot's `lastUpdateId` until the first delta after it is applied.
    var bridgeFrom: UInt64?

    public init(instrument: Instrument, integrity: BookIntegrity, depthLimit: Int? = nil, bufferLimit: Int = 10_000) {
        self.book = OrderBook(instrument: instrument, depthLimit: depthLimit)
        self.continuity = integrity.continuity
        self.checksum = integrity.checksum
        self.bufferLimit = bufferLimit
    }

    public var isValid: Bool { status == .valid }

    /// A book message from the stream (snapshot or delta).
    public mutating func receive(_ update: BookUpdate) -> Action {
        if continuity.needsRESTSnapshot { return receiveForREST(update) }
        if update.kind == .snapshot {
            book.removeAll()
            previous = BookSequence()
            status = .valid
            return apply(update)
        }
        guard status == .valid else { return .none }
        if let fault = continuity.check(update.sequence, after: previous) { return invalidate(fault) }
        return apply(update)
    }

    /// REST recipes: the snapshot the driver fetched (`sequence.last` is its `lastUpdateId`). Buffered deltas
    /// are applied after it.
    public mutating func receiveSnapshot(_ snapshot: BookUpdate) -> Action {
        snapshotRequested = false
        guard let lastUpdateID = snapshot.sequence.last else { return invalidate(.unsequencedSnapshot) }
        book.removeAll()
        if case let fault? = applyLevels(snapshot) { return invalidate(fault) }
        if book.isCrossed { return invalidate(.crossed) }
        status = .valid
        bridgeFrom = lastUpdateID
        previous = BookSequence(last: lastUpdateID)
        let pending = buffer
        buffer.removeAll(keepingCapacity: true)
        for update in pending {
            if case .resync(let fault) = applyFollowingREST(update) { return .resync(fault) }
        }
        return .applied
    }

    /// The instrument's decimals, which `kraken_v2_crc32_top10` needs (from Kraken's `instrument` channel).
    public mutating func setPrecision(_ precision: BookPrecision?) {
        checksumCache.setPrecision(precision)
    }

    /// A queue dropped book updates for this instrument: the book can no longer be trusted.
    public mutating func overflowed() -> Action { invalidate(.overflow) }

    // MARK: internals

    private mutating func receiveForREST(_ update: BookUpdate) -> Action {
        guard status == .valid else {
            if buffer.count >= bufferLimit {
                buffer.removeAll(keepingCapacity: true)
                return invalidate(.bufferOverflow(limit: bufferLimit))
            }
            buffer.append(update)
            if snapshotRequested { return .none }
            snapshotRequested = true
            return .fetchSnapshot
        }
        if case .snapshot = update.kind { return .none }  // REST recipes take snapshots from receiveSnapshot only
        return applyFollowingREST(update)
    }

    /// REST recipes, with a snapshot: drops deltas the snapshot covers, checks that the first kept one bridges
    /// it (else the snapshot is stale), then checks continuity.
    private mutating func applyFollowingREST(_ update: BookUpdate) -> Action {
        if let lastUpdateID = bridgeFrom {
            if continuity.isCovered(update.sequence, bySnapshot: lastUpdateID) { return .none }
            guard continuity.bridges(update.sequence, snapshot: lastUpdateID) else {
                return invalidate(.staleSnapshot(lastUpdateID: lastUpdateID, firstBuffered: update.sequence.first ?? 0))
            }
            bridgeFrom = nil
        } else if let fault = continuity.check(update.sequence, after: previous) {
            return invalidate(fault)
        }
        return apply(update)
    }

    /// Applies levels, then checks the checksum (when sent, non-zero and verifiable) and the crossed invariant.
    private mutating func apply(_ update: BookUpdate) -> Action {
        if case let fault? = applyLevels(update) { return invalidate(fault) }
        previous = update.sequence
        if let sent = update.checksum, sent != 0 {
            if let computed = checksumCache.compute(checksum, book) {
                guard computed == sent else { return invalidate(.checksumMismatch(expected: sent, computed: computed)) }
                checksumsVerified += 1
            } else if checksum != .none {
                checksumsUnverified += 1
            }
        }
        if book.isCrossed { return invalidate(.crossed) }
        return .applied
    }

    private mutating func applyLevels(_ update: BookUpdate) -> BookFault? {
        do throws(BookError) {
            if update.kind == .snapshot { book.removeAll() }
            try book.apply(bids: update.bids, asks: update.asks)
            return nil
        } catch {
            return .unusablePrice(error)
        }
    }

    private mutating func invalidate(_ fault: BookFault) -> Action {
        status = .awaitingSnapshot
        previous = BookSequence()
        bridgeFrom = nil
        book.removeAll()
        if continuity.needsRESTSnapshot { snapshotRequested = true }
        return .resync(fault)
    }
}
