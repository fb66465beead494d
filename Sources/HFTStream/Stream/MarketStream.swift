public import HFTAdapters
public import HFTCore
import HFTExchanges
public import HFTWebSocket
import Dispatch
import Logging
public import HFTBook
import Synchronization

/// Receives a stream's raw traffic (``MarketStream/Options/rawFrameTap``), on the stream's service thread. The
/// buffers are valid only during the call.
public protocol RawFrameTap: AnyObject, Sendable {
    /// A connection attempt of `connection` (the plan's name, `public#1`) to `url`.
    func connecting(connection: String, url: String, time: Timestamp)
    /// A text frame sent (subscriptions, pings written as text).
    func sent(connection: String, text: String, time: Timestamp)
    /// A frame received, before it is parsed.
    func received(connection: String, frame: UnsafeRawBufferPointer, binary: Bool, time: Timestamp)
}

/// A live market-data stream of one exchange: the Swift form of the original `StreamBase`.
///
/// Made from the exchange catalog (every spec in `specs/`), the instruments and the channels. `start()` opens the
/// connections the adapter plans (one per channel group and shard) on a libwebsockets service thread owned by the
/// stream; frames are parsed in place there and every event is pushed into the queues of every bound observer.
/// Connections heartbeat, detect stale feeds, reconnect with the exchange's backoff and resubscribe; everything
/// that happens to them reaches observers as ``HealthEvent``s.
///
/// Threading: `bind`, `start` and `stop` may be called from any thread (`bind` before `start`). Observers are
/// called on their own consumer threads, never on the service thread, so a slow observer cannot delay receiving.
public final class MarketStream: @unchecked Sendable {
    public struct Options: Sendable {
        /// Replace scheme, host and port of every planned URL (`ws://127.0.0.1:9000` for the simulator); the
        /// planned path and query are kept.
        public var endpoint: String?
        public var tls: TLSVerification = .full
        /// Capacity of each observer queue (events).
        public var queueCapacity = 65_536
        /// Overrides the spec's stale-feed timeout (seconds).
        public var staleAfterSeconds: Double?
        /// Overrides the spec's maximum connection lifetime (seconds): a connection that reaches it is replaced by
        /// a new one, opened first, which takes over at its first frame (planned reconnect).
        public var maxLifetimeSeconds: Double?
        /// Overrides the spec's reconnect backoff (tests use short delays).
        public var reconnect: ReconnectConfiguration?
        /// Messages larger than this close their connection (reported as `disconnected`), which then reconnects.
        public var maxMessageBytes = 16 << 20
        /// Overrides the spec's `permessageDeflate` for every connection (nil: offer compression where the spec
        /// asks for it).
        public var permessageDeflate: Bool?
        /// Sees every connection attempt, sent frame and received frame as on the wire (HFTServices' recorder
        /// writes them as a capture). Called on the service thread, before parsing: it must copy what it keeps
        /// and return quickly. Nil (the default) costs nothing.
        public var rawFrameTap: (any RawFrameTap)?
        /// Replaces scheme, host and port of the spec's REST snapshot URL (`book.snapshotURL`, REST sync recipes);
        /// the path and query are kept. Nil: `http://host:port` of ``endpoint`` when that is set (`https://` for a
        /// `wss://` endpoint: the simulator serves its REST snapshots on the same port), else the spec's URL.
        public var restEndpoint: String?
        public init() {}

        /// The REST endpoint in effect: ``restEndpoint``, else one derived from ``endpoint``.
        public var effectiveRESTEndpoint: String? {
            if let restEndpoint { return restEndpoint }
            guard let endpoint, let url = WebSocketURL(endpoint) else { return nil }
            return "\(url.secure ? "https" : "http")://\(url.host):\(url.port)"
        }
    }

    public let exchange: ExchangeID
    public let adapter: any ExchangeAdapter
    /// The spec's configuration (endpoints, heartbeat, reconnect, book rules).
    public let configuration: AdapterConfiguration
    public let plans: [ConnectionPlan]
    public let options: Options
    let logger: Logger
    /// Set by `start()` before the service thread runs any work of this stream; read by the service thread and
    /// by `stop()` (both after `start()` under `lifecycle`).
    private(set) var service: WebSocketService?
    /// Service-thread state.
    var backoff: ReconnectBackoff
    private var connections: [StreamConnection] = []
    private let bindings = Mutex<[ObserverBinding]>([])
    private var frozenBindings: [ObserverBinding] = []
    /// The books, when l2_book is subscribed (service thread).
    private var books: StreamBooks?
    /// Events were pushed in this service round (service thread).
    private var delivered = false
    private let lifecycle = Mutex<Int>(0)  // 0 new, 1 started, 2 stopped

    /// - Throws: ``HFTError`` when the exchange has no spec, an instrument has no symbol there, or the endpoint
    ///   override is not a WebSocket URL.
    public init(exchange: ExchangeID, instruments: [Instrument], channels: [Channel], options: Options = Options()) throws(HFTError) {
        guard let descriptor = ExchangeCatalog.descriptor(for: exchange) else {
            throw HFTError(.configuration, "no spec for exchange '\(exchange.rawValue)'", context: ErrorContext(exchange: exchange))
        }
        let adapter = try descriptor.adapter.init(instruments: instruments)
        self.exchange = exchange
        self.adapter = adapter
        self.configuration = descriptor.adapter.configuration
        self.plans = adapter.connectionPlans(channels: channels)
        self.options = options
        self.backoff = ReconnectBackoff(options.reconnect ?? descriptor.adapter.configuration.reconnect, seed: UInt64(truncatingIfNeeded: exchange.rawValue.hashValue))
        var logger = Logger(label: "hftkit.stream")
        logger[metadataKey: "exchange"] = "\(exchange.rawValue)"
        self.logger = logger
        if let endpoint = options.endpoint, WebSocketURL(endpoint) == nil {
            throw HFTError(.configuration, "endpoint '\(endpoint)' is not a ws:// or wss:// URL", context: ErrorContext(exchange: exchange))
        }
    }

    /// Binds an observer: it receives every event and health event from now on, through its own queues of
    /// `queueCapacity` events per channel (default: ``Options/queueCapacity``). `book` chooses what it gets of the
    /// l2_book channel: the messages as received (default), and/or the maintained book's top N levels with its
    /// validity after each update (``BookFeed``).
    @discardableResult
    public func bind(_ observer: any StreamObserver, queueCapacity: Int? = nil, book: BookFeed = .updates) -> ObserverBinding {
        let binding = ObserverBinding(observer: observer, capacity: queueCapacity ?? options.queueCapacity, exchange: exchange,
                                      book: book)
        bindings.withLock { $0.append(binding) }
        return binding
    }

    /// Opens the connections. - Throws: ``HFTError`` when the service thread cannot start.
    public func start() throws(HFTError) {
        let first = lifecycle.withLock { state -> Bool in
            guard state == 0 else { return false }
            state = 1
            return true
        }
        guard first else { return }
        let service: WebSocketService
        do {
            var serviceOptions = WebSocketService.Options(name: exchange.rawValue)
            serviceOptions.maxMessageBytes = options.maxMessageBytes
            // OpenSSL (and the CA store) only when some connection needs it.
            serviceOptions.tls = plans.contains { Self.url($0.url, endpoint: options.endpoint)?.secure ?? true }
            service = try WebSocketService(options: serviceOptions)
        } catch {
            throw HFTError(.connection, "cannot start the WebSocket service: \(error)", context: ErrorContext(exchange: exchange))
        }
        lifecycle.withLock { _ in self.service = service }
        let all = bindings.withLock { $0 }
        for binding in all { binding.start() }
        service.execute { [self] service in
            frozenBindings = all
            if plans.contains(where: { $0.channels.contains(.l2Book) }) { books = StreamBooks(stream: self, bindings: all) }
            service.onTick = { [self] _ in
                for c in connections { c.tick() }
                books?.tick(now: StreamConnection.monotonicNow())
            }
            service.onServiced = { [self] _ in wakeObservers() }
            for plan in plans { open(plan, replacing: nil) }
        }
    }

    /// Closes every connection, stops the service thread and the observers' consumers (after they drained).
    public func stop() {
        let running = lifecycle.withLock { state -> Bool in
            defer { state = 2 }
            return state == 1
        }
        guard running, let service = lifecycle.withLock({ _ in self.service }) else { return }
        service.execute { [self] _ in
            books?.stop()
            for c in connections { c.stop() }
        }
        service.shutdown()
        for binding in bindings.withLock({ $0 }) { binding.finish() }
    }

    // MARK: service thread

    private func open(_ plan: ConnectionPlan, replacing old: StreamConnection?) {
        guard let url = Self.url(plan.url, endpoint: options.endpoint) else {
            report(.disconnected(reason: "bad URL \(plan.url)"), connection: plan.name)
            return
        }
        let heartbeat = configuration.heartbeat
        var settings = ConnectionMachine.Settings(
            staleAfter: Int64(((options.staleAfterSeconds ?? heartbeat.staleAfterSeconds) * 1e9).rounded()),
            pingInterval: heartbeat.intervalSeconds.map { Int64(($0 * 1e9).rounded()) })
        if let lifetime = options.maxLifetimeSeconds {
            settings.maxLifetime = Int64((lifetime * 1e9).rounded())
        } else if let lifetime = configuration.connections.first(where: { plan.name.hasPrefix($0.name) })?.maxLifetimeSeconds {
            settings.maxLifetime = Int64(lifetime) * 1_000_000_000
        }
        let connection = StreamConnection(stream: self, plan: plan, url: url, settings: settings)
        connection.predecessor = old
        connections.append(connection)
        connection.start()
    }

    /// Planned reconnect: a new connection for the same plan; it retires `old` when its first frame arrives.
    func replace(_ old: StreamConnection) {
        open(old.plan, replacing: old)
    }

    /// A replaced connection is done: it gets no more ticks.
    func forget(_ connection: StreamConnection) {
        connections.removeAll { $0 === connection }
    }

    /// Events of one service round are pushed without waking the observers; ``wakeObservers()`` wakes them once
    /// at the end of the round. Book messages go through the books first (``StreamBooks``).
    func deliver(_ event: MarketEvent, from connection: StreamConnection) {
        if case .book(let update) = event, let books {
            books.receive(update, from: connection)
        } else {
            for binding in frozenBindings { binding.push(event, wake: false) }
        }
        delivered = true
    }

    /// True when no observer keeps the book events delivered (the books apply them and no binding asked for raw
    /// updates), so that a connection's batch may reuse their level arrays (`EventBatch.removeAll(keepingLevels:)`).
    /// While a book waits for its REST snapshot it holds deltas back (`BookSync`): reusing one of their arrays
    /// then allocates a new one, as reading without reuse would, until the book is in sync.
    var bookEventsComeBack: Bool { books.map { !$0.passesUpdatesOn } ?? false }

    /// Events were pushed outside ``deliver(_:from:)`` (book views after a REST snapshot): wake at round end.
    func markDelivered() { delivered = true }

    /// The stream's books (l2_book subscribed): a copy of each instrument's book and whether it is valid, taken on
    /// the service thread. For tools and tests, not a hot path (it waits for the service thread). Any thread but
    /// the service thread; empty before `start()` and after `stop()`.
    public func bookStates() -> [Instrument: (book: OrderBook, isValid: Bool)] {
        guard let service = lifecycle.withLock({ state in state == 1 ? self.service : nil }) else { return [:] }
        let result = Mutex<[Instrument: (book: OrderBook, isValid: Bool)]>([:])
        let done = DispatchSemaphore(value: 0)
        service.execute { [self] _ in
            let states = books?.states ?? [:]
            result.withLock { $0 = states }
            done.signal()
        }
        guard done.wait(timeout: .now() + 30) == .success else { return [:] }
        return result.withLock { $0 }
    }

    private func wakeObservers() {
        guard delivered else { return }
        delivered = false
        for binding in frozenBindings { binding.wakeIfSleeping() }
    }

    func report(_ kind: HealthEvent.Kind, connection: String) {
        let event = HealthEvent(exchange: exchange, connection: connection, kind: kind, time: Timestamp.now())
        logger.info("\(event)")
        for binding in frozenBindings { binding.push(health: event) }
    }

    /// `planned` with scheme, host and port taken from `endpoint`.
    static func url(_ planned: String, endpoint: String?) -> WebSocketURL? {
        guard let plannedURL = WebSocketURL(planned) else { return nil }
        guard let endpoint, let base = WebSocketURL(endpoint) else { return plannedURL }
        let scheme = base.secure ? "wss" : "ws"
        return WebSocketURL("\(scheme)://\(base.host):\(base.port)\(plannedURL.path)")
    }
}
