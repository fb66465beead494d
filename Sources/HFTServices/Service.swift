public import HFTCore
public import HFTIPC

/// A service: the unit business logic is written in (the original `ServiceBase`), configured by a
/// `service.<name>` entry and run by ``ServiceRuntime`` (`hft run config.json`).
///
/// A service is an actor whose executor is its own ``ServiceExecutor`` thread. Every callback (market data, stream
/// health, timers, commands, lifecycle) runs there, one at a time, so its state needs no locks and no `@unchecked`:
///
/// ```swift
/// actor MMDemoService: Service {
///     let context: ServiceContext
///     var lastBid: ExactDecimal?
///     init(context: ServiceContext) { self.context = context }
///
///     func onSetup() -> Bool {
///         every(.seconds(1)) { $0.report() }
///         onCommand("status") { service, command in try service.ipcCommand.reply(to: command, payload: ["bid": "\(service.lastBid!)"]) }
///         return true
///     }
///     func onTicker(_ ticker: Ticker) { lastBid = ticker.bidPrice }
///     func report() { context.logger.info("bid \(lastBid.map { "\($0)" } ?? "-")") }
/// }
/// ```
///
/// Register the type with the runtime (`HFTApp.main(services: [MMDemoService.self])`) and name it in the
/// configuration (`"class_name": "MMDemoService"`). Callbacks have empty defaults; implement those you need.
/// Streams push into the service's queues and never wait for it: a slow callback delays only this service (tickers
/// conflate, other events are dropped and reported through ``onStreamHealth(_:)`` when its queues fill up).
///
/// Lifecycle: `init(context:)` (nonisolated; throw ``ConfigurationError`` for bad settings) → ``onSetup()`` (false
/// stops the process with an error) → streams start and command subscriptions connect → ``onStart()`` → callbacks …
/// → on SIGINT/SIGTERM: streams stop, queued events are still delivered → ``onStop()`` → command system closed.
public protocol Service: Actor {
    /// What the runtime made for this service: name, settings, executor, command system, logger.
    nonisolated var context: ServiceContext { get }

    /// Makes the service (nonisolated: store the context, read settings). Throw ``ConfigurationError`` for invalid
    /// settings, naming the key paths (`context.settings.path`).
    init(context: ServiceContext) throws

    /// The name configurations use in `class_name` (default: the type's name).
    static var className: String { get }
    /// Keys of `setting` this service reads besides the common ones (others are warned about as unknown).
    static var settingKeys: Set<String> { get }

    /// Before anything starts: register timers and command handlers. Return false to refuse to start.
    func onSetup() -> Bool
    /// Streams are started and the command subscriptions are live.
    func onStart()
    /// The process is stopping: streams are stopped and their queued events delivered. Timers no longer fire after.
    func onStop()

    func onTicker(_ ticker: Ticker)
    func onTrade(_ trade: Trade)
    func onBook(_ book: BookUpdate)
    /// The maintained book's top levels after an update, with its validity (streams with `book_depth`); an invalid,
    /// empty view when the book lost sync (a resync follows: see ``onStreamHealth(_:)``).
    func onBookTop(_ view: BookTop)
    func onCandle(_ candle: Candle)
    /// Events of other kinds (funding, …).
    func onOtherEvent(_ event: MarketEvent)
    func onMyOrder(_ order: MyOrder)
    func onMyTrade(_ trade: MyTrade)
    /// Order updates that arrived together (one queue pass); the default calls ``onMyOrder(_:)`` for each.
    func onMyOrderBatch(_ orders: [MyOrder])
    /// Connection and queue health of the service's streams (connected, stale, gap, overflow, …).
    func onStreamHealth(_ event: HealthEvent)
}

extension Service {
    public static var className: String { String(describing: Self.self) }
    public static var settingKeys: Set<String> { [] }

    public func onSetup() -> Bool { true }
    public func onStart() {}
    public func onStop() {}
    public func onTicker(_ ticker: Ticker) {}
    public func onTrade(_ trade: Trade) {}
    public func onBook(_ book: BookUpdate) {}
    public func onBookTop(_ view: BookTop) {}
    public func onCandle(_ candle: Candle) {}
    public func onOtherEvent(_ event: MarketEvent) {}
    public func onMyOrder(_ order: MyOrder) {}
    public func onMyTrade(_ trade: MyTrade) {}
    public func onMyOrderBatch(_ orders: [MyOrder]) {
        for order in orders { onMyOrder(order) }
    }
    public func onStreamHealth(_ event: HealthEvent) {}

    /// The service actor runs on its own thread.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        context.executor.asUnownedSerialExecutor()
    }

    /// The command system, started by the runtime (process id: `ipc_command_publisher`, else the service's name).
    public nonisolated var ipcCommand: IPCCommandSystem { context.ipcCommand }

    /// Runs `action` on the service every `interval` (first after one interval) until the handle is cancelled or
    /// the service stops. `action` gets the isolated service: `every(.seconds(1)) { $0.sendPing() }`.
    @discardableResult
    public nonisolated func every(_ interval: Duration, _ action: @escaping @Sendable (isolated Self) -> Void) -> TimerHandle {
        context.executor.schedule(after: interval, repeating: interval) { [self] in
            self.assumeIsolated { action($0) }
        }
    }

    /// Runs `action` on the service once, after `delay`.
    @discardableResult
    public nonisolated func runOnce(after delay: Duration, _ action: @escaping @Sendable (isolated Self) -> Void) -> TimerHandle {
        context.executor.schedule(after: delay, repeating: nil) { [self] in
            self.assumeIsolated { action($0) }
        }
    }

    /// Handles commands of `type` addressed to this service's process, on the service (one at a time, in arrival
    /// order). A thrown error is logged and counted by the command system.
    public nonisolated func onCommand(_ type: String, _ handler: @escaping @Sendable (isolated Self, IPCCommand) async throws -> Void) {
        context.ipcCommand.registerHandler(type: type) { [self] command in
            try await handler(self, command)
        }
    }
}
