import Dispatch
import Foundation
public import HFTCore
import Synchronization

/// Receives a stream's events. Both methods are called on the observer's own consumer thread (one thread per
/// bound observer, never the service thread), one call at a time: the observer needs no locks of its own.
public protocol StreamObserver: AnyObject, Sendable {
    func onEvent(_ event: MarketEvent)
    func onHealth(_ event: HealthEvent)
    /// Who drains this observer's queues: nil (the default) gives every binding its own consumer thread; a drainer
    /// (a service's executor) drains the bindings of all its observers on its one thread instead.
    var drainer: (any ObserverDrainer)? { get }
}

extension StreamObserver {
    public var drainer: (any ObserverDrainer)? { nil }
}

/// Drains the queues of several ``ObserverBinding``s on one thread of its own (HFTServices' service executor), so
/// that the callbacks of every stream an owner observes run on that one thread, with no hop in between.
///
/// Protocol: the drainer calls ``ObserverBinding/drain(max:)`` on its thread until nothing is left, then
/// ``ObserverBinding/prepareToSleep()`` on every binding; when that returns false (events arrived meanwhile) it
/// drains again, otherwise it sleeps until ``wake()``.
public protocol ObserverDrainer: AnyObject, Sendable {
    /// A binding of one of the drainer's observers was made (any thread; before the stream starts).
    func adopt(_ binding: ObserverBinding)
    /// Events arrived for a binding whose drainer announced it sleeps (producer thread: cheap, never blocks).
    func wake()
}

/// The queues of one observer (one per channel, plus health) and its consumer thread.
///
/// The service thread pushes (never blocks); the consumer thread drains every queue in turn and calls the
/// observer, then sleeps when all are empty. Wake-ups are batched: the producer signals only when the consumer
/// has announced that it is going to sleep.
/// Tickers conflate to the latest per instrument when their queue is full; trades, books and candles are dropped
/// and counted, and the drop is reported as a ``HealthEvent/Kind/overflow(channel:dropped:)`` health event: at
/// once for the first drop, then at every power of two, and with the exact total once the consumer has caught up.
public final class ObserverBinding: @unchecked Sendable {
    public let observer: any StreamObserver
    let exchange: ExchangeID
    private let queues: [EventQueue]  // ticker, trade, l2_book, candles, other
    private let healthEvents = Mutex<[HealthEvent]>([])
    private let sleeping = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    private let done = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private var dropped: [Int] = [0, 0, 0, 0, 0]  // service thread
    /// Set when an ``ObserverDrainer`` drains this binding instead of a consumer thread.
    private let drainer: (any ObserverDrainer)?
    /// The largest drop count reported per queue (both threads; touched only when reporting, which is rare).
    private let reportedDrops = Mutex<[Int]>([0, 0, 0, 0, 0])

    /// What this observer gets of the l2_book channel.
    public let book: BookFeed
    /// Instruments whose book events this observer's queue dropped, not yet followed by a complete view
    /// (a snapshot or a valid ``BookTop``) (service thread).
    private var staleBooks: Set<Instrument> = []

    package init(observer: any StreamObserver, capacity: Int, exchange: ExchangeID, book: BookFeed = .updates) {
        self.observer = observer
        self.exchange = exchange
        self.drainer = observer.drainer
        self.book = book
        queues = [
            EventQueue(capacity: capacity, policy: .conflateBySymbol),
            EventQueue(capacity: capacity, policy: .dropNewest),
            EventQueue(capacity: capacity, policy: .dropNewest),
            EventQueue(capacity: capacity, policy: .dropNewest),
            EventQueue(capacity: capacity, policy: .dropNewest),
        ]
        drainer?.adopt(self)
    }

    /// Each channel's queue, for its depth, high-water mark and drop counters.
    public var queuesByChannel: [(channel: Channel, queue: EventQueue)] {
        zip(Self.channels, queues).map { ($0, $1) }
    }

    /// The channel of each queue, in ``slot(_:)`` order.
    static let channels = [Channel.ticker, .trade, .l2Book, .candles, Channel(rawValue: "other")]

    static func slot(_ event: MarketEvent) -> Int {
        switch event {
        case .ticker: return 0
        case .trade: return 1
        case .book, .bookTop: return 2
        case .candle: return 3
        default: return 4
        }
    }

    /// Service thread. With `wake` false the consumer is not woken now: the caller calls ``wakeIfSleeping()``
    /// once for a whole service round (one futex wake per socket read instead of one per event).
    package func push(_ event: MarketEvent, wake: Bool = true) {
        let slot = Self.slot(event)
        if queues[slot].push(event) == .dropped {
            if slot == 2 { bookDropped(event.instrument) }
            dropped[slot] += 1
            if isReportedCount(dropped[slot]) {
                let count = dropped[slot]
                reportedDrops.withLock { $0[slot] = max($0[slot], count) }
                let kind = HealthEvent.Kind.overflow(channel: Self.channels[slot], dropped: count)
                push(health: HealthEvent(exchange: exchange, connection: "", kind: kind, time: Timestamp.now()))
            }
        } else if slot == 2, !staleBooks.isEmpty {
            bookDelivered(event)
        }
        if wake { wakeConsumer() }
    }

    /// This observer lost book events of `instrument`: its view is stale (the stream's own book is not: it is
    /// kept before the queues). Reported once, until a complete view reaches the queue.
    private func bookDropped(_ instrument: Instrument) {
        guard staleBooks.insert(instrument).inserted else { return }
        let reason = "overflow: this observer's queue dropped book events; its view is stale until the next snapshot or valid book view"
        push(health: HealthEvent(exchange: exchange, connection: "", kind: .bookInvalid(instrument: instrument, reason: reason), time: Timestamp.now()))
    }

    private func bookDelivered(_ event: MarketEvent) {
        let complete: Bool
        switch event {
        case .book(let update): complete = update.kind == .snapshot
        case .bookTop(let view): complete = view.isValid
        default: complete = false
        }
        guard complete, staleBooks.remove(event.instrument) != nil else { return }
        push(health: HealthEvent(exchange: exchange, connection: "", kind: .bookResynced(instrument: event.instrument), time: Timestamp.now()))
    }

    /// Wakes the consumer if it sleeps (service thread, after pushes with `wake: false`).
    package func wakeIfSleeping() { wakeConsumer() }

    /// Any thread (health events are rare: a locked array, never dropped).
    package func push(health event: HealthEvent) {
        healthEvents.withLock { $0.append(event) }
        wakeConsumer()
    }

    @inline(__always)
    private func wakeConsumer() {
        // Sequentially consistent on both sides (push, then read the flag; set the flag, then re-read the queues):
        // with weaker orderings the two reads may both miss the other side's write.
        if sleeping.load(ordering: .sequentiallyConsistent), sleeping.exchange(false, ordering: .sequentiallyConsistent) {
            if let drainer { drainer.wake() } else { wake.signal() }
        }
    }

    package func start() {
        guard drainer == nil else { return }
        let thread = Thread { [self] in consume() }
        thread.name = "observer"
        thread.start()
    }

    /// Stops the consumer after it delivered what is queued (any thread but the consumer's).
    package func finish() {
        if drainer != nil {
            // The drainer delivers what is left on its next pass.
            done.store(true, ordering: .releasing)
            drainer?.wake()
            return
        }
        done.store(true, ordering: .releasing)
        sleeping.store(false, ordering: .releasing)
        wake.signal()
        finished.wait()
    }

    private func consume() {
        while true {
            if drainOnce() { continue }
            if reportDropTotals() { continue }
            if done.load(ordering: .acquiring) {
                _ = drainOnce()
                break
            }
            sleeping.store(true, ordering: .sequentiallyConsistent)
            // Re-check after announcing sleep: an event pushed in between is not missed.
            if drainOnce() {
                sleeping.store(false, ordering: .releasing)
                continue
            }
            if done.load(ordering: .acquiring) { continue }
            _ = wake.wait(timeout: .now() + .milliseconds(50))
            sleeping.store(false, ordering: .releasing)
        }
        finished.signal()
    }

    /// Consumer thread, caught up: reports the total of drops not reported yet (the producer reports only the first
    /// and every power of two, so that a burst cannot flood), so the observer learns exactly what it lost. True
    /// when it queued a health event.
    private func reportDropTotals() -> Bool {
        var any = false
        for (slot, queue) in queues.enumerated() {
            let total = queue.statistics.dropped
            guard total > 0 else { continue }
            let unreported = reportedDrops.withLock { reported -> Bool in
                guard total > reported[slot] else { return false }
                reported[slot] = total
                return true
            }
            if unreported {
                let kind = HealthEvent.Kind.overflow(channel: Self.channels[slot], dropped: total)
                push(health: HealthEvent(exchange: exchange, connection: "", kind: kind, time: Timestamp.now()))
                any = true
            }
        }
        return any
    }

    // MARK: drained by an ObserverDrainer

    /// Drainer thread: delivers what is queued (up to about `max` events per channel) and reports drop totals once
    /// caught up. True when it delivered anything (call again).
    public func drain() -> Bool {
        if drainOnce() { return true }
        return reportDropTotals()
    }

    /// Drainer thread, about to sleep: announces it, then re-checks. False when events arrived in between (drain
    /// again; the announcement is withdrawn), true when ``ObserverDrainer/wake()`` will be called for the next event.
    public func prepareToSleep() -> Bool {
        sleeping.store(true, ordering: .sequentiallyConsistent)
        let empty = queues.allSatisfy { !$0.hasEventsForConsumer() } && healthEvents.withLock { $0.isEmpty }
        if !empty { sleeping.store(false, ordering: .releasing) }
        return empty
    }

    /// The stream stopped this binding (``MarketStream/stop()``): after a last ``drain()`` nothing more arrives.
    public var isFinished: Bool { done.load(ordering: .acquiring) }

    /// Delivers what is queued now; true when anything was delivered.
    private func drainOnce() -> Bool {
        var any = false
        let pending = healthEvents.withLock { events -> [HealthEvent] in
            defer { events.removeAll() }
            return events
        }
        for event in pending {
            observer.onHealth(event)
            any = true
        }
        for queue in queues {
            var n = 0
            while n < 256, let event = queue.pop() {
                observer.onEvent(event)
                n += 1
                any = true
            }
        }
        return any
    }
}
