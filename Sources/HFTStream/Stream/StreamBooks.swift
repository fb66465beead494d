import HFTAdapters
import HFTBook
import HFTCore
import HFTWebSocket

/// What an observer receives of the l2_book channel (``MarketStream/bind(_:queueCapacity:book:)``).
public enum BookFeed: Sendable, Equatable {
    /// The book messages as received (snapshots and deltas, ``MarketEvent/book(_:)``): today's default.
    case updates
    /// Only the maintained book's top `depth` levels after each update (``MarketEvent/bookTop(_:)``), with its
    /// validity; one view with `isValid` false (no levels) when the book becomes invalid.
    case top(depth: Int)
    /// Both: each update, then the view.
    case updatesAndTop(depth: Int)

    var sendsUpdates: Bool { if case .top = self { false } else { true } }
    var depth: Int? {
        switch self {
        case .updates: return nil
        case .top(let depth), .updatesAndTop(let depth): return max(1, depth)
        }
    }
}

/// The stream's books: one ``BookKeeper`` on the service thread, fed every ``BookUpdate`` before any observer
/// queue (so an observer's full queue never affects it), whose actions it executes:
///
/// - ``BookSync/Action/applied``: publish the top-N view to the observers that asked for one; after a resync,
///   report ``HealthEvent/Kind/bookResynced(instrument:)``.
/// - ``BookSync/Action/fetchSnapshot`` (REST recipes): GET the spec's `snapshotURL` through lws' client role on
///   the same service thread, then ``BookKeeper/receiveSnapshot(_:)``; a failed fetch is retried after a second.
/// - ``BookSync/Action/resync(_:)``: report ``HealthEvent/Kind/bookInvalid(instrument:reason:)``, publish an
///   invalid view, then fetch a new REST snapshot (REST recipes) or resubscribe that one symbol's book channel on
///   the connection that carries it (unsubscribe + subscribe frames from the spec); a connection that subscribes
///   through its URL, or a spec without an unsubscribe message, is reconnected instead.
///
/// Threading: service thread only. No lock; per delta it allocates nothing beyond the views observers asked for.
final class StreamBooks {
    unowned let stream: MarketStream
    private var keeper: BookKeeper
    /// Instruments invalidated by a fault and not yet resynchronized.
    private var invalid: Set<Instrument> = []
    /// REST snapshot requests in flight, and failed ones waiting to be retried (monotonic ns).
    private var fetching: [Instrument: HTTPRequest] = [:]
    private var retryAt: [Instrument: Int64] = [:]
    private var natives: [Instrument: String] = [:]
    /// Bindings and what they asked for, fixed at start.
    private let updateBindings: [ObserverBinding]
    private let topBindings: [(binding: ObserverBinding, depth: Int)]

    init(stream: MarketStream, bindings: [ObserverBinding]) {
        self.stream = stream
        keeper = BookKeeper(integrity: stream.configuration.book)
        updateBindings = bindings.filter { $0.book.sendsUpdates }
        topBindings = bindings.compactMap { b in b.book.depth.map { (b, $0) } }
        for entry in stream.adapter.symbols.entries { natives[entry.instrument] = entry.native }
    }

    /// True when some observer asked for the raw book updates (they keep copies of the delivered events).
    var passesUpdatesOn: Bool { !updateBindings.isEmpty }

    /// A book message from `connection` (service thread).
    func receive(_ update: BookUpdate, from connection: StreamConnection) {
        for binding in updateBindings { binding.push(.book(update), wake: false) }
        execute(keeper.receive(update), update.instrument, connection: connection, time: update)
    }

    /// Copies of the books and their validity (service thread).
    var states: [Instrument: (book: OrderBook, isValid: Bool)] {
        keeper.books.mapValues { ($0.book, $0.isValid) }
    }

    /// Every tick: retries failed snapshot fetches that are due.
    func tick(now: Int64) {
        guard !retryAt.isEmpty else { return }
        for (instrument, time) in retryAt where time <= now {
            retryAt[instrument] = nil
            fetch(instrument)
        }
    }

    func stop() {
        for request in fetching.values { request.cancel() }
        fetching.removeAll()
        retryAt.removeAll()
    }

    // MARK: actions

    private func execute(_ action: BookSync.Action, _ instrument: Instrument, connection: StreamConnection?, time: BookUpdate) {
        switch action {
        case .none:
            break
        case .applied:
            if invalid.remove(instrument) != nil { stream.report(.bookResynced(instrument: instrument), connection: connection?.plan.name ?? "") }
            publish(instrument, time)
        case .fetchSnapshot:
            fetch(instrument)
        case .resync(let fault):
            invalid.insert(instrument)
            stream.report(.bookInvalid(instrument: instrument, reason: "\(fault.name): \(fault)"), connection: connection?.plan.name ?? "")
            publish(instrument, time)
            if stream.configuration.book.continuity.needsRESTSnapshot {
                fetch(instrument)
            } else if let connection {
                resubscribe(instrument, on: connection)
            }
        }
    }

    /// Pushes the top-N view of `instrument` to the observers that asked for one. A crossed book is never
    /// published as valid (``BookSync`` turns it into a fault first; this is the last guard).
    private func publish(_ instrument: Instrument, _ time: BookUpdate) {
        guard !topBindings.isEmpty, let sync = keeper.books[instrument] else { return }
        let valid = sync.isValid && !sync.book.isCrossed
        for (binding, depth) in topBindings {
            let top: (bids: [BookLevel], asks: [BookLevel]) = valid ? sync.book.top(depth) : ([], [])
            let view = BookTop(
                exchange: stream.exchange, instrument: instrument, bids: top.bids, asks: top.asks,
                bidLevels: valid ? sync.book.bids.count : 0, askLevels: valid ? sync.book.asks.count : 0, isValid: valid,
                sequence: time.sequence, exchangeTime: time.exchangeTime, receiveTime: time.receiveTime)
            binding.push(.bookTop(view), wake: false)
        }
        stream.markDelivered()
    }

    private func resubscribe(_ instrument: Instrument, on connection: StreamConnection) {
        if let frames = ConnectionPlanner.resubscription(
            stream.configuration, symbols: stream.adapter.symbols, channel: .l2Book, instrument: instrument) {
            connection.resend(unsubscribe: frames.unsubscribe, subscribe: frames.subscribe)
        } else {
            connection.reconnect(reason: "book resync of \(instrument): the spec cannot resubscribe one symbol")
        }
    }

    /// The REST snapshot URL of `instrument`: the spec's template, with scheme, host and port replaced by
    /// ``MarketStream/Options/restEndpoint`` (or derived from ``MarketStream/Options/endpoint``).
    func snapshotURL(_ instrument: Instrument) -> HTTPURL? {
        guard let template = stream.configuration.book.snapshotURL, let native = natives[instrument],
              let planned = HTTPURL(template.replacing("{symbol}", with: native)) else { return nil }
        guard let base = stream.options.effectiveRESTEndpoint.flatMap(HTTPURL.init) else { return planned }
        return HTTPURL("\(base.secure ? "https" : "http")://\(base.host):\(base.port)\(planned.path)")
    }

    private func fetch(_ instrument: Instrument) {
        guard fetching[instrument] == nil, let service = stream.service else { return }
        guard let url = snapshotURL(instrument) else {
            stream.report(.exchangeError("no REST snapshot URL for \(instrument) (spec book.snapshotURL)"), connection: "")
            return
        }
        fetching[instrument] = service.get(url, tls: stream.options.tls) { [self] result in
            fetching[instrument] = nil
            received(result, instrument, url)
        }
    }

    private func received(_ result: Result<HTTPResponse, HTTPRequestError>, _ instrument: Instrument, _ url: HTTPURL) {
        let failure: String
        switch result {
        case .success(let response) where response.status == 200:
            do {
                let snapshot = try response.body.withUnsafeBytes { body throws(FrameFailure) in
                    try RESTBookSnapshot.binanceDepth(body, exchange: stream.exchange, instrument: instrument, receiveTime: .now())
                }
                execute(keeper.receiveSnapshot(snapshot), instrument, connection: nil, time: snapshot)
                return
            } catch {
                failure = "REST snapshot \(url): \(error)"
            }
        case .success(let response):
            failure = "REST snapshot \(url): HTTP \(response.status)"
        case .failure(let error):
            failure = "REST snapshot \(error)"
        }
        stream.report(.exchangeError(failure), connection: "")
        retryAt[instrument] = StreamConnection.monotonicNow() + 1_000_000_000
    }
}
