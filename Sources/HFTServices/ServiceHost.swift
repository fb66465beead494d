import HFTCore
public import HFTStream

/// A service that wants its streams' raw traffic (the built-in recorder): the runtime sets the returned tap as the
/// stream's ``MarketStream/Options/rawFrameTap``. Called once per `streams` entry before the streams start.
public protocol RawTrafficObserving: Service {
    nonisolated func rawFrameTap(for setting: StreamSetting, index: Int) -> (any RawFrameTap)?
}

/// Delivers stream events to one service, on the service's executor thread (the executor drains the bindings of
/// this observer itself: ``StreamObserver/drainer``), and drives the service's lifecycle callbacks.
///
/// Threading: `onEvent`/`onHealth` run on the executor thread only (the executor is the binding's drainer), so
/// `pendingOrders` is touched by that thread alone; the other methods hop onto the service actor.
final class ServiceHost<S: Service>: AnyServiceHost, StreamObserver, @unchecked Sendable {
    let service: S
    private var pendingOrders: [MyOrder] = []

    init(service: S) {
        self.service = service
        super.init(context: service.context, className: S.className)
    }

    var drainer: (any ObserverDrainer)? { context.executor }

    override var observer: any StreamObserver { self }

    override func installHooks() async {
        context.executor.addAfterDrain { [self] in flushOrders() }
    }

    func onEvent(_ event: MarketEvent) {
        service.assumeIsolated { service in
            if case .myOrder(let order) = event {
                pendingOrders.append(order)
                return
            }
            if !pendingOrders.isEmpty { flushOrders(service) }
            switch event {
            case .ticker(let e): service.onTicker(e)
            case .trade(let e): service.onTrade(e)
            case .book(let e): service.onBook(e)
            case .bookTop(let e): service.onBookTop(e)
            case .candle(let e): service.onCandle(e)
            case .myTrade(let e): service.onMyTrade(e)
            case .myOrder: break
            default: service.onOtherEvent(event)
            }
        }
    }

    func onHealth(_ event: HealthEvent) {
        service.assumeIsolated { $0.onStreamHealth(event) }
    }

    private func flushOrders() {
        guard !pendingOrders.isEmpty else { return }
        service.assumeIsolated { flushOrders($0) }
    }

    private func flushOrders(_ service: isolated S) {
        let orders = pendingOrders
        pendingOrders.removeAll(keepingCapacity: true)
        service.onMyOrderBatch(orders)
    }

    override var anyService: any Service { service }

    override func rawFrameTap(for setting: StreamSetting, index: Int) -> (any RawFrameTap)? {
        (service as? any RawTrafficObserving)?.rawFrameTap(for: setting, index: index)
    }

    override func drainAndStop() async {
        await service.runIsolated { [self] service in
            context.executor.drainAll()
            flushOrders(service)
            service.onStop()
        }
    }

    override func setup() async -> Bool { await service.runIsolated { $0.onSetup() } }
    override func start() async { await service.runIsolated { $0.onStart() } }
}

extension Service {
    /// Runs `body` on the service (hopping onto its executor).
    func runIsolated<T: Sendable>(_ body: @Sendable (isolated Self) -> T) -> T { body(self) }
}

/// The type-erased side of ``ServiceHost`` the runtime holds.
class AnyServiceHost: @unchecked Sendable {
    let context: ServiceContext
    let className: String
    init(context: ServiceContext, className: String) {
        self.context = context
        self.className = className
    }
    var observer: any StreamObserver { fatalError("abstract") }
    var anyService: any Service { fatalError("abstract") }
    func rawFrameTap(for setting: StreamSetting, index: Int) -> (any RawFrameTap)? { nil }
    func installHooks() async {}
    func setup() async -> Bool { true }
    func start() async {}
    /// Delivers what stopped streams queued, then runs `onStop`.
    func drainAndStop() async {}
}
