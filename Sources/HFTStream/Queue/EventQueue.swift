public import Atomics
public import HFTCore

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
/// that flag after each push and wakes the consumer only when it is set: one wake-up per batch, not per event.
/// The price of never losing a wake-up is that each push publishes its event with a sequentially consistent
/// store (a full barrier), so that the producer's publication and the consumer's announcement cannot both be
/// missed.
///
/// Memory: `capacity` slots of 256 bytes (an event rounded up to whole cache lines), allocated once by `init`.
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

    @usableFromInline let mask: Int
    /// `capacity` slots of `slotStride` bytes, each bound to `MarketEvent`; initialized exactly in `[head, tail)`.
    @usableFromInline let storage: UnsafeMutableRawPointer
    /// The event's stride rounded up to whole cache lines: the slot the producer fills never shares a line with
    /// the one the consumer is reading right behind it.
    @usableFromInline let slotStride: Int
    @usableFromInline let counters: QueueCounters
    /// Guards `held`; uncontended in practice (the producer takes it on overflow, the consumer once per batch of
    /// held tickers).
    let overflowLock = PosixMutex()
    /// The conflation side path (``OverflowPolicy/conflateBySymbol`` only). Only under `overflowLock`.
    var held: ConflationBuffer
    let parker = ThreadParker()

    // Consumer-confined state.

    /// Conflated events taken from the side path, delivered before anything newer in the ring; the undelivered
    /// ones are the last `counters.batchPending`.
    var batch: [MarketEvent] = []

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
        slotStride = (MemoryLayout<MarketEvent>.stride + 63) & ~63
        storage = .allocate(byteCount: size * slotStride, alignment: 128)
        for index in 0..<size {
            (storage + index * slotStride).bindMemory(to: MarketEvent.self, capacity: 1)
        }
        counters = QueueCounters()
        let reserved = policy == .conflateBySymbol ? Swift.max(1, expectedInstruments) : 0
        held = ConflationBuffer(reservingCapacity: reserved)
        batch.reserveCapacity(reserved)
    }

    deinit {
        let head = counters.head.load(ordering: .relaxed)
        let tail = counters.tail.load(ordering: .relaxed)
        for index in head..<tail {
            slot(index).deinitialize(count: 1)
        }
        storage.deallocate()
        counters.deallocate()
        overflowLock.destroy()
        parker.destroy()
    }

    // MARK: Producer

    /// Offers `event` to the consumer. Producer only; never blocks, never suspends, does not allocate (a
    /// conflating queue may allocate when a new instrument first overflows beyond `expectedInstruments`).
    ///
    /// Wakes the consumer when it is parked. Every result but ``PushResult/enqueued`` means the consumer will not
    /// see this event (``PushResult/dropped``, ``PushResult/closed``) or will not see an older one
    /// (``PushResult/conflated``): the producer reports drops, for books by resynchronizing.
    @inlinable @discardableResult
    public func push(_ event: consuming MarketEvent) -> PushResult {
        let counters = counters
        if counters.closed.load(ordering: .relaxed) != 0 { return .closed }
        counters.bump(counters.pushed)
        let tail = counters.tail.load(ordering: .relaxed)
        if counters.overflowActive.load(ordering: .relaxed) == 0, hasRoom(at: tail) {
            slot(tail).initialize(to: event)
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

    /// The slot of ring index `index`.
    @inlinable @inline(__always)
    func slot(_ index: Int) -> UnsafeMutablePointer<MarketEvent> {
        (storage + (index & mask) &* slotStride).assumingMemoryBound(to: MarketEvent.self)
    }

    /// True when slot `tail` is free. Reads the consumer's `head` only when the cached copy says full.
    @inlinable @inline(__always)
    func hasRoom(at tail: Int) -> Bool {
        if tail &- counters.cachedHead.pointee < capacity { return true }
        counters.cachedHead.pointee = counters.head.load(ordering: .acquiring)
        return tail &- counters.cachedHead.pointee < capacity
    }

    /// The slow path: the ring is full, or conflated tickers wait and newer tickers must queue behind them.
    @usableFromInline
    func pushOnOverflow(_ event: MarketEvent, tail: Int) -> PushResult {
        guard policy == .conflateBySymbol, case .ticker(let ticker) = event else {
            if hasRoom(at: tail) {  // a non-ticker in a conflating queue while tickers are held aside
                enqueueAfterOverflow(event, tail: tail)
                return .enqueued
            }
            counters.bump(counters.dropped)
            counters.raise(counters.producerHighWater, to: capacity)
            return .dropped
        }
        return overflowLock.withLock {
            // Under the lock, `held` is empty exactly when `overflowActive` is 0: the ring may be used again once
            // the consumer has taken the held tickers (it delivers them before anything in the ring).
            if held.isEmpty, hasRoom(at: tail) {
                enqueueAfterOverflow(event, tail: tail)
                return .enqueued
            }
            let replaced = held.hold(ticker)
            if replaced {
                counters.bump(counters.conflated)
            } else {
                counters.heldAside.wrappingIncrement(ordering: .relaxed)
            }
            counters.raise(counters.producerHighWater, to: capacity + held.count)
            counters.overflowActive.store(1, ordering: .sequentiallyConsistent)
            return replaced ? .conflated : .enqueued
        }
    }

    private func enqueueAfterOverflow(_ event: MarketEvent, tail: Int) {
        slot(tail).initialize(to: event)
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
    @usableFromInline
    func wakeConsumer() {
        switch counters.waiter.exchange(QueueCounters.Waiter.none, ordering: .acquiringAndReleasing) {
        case QueueCounters.Waiter.none:
            break
        case QueueCounters.Waiter.thread:
            parker.lock()
            parker.signal()
            parker.unlock()
        case let parkedTask:
            QueueCounters.Waiter.continuation(parkedTask).resume()
        }
    }
}

/// ``EventQueue``'s counters, readable from any thread at any time.
extension EventQueue {
    /// What a queue has done so far. Each field is read atomically, but the fields are read one after another
    /// while the producer and consumer go on, so they are not one instantaneous snapshot; once both sides are
    /// quiet, `pushed == delivered + dropped + conflated + depth` holds exactly.
    public struct Statistics: Sendable, Hashable, CustomStringConvertible {
        /// Events waiting for the consumer: in the ring (at most `capacity`) plus conflated tickers held aside.
        public var depth: Int
        /// The largest depth observed: when the consumer fetched newly pushed events and when the producer found
        /// the ring full. A lower bound of the true maximum, reaching `capacity` (plus held tickers) whenever the
        /// queue overflowed.
        public var highWaterMark: Int
        /// Events offered to `push` while the queue was open.
        public var pushed: Int
        /// Events handed to the consumer.
        public var delivered: Int
        /// Events discarded because the queue was full.
        public var dropped: Int
        /// Tickers replaced by a newer ticker of the same instrument before delivery.
        public var conflated: Int

        /// Counters with the given values (for tests and for reports built elsewhere).
        public init(depth: Int, highWaterMark: Int, pushed: Int, delivered: Int, dropped: Int, conflated: Int) {
            self.depth = depth
            self.highWaterMark = highWaterMark
            self.pushed = pushed
            self.delivered = delivered
            self.dropped = dropped
            self.conflated = conflated
        }

        /// One line: `depth 3 (high 4096), pushed 10, delivered 7, dropped 0, conflated 0`.
        public var description: String {
            "depth \(depth) (high \(highWaterMark)), pushed \(pushed), delivered \(delivered), "
                + "dropped \(dropped), conflated \(conflated)"
        }
    }

    /// The queue's counters now. Any thread; a handful of relaxed atomic loads, no lock.
    public var statistics: Statistics {
        // Delivered before pushed: a reader never sees more delivered than pushed.
        let delivered = counters.delivered.load(ordering: .relaxed)
        let dropped = counters.dropped.load(ordering: .relaxed)
        let conflated = counters.conflated.load(ordering: .relaxed)
        let pushed = counters.pushed.load(ordering: .relaxed)
        // The ring's indices read one after the other while both move: clamped to what the ring can hold.
        let head = counters.head.load(ordering: .relaxed)
        let tail = counters.tail.load(ordering: .relaxed)
        let ring = Swift.min(Swift.max(0, tail &- head), capacity)
        let depth = ring + Swift.max(0, counters.heldAside.load(ordering: .relaxed))
        let highWater = Swift.max(
            depth,
            counters.consumerHighWater.load(ordering: .relaxed),
            counters.producerHighWater.load(ordering: .relaxed)
        )
        return Statistics(
            depth: depth, highWaterMark: highWater, pushed: pushed, delivered: delivered, dropped: dropped,
            conflated: conflated
        )
    }
}
