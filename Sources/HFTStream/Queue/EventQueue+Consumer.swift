public import HFTCore

/// The consumer's side of ``EventQueue``: taking events without waiting, draining batches, waiting
/// asynchronously (``next(isolation:)``, `for await`) or on a dedicated thread (``waitForEvents(timeout:)``).
///
/// Every method here belongs to the single consumer (see the class's thread rules).
extension EventQueue {
    /// The next event, or nil when there is none right now. Consumer only; never blocks.
    public func pop() -> MarketEvent? {
        if batchIndex < batch.count { return popBatch() }
        let head = counters.head.load(ordering: .relaxed)
        if head == counters.cachedTail.pointee, !refreshTail(head: head) {
            return refillFromOverflow() ? popBatch() : nil
        }
        let event = (slots + (head & mask)).move()
        counters.head.store(head &+ 1, ordering: .releasing)
        counters.bump(counters.delivered)
        return event
    }

    /// Appends up to `max` waiting events to `events`, oldest first, and returns how many. Consumer only;
    /// never blocks. Reuses `events`' storage: clear it with `removeAll(keepingCapacity: true)` between batches
    /// and a steady consumer allocates nothing. Frees the ring slots of the whole batch at once.
    public func drain(into events: inout [MarketEvent], max: Int) -> Int {
        var taken = 0
        while taken < max {
            if batchIndex < batch.count {
                let count = Swift.min(batch.count - batchIndex, max - taken)
                events.append(contentsOf: batch[batchIndex..<(batchIndex + count)])
                batchIndex += count
                taken += count
                if batchIndex == batch.count { batch.removeAll(keepingCapacity: true); batchIndex = 0 }
                continue
            }
            let head = counters.head.load(ordering: .relaxed)
            if head == counters.cachedTail.pointee, !refreshTail(head: head) {
                if refillFromOverflow() { continue }
                break
            }
            let count = Swift.min(counters.cachedTail.pointee &- head, max - taken)
            for index in head..<(head &+ count) {
                events.append((slots + (index & mask)).move())
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
    public func next(isolation actor: isolated (any Actor)? = #isolation) async -> MarketEvent? {
        while true {
            if let event = pop() { return event }
            if counters.closed.load(ordering: .acquiring) != 0 {
                return pop()  // events pushed just before close() may have been missed by the first pop
            }
            if Task.isCancelled { return nil }
            await park(isolation: actor)
        }
    }

    /// Blocks the calling thread until an event can be taken, the queue is closed and drained, or `timeout`
    /// (nil: no limit) passes. For a consumer on a dedicated thread, which then takes events with
    /// ``drain(into:max:)`` or ``pop()``. Consumer only; never call it from an async task (it blocks the thread).
    public func waitForEvents(timeout: Duration? = nil) -> WaitResult {
        if hasEventsForConsumer() { return .ready }
        if counters.closed.load(ordering: .acquiring) != 0 { return hasEventsForConsumer() ? .ready : .closed }
        let deadline = timeout.map(ThreadParker.deadline(after:))
        parker.lock()
        counters.waiter.store(QueueCounters.Waiter.thread.rawValue, ordering: .sequentiallyConsistent)
        // Re-check after announcing: a push that completed before the store above is seen here, any later one
        // sees the flag and wakes us.
        while counters.waiter.load(ordering: .sequentiallyConsistent) == QueueCounters.Waiter.thread.rawValue {
            if hasEventsForConsumer() || counters.closed.load(ordering: .sequentiallyConsistent) != 0 { break }
            if !parker.sleep(until: deadline) { break }
        }
        // Withdraw the announcement if nobody took it (events seen by the re-check, or timeout).
        _ = counters.waiter.compareExchange(
            expected: QueueCounters.Waiter.thread.rawValue, desired: QueueCounters.Waiter.none.rawValue,
            ordering: .sequentiallyConsistent
        )
        parker.unlock()
        if hasEventsForConsumer() { return .ready }
        return counters.closed.load(ordering: .acquiring) != 0 ? .closed : .timedOut
    }

    // MARK: Internals

    /// Suspends until the producer, `close()` or cancellation resumes this task.
    private func park(isolation actor: isolated (any Actor)?) async {
        await withTaskCancellationHandler {
            await withUnsafeContinuation(isolation: actor) { (continuation: UnsafeContinuation<Void, Never>) in
                self.continuation = continuation
                counters.waiter.store(QueueCounters.Waiter.task.rawValue, ordering: .sequentiallyConsistent)
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
        batchIndex < batch.count
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
        overflow.withLock { held in
            held.takeAll(into: &batch)
            counters.overflowActive.store(0, ordering: .sequentiallyConsistent)
        }
        batchIndex = 0
        return !batch.isEmpty
    }

    private func popBatch() -> MarketEvent {
        let event = batch[batchIndex]
        batchIndex += 1
        if batchIndex == batch.count {
            batch.removeAll(keepingCapacity: true)
            batchIndex = 0
        }
        counters.bump(counters.delivered)
        return event
    }
}

extension EventQueue: AsyncSequence {
    public typealias Element = MarketEvent
    public typealias Failure = Never

    /// The queue itself, as an iterator. Make one per queue: the queue has a single consumer.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(queue: self)
    }

    /// Iterates the queue's events until it is closed and drained (see ``EventQueue/next(isolation:)``).
    public struct AsyncIterator: AsyncIteratorProtocol {
        let queue: EventQueue

        public mutating func next() async -> MarketEvent? {
            await queue.next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async -> MarketEvent? {
            await queue.next(isolation: actor)
        }
    }
}
