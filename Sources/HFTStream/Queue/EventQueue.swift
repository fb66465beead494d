import Atomics
public import HFTCore
import Synchronization

/// The queue through which a stream hands events to one observer: bounded, single producer, single consumer,
/// lock-free on its normal path, with an overflow policy and batched wake-ups.
///
/// A stream keeps one queue per bound observer and channel. The producer is the stream's service thread: it
/// parses frames and calls ``push(_:)`` for every event, which never blocks, never suspends and, once the queue
/// exists, never allocates (the ring is preallocated). The consumer is the observer, on its own executor:
///
/// - an async task: `for await event in queue { … }`, or ``next(isolation:)``;
/// - a dedicated thread: ``waitForEvents(timeout:)``, then ``drain(into:max:)`` or ``pop()``.
///
/// When the consumer is behind and the ring is full, ``policy`` decides (``OverflowPolicy``): drop the new event
/// and say so, or keep the latest ticker of each instrument aside. ``statistics`` can be read at any time.
///
/// The consumer parks only when the queue is empty, after announcing it with an atomic flag; the producer reads
/// that flag after each push and wakes the consumer only when it is set, so a busy consumer costs the producer
/// one load per event and one wake-up per batch, not per event.
///
/// ## Thread and ownership rules
/// The class is `@unchecked Sendable` because its confinement is by role, which the compiler cannot check:
/// - **Producer** (one thread at a time, normally the service thread for the queue's whole life): ``push(_:)``.
///   Two threads pushing concurrently corrupt the queue.
/// - **Consumer** (one task or thread at a time): ``pop()``, ``drain(into:max:)``, ``next(isolation:)``, iteration
///   and ``waitForEvents(timeout:)``. Use one iterator only. Handing the consumer role to another thread or task is
///   allowed when the hand-over itself synchronizes (a task that awaits another, a joined thread).
/// - **Any thread**: ``close()``, ``statistics``, ``isClosed``, ``capacity``, ``policy``.
///
/// Events are moved into the ring and out of it: the queue owns an event from a successful push until the
/// consumer takes it; events still inside when the queue is released are destroyed with it.
public final class EventQueue: @unchecked Sendable {
    /// How many events the ring holds: the requested capacity rounded up to a power of two.
    public let capacity: Int
    /// What happens when the ring is full.
    public let policy: OverflowPolicy

    let mask: Int
    /// `capacity` slots; initialized exactly in `[head, tail)`.
    let slots: UnsafeMutablePointer<MarketEvent>
    let counters: QueueCounters
    /// The conflation side path (``OverflowPolicy/conflateBySymbol`` only); uncontended in practice.
    let overflow: Mutex<ConflationBuffer>
    let parker = ThreadParker()

    // Consumer-confined state.

    /// The parked async consumer; written by the consumer before it sets `waiter` to `.task`, taken by whoever
    /// clears `waiter` from `.task`.
    var continuation: UnsafeContinuation<Void, Never>?
    /// Conflated events taken from the side path, delivered before anything newer in the ring.
    var batch: [MarketEvent] = []
    var batchIndex = 0

    /// A queue of at least `capacity` events (rounded up to a power of two; at least 2).
    ///
    /// - Parameters:
    ///   - capacity: how many events may wait for the consumer; a burst larger than this overflows.
    ///   - policy: what to do with events that do not fit.
    ///   - expectedInstruments: instruments the conflation side path reserves room for
    ///     (``OverflowPolicy/conflateBySymbol`` only; more are accepted, at the cost of an allocation).
    public init(capacity: Int = 4096, policy: OverflowPolicy = .dropNewest, expectedInstruments: Int = 64) {
        precondition(capacity >= 1 && capacity <= 1 << 30, "EventQueue capacity must be in 1...2^30, not \(capacity)")
        var size = 2
        while size < capacity { size <<= 1 }
        self.capacity = size
        self.policy = policy
        mask = size - 1
        slots = .allocate(capacity: size)
        counters = QueueCounters()
        let reserved = policy == .conflateBySymbol ? Swift.max(1, expectedInstruments) : 0
        overflow = Mutex(ConflationBuffer(reservingCapacity: reserved))
        batch.reserveCapacity(reserved)
    }

    deinit {
        let head = counters.head.load(ordering: .relaxed)
        let tail = counters.tail.load(ordering: .relaxed)
        for index in head..<tail {
            (slots + (index & mask)).deinitialize(count: 1)
        }
        slots.deallocate()
        counters.deallocate()
        parker.destroy()
    }

    // MARK: Producer

    /// Offers `event` to the consumer. Producer only; never blocks, never suspends, does not allocate (a
    /// conflating queue may allocate when a new instrument first overflows beyond `expectedInstruments`).
    ///
    /// Wakes the consumer when it is parked. Every result but ``PushResult/enqueued`` means the consumer will not
    /// see this event (``PushResult/dropped``, ``PushResult/closed``) or will not see an older one
    /// (``PushResult/conflated``): the producer reports drops, for books by resynchronizing.
    @discardableResult
    public func push(_ event: consuming MarketEvent) -> PushResult {
        let counters = counters
        if counters.closed.load(ordering: .relaxed) != 0 { return .closed }
        counters.bump(counters.pushed)
        let tail = counters.tail.load(ordering: .relaxed)
        if counters.overflowActive.load(ordering: .relaxed) == 0, hasRoom(at: tail) {
            (slots + (tail & mask)).initialize(to: event)
            // Sequentially consistent, with the load of `waiter` below: the consumer stores `waiter` then loads
            // `tail`, so at least one of the two sides sees the other's store (no lost wake-up).
            counters.tail.store(tail &+ 1, ordering: .sequentiallyConsistent)
            if counters.waiter.load(ordering: .sequentiallyConsistent) != 0 { wakeConsumer() }
            return .enqueued
        }
        let result = pushOnOverflow(event, tail: tail)
        if counters.waiter.load(ordering: .sequentiallyConsistent) != 0 { wakeConsumer() }
        return result
    }

    /// True when slot `tail` is free. Reads the consumer's `head` only when the cached copy says full.
    @inline(__always)
    private func hasRoom(at tail: Int) -> Bool {
        if tail &- counters.cachedHead.pointee < capacity { return true }
        counters.cachedHead.pointee = counters.head.load(ordering: .acquiring)
        return tail &- counters.cachedHead.pointee < capacity
    }

    /// The slow path: the ring is full, or conflated tickers wait and newer tickers must queue behind them.
    private func pushOnOverflow(_ event: MarketEvent, tail: Int) -> PushResult {
        guard policy == .conflateBySymbol, case .ticker(let ticker) = event else {
            if hasRoom(at: tail) {  // a non-ticker in a conflating queue while tickers are held aside
                enqueueAfterOverflow(event, tail: tail)
                return .enqueued
            }
            counters.bump(counters.dropped)
            counters.raise(counters.producerHighWater, to: capacity)
            return .dropped
        }
        return overflow.withLock { held in
            // Under the lock, `held` is empty exactly when `overflowActive` is 0: the ring may be used again once
            // the consumer has taken the held tickers (it delivers them before anything in the ring).
            if held.isEmpty, hasRoom(at: tail) {
                enqueueAfterOverflow(event, tail: tail)
                return .enqueued
            }
            let replaced = held.hold(ticker)
            if replaced { counters.bump(counters.conflated) }
            counters.raise(counters.producerHighWater, to: capacity + held.count)
            counters.overflowActive.store(1, ordering: .sequentiallyConsistent)
            return replaced ? .conflated : .enqueued
        }
    }

    private func enqueueAfterOverflow(_ event: MarketEvent, tail: Int) {
        (slots + (tail & mask)).initialize(to: event)
        counters.tail.store(tail &+ 1, ordering: .sequentiallyConsistent)
    }

    // MARK: Any thread

    /// Ends the queue. Any thread, any number of times. Later pushes return ``PushResult/closed``; the consumer
    /// still receives every event pushed before `close()` was called, then `nil` from ``next(isolation:)`` and
    /// ``WaitResult/closed`` from ``waitForEvents(timeout:)``. A parked consumer is woken.
    ///
    /// An event whose `push` runs concurrently with `close()` (neither happened before the other) may or may not
    /// be delivered; it is counted as pushed either way, so `statistics.depth` shows it if it was not.
    public func close() {
        counters.closed.store(1, ordering: .sequentiallyConsistent)
        wakeConsumer()
    }

    /// True once ``close()`` was called (events may still wait to be delivered).
    public var isClosed: Bool { counters.closed.load(ordering: .acquiring) != 0 }

    /// Resumes the parked consumer, if any. Whoever clears `waiter` owns the wake-up, so it happens exactly once.
    func wakeConsumer() {
        switch counters.waiter.exchange(QueueCounters.Waiter.none.rawValue, ordering: .acquiringAndReleasing) {
        case QueueCounters.Waiter.task.rawValue:
            let parked = continuation
            continuation = nil
            parked?.resume()
        case QueueCounters.Waiter.thread.rawValue:
            parker.lock()
            parker.signal()
            parker.unlock()
        default:
            break
        }
    }
}
