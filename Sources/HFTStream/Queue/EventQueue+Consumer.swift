public import Atomics
public import HFTCore

/// The consumer's side of ``EventQueue``: taking events without waiting, draining batches, waiting
/// asynchronously (``next(isolation:)``, `for await`) or on a dedicated thread (``waitForEvents(timeout:)``).
///
/// Every method here belongs to the single consumer (see the class's thread rules). `pop`, `next` and the
/// iterator are inlinable: their common case (an event is waiting) compiles into the consumer's loop.
extension EventQueue {
    /// The next event, or nil when there is none right now. Consumer only; never blocks.
    @inlinable
    public func pop() -> MarketEvent? {
        let head = counters.head.load(ordering: .relaxed)
        if head != counters.cachedTail.pointee, counters.batchPending.pointee == 0 {
            let event = slot(head).move()
            counters.head.store(head &+ 1, ordering: .releasing)
            counters.bump(counters.delivered)
            return event
        }
        return popSlow()
    }

    /// Appends up to `max` waiting events to `events`, oldest first, and returns how many. Consumer only;
    /// never blocks. Reuses `events`' storage: clear it with `removeAll(keepingCapacity: true)` between batches
    /// and a steady consumer allocates nothing. Frees the ring slots of the whole batch at once.
    public func drain(into events: inout [MarketEvent], max: Int) -> Int {
        var taken = 0
        while taken < max {
            if counters.batchPending.pointee > 0 {
                let pending = counters.batchPending.pointee, start = batch.count - pending
                let count = Swift.min(pending, max - taken)
                events.append(contentsOf: batch[start..<(start + count)])
                takenFromBatch(count)
                taken += count
                continue
            }
            let head = counters.head.load(ordering: .relaxed)
            if head == counters.cachedTail.pointee, !refreshTail(head: head) {
                if refillFromOverflow() { continue }
                break
            }
            let count = Swift.min(counters.cachedTail.pointee &- head, max - taken)
            for index in head..<(head &+ count) {
                events.append(slot(index).move())
            }
            counters.head.store(head &+ count, ordering: .releasing)
            taken += count
        }
        counters.bump(counters.delivered, by: taken)
        return taken
    }

    /// The next event, waiting for one when the queue is empty; nil once the queue is closed and drained, or when
    /// the calling task is cancelled while waiting. Consumer only.
    ///
    /// Runs on the caller's isolation (`#isolation`): an observer on an actor takes events without hopping off
    /// it. Suspends only when the queue is empty, and then is resumed once for everything the producer pushes
    /// until it runs again.
    @inlinable
    public func next(isolation actor: isolated (any Actor)? = #isolation) async -> MarketEvent? {
        if let event = pop() { return event }
        return await waitForNext(isolation: actor)
    }

    /// Blocks the calling thread until an event can be taken, the queue is closed and drained, or `timeout`
    /// (nil: no limit) passes. For a consumer on a dedicated thread, which then takes events with
    /// ``drain(into:max:)`` or ``pop()``. Consumer only; never call it from an async task (it blocks the thread).
    public func waitForEvents(timeout: Duration? = nil) -> WaitResult {
        if hasEventsForConsumer() { return .ready }
        if counters.closed.load(ordering: .acquiring) != 0 { return hasEventsForConsumer() ? .ready : .closed }
        let deadline = timeout.map(ThreadParker.deadline(after:))
        parker.lock()
        while true {
            counters.waiter.store(QueueCounters.Waiter.thread, ordering: .sequentiallyConsistent)
            // Re-check after announcing: a push that completed before the store above is seen here, any later
            // one sees the flag and wakes us.
            if hasEventsForConsumer() || counters.closed.load(ordering: .sequentiallyConsistent) != 0 { break }
            // Woken, spurious or stale wake-ups (a producer that read the flag of an earlier wait) all lead back
            // to announcing and re-checking; only the deadline ends the wait without events.
            if !parker.sleep(until: deadline) { break }
        }
        // Withdraw the announcement if nobody took it.
        _ = counters.waiter.compareExchange(
            expected: QueueCounters.Waiter.thread, desired: QueueCounters.Waiter.none,
            ordering: .sequentiallyConsistent
        )
        parker.unlock()
        if hasEventsForConsumer() { return .ready }
        return counters.closed.load(ordering: .acquiring) != 0 ? .closed : .timedOut
    }

    // MARK: Internals

    /// `pop` when the ring looked empty or conflated events wait: the batch first, then the ring after fetching
    /// the producer's tail, then the conflation side path.
    @usableFromInline
    func popSlow() -> MarketEvent? {
        if counters.batchPending.pointee > 0 {
            let event = batch[batch.count - counters.batchPending.pointee]
            takenFromBatch(1)
            counters.bump(counters.delivered)
            return event
        }
        let head = counters.head.load(ordering: .relaxed)
        if head == counters.cachedTail.pointee, !refreshTail(head: head) {
            return refillFromOverflow() ? popSlow() : nil
        }
        let event = slot(head).move()
        counters.head.store(head &+ 1, ordering: .releasing)
        counters.bump(counters.delivered)
        return event
    }

    /// `next` when nothing was waiting: parks until the producer, `close()` or cancellation wakes the task.
    @usableFromInline
    func waitForNext(isolation actor: isolated (any Actor)?) async -> MarketEvent? {
        while true {
            if let event = pop() { return event }
            if counters.closed.load(ordering: .acquiring) != 0 {
                return pop()  // events pushed just before close() may have been missed by the first pop
            }
            if Task.isCancelled { return nil }
            await park(isolation: actor)
        }
    }

    /// Suspends until the producer, `close()` or cancellation resumes this task.
    private func park(isolation actor: isolated (any Actor)?) async {
        await withTaskCancellationHandler {
            await withUnsafeContinuation(isolation: actor) { (continuation: UnsafeContinuation<Void, Never>) in
                // The continuation itself is the announcement: whoever exchanges it out of `waiter` resumes it.
                let announcement = QueueCounters.Waiter.announcing(continuation)
                counters.waiter.store(announcement, ordering: .sequentiallyConsistent)
                // Re-check after announcing (see `push`): whatever arrived before the store is seen here.
                if hasEventsForConsumer() || counters.closed.load(ordering: .sequentiallyConsistent) != 0
                    || Task.isCancelled {
                    wakeConsumer()  // resumes us unless the producer already took the wake-up
                }
            }
        } onCancel: {
            self.wakeConsumer()
        }
    }

    /// True when ``pop()`` would return an event. Consumer only (reads the consumer's batch).
    func hasEventsForConsumer() -> Bool {
        counters.batchPending.pointee > 0
            || counters.tail.load(ordering: .sequentiallyConsistent) != counters.head.load(ordering: .relaxed)
            || counters.overflowActive.load(ordering: .sequentiallyConsistent) != 0
    }

    /// Fetches the producer's tail when the cached one is used up; false when the ring is empty.
    private func refreshTail(head: Int) -> Bool {
        let tail = counters.tail.load(ordering: .acquiring)
        counters.cachedTail.pointee = tail
        counters.raise(counters.consumerHighWater, to: tail &- head)
        return tail != head
    }

    /// Takes the conflated tickers held aside, once the ring is empty. True when the batch now has events.
    ///
    /// While tickers are held aside the producer puts no ticker into the ring, so a ring found empty after
    /// `overflowActive` was seen set holds no ticker older than a held one: delivering the batch next keeps every
    /// instrument's tickers in push order.
    private func refillFromOverflow() -> Bool {
        guard policy == .conflateBySymbol, counters.overflowActive.load(ordering: .acquiring) != 0 else { return false }
        let head = counters.head.load(ordering: .relaxed)
        if refreshTail(head: head) { return false }  // older events in the ring come first
        overflowLock.withLock {
            held.takeAll(into: &batch)
            counters.overflowActive.store(0, ordering: .sequentiallyConsistent)
        }
        counters.batchPending.pointee = batch.count
        return !batch.isEmpty
    }

    /// Marks `count` events of the batch delivered; empties the batch (keeping its storage) after the last.
    private func takenFromBatch(_ count: Int) {
        counters.batchPending.pointee -= count
        counters.heldAside.wrappingDecrement(by: count, ordering: .relaxed)
        if counters.batchPending.pointee == 0 { batch.removeAll(keepingCapacity: true) }
    }
}

/// `for await event in queue`: the queue's single consumer as an async sequence, which ends when the queue is
/// closed and drained (or the iterating task is cancelled while waiting).
extension EventQueue: AsyncSequence {
    /// Every kind of market event.
    public typealias Element = MarketEvent
    /// Iteration never throws.
    public typealias Failure = Never

    /// The queue itself, as an iterator. Make one per queue: the queue has a single consumer.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(queue: self)
    }

    /// Iterates the queue's events until it is closed and drained (see ``EventQueue/next(isolation:)``).
    public struct AsyncIterator: AsyncIteratorProtocol {
        @usableFromInline let queue: EventQueue

        @usableFromInline
        init(queue: EventQueue) { self.queue = queue }

        /// The next event (see ``EventQueue/next(isolation:)``), waiting on the generic executor.
        @inlinable
        public mutating func next() async -> MarketEvent? {
            await queue.next(isolation: nil)
        }

        /// The next event (see ``EventQueue/next(isolation:)``), on the caller's isolation: what `for await` calls.
        @inlinable
        public mutating func next(isolation actor: isolated (any Actor)?) async -> MarketEvent? {
            await queue.next(isolation: actor)
        }
    }
}
