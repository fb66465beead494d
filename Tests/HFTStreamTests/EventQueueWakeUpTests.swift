#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HFTCore
import HFTStream
import Testing

/// Parking and waking: no lost wake-ups, close and cancellation wake a parked consumer, one slow consumer does
/// not hold up another queue, statistics are readable while both sides run.
@Suite struct EventQueueWakeUpTests {
    /// Bursts of random size with random pauses; after most bursts the producer waits until the consumer has
    /// taken everything, so the consumer is parked (or about to park) when the next burst starts: exactly the
    /// moment a lost wake-up would strand it. A stranded consumer never catches up; the producer notices after
    /// a generous deadline (a hang detector, not a speed assertion), records it and closes the queue.
    static func burstProducer(_ queue: EventQueue, bursts: Int, seed: UInt64, stranded: Shared<Bool>) -> TestThread {
        TestThread {
            var random = TestEvents.Random(state: seed)
            var next = 0
            for _ in 0..<bursts {
                for _ in 0..<Int.random(in: 1...40, using: &random) {
                    let event = TestEvents.trade(next)
                    guard queue.pushWaiting(event) else { break }
                    next += 1
                }
                if Int.random(in: 0..<4, using: &random) != 0 {
                    let deadline = ContinuousClock.now + .seconds(60)
                    while queue.statistics.delivered < next {
                        if ContinuousClock.now > deadline {
                            stranded.update { $0 = true }
                            queue.close()
                            return
                        }
                        sched_yield()
                    }
                }
                let pause = Int.random(in: 0..<3, using: &random)
                if pause > 0 { usleep(UInt32(pause * 20)) }
            }
            queue.close()
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func noLostWakeUpsForAnAsyncConsumer() async {
        let queue = EventQueue(capacity: 64)
        let stranded = Shared(false)
        let producer = Self.burstProducer(queue, bursts: 5000, seed: 1, stranded: stranded)
        var arrivals = Arrivals()
        for await event in queue { arrivals.record(event) }
        await producer.finished()
        #expect(!stranded.value, "the consumer was not woken")
        #expect(arrivals.firstMismatch == nil)
        #expect(arrivals.count == queue.statistics.pushed - queue.statistics.dropped)
    }

    @Test(.timeLimit(.minutes(2)))
    func noLostWakeUpsForAConsumerThread() async {
        let queue = EventQueue(capacity: 64)
        let stranded = Shared(false)
        let seen = Shared(Arrivals())
        let consumer = TestThread {
            var arrivals = Arrivals()
            while queue.waitForEvents(timeout: nil) == .ready {
                while let event = queue.pop() { arrivals.record(event) }
            }
            seen.update { $0 = arrivals }
        }
        let producer = Self.burstProducer(queue, bursts: 5000, seed: 2, stranded: stranded)
        await producer.finished()
        await consumer.finished()
        #expect(!stranded.value, "the consumer thread was not woken")
        #expect(seen.value.firstMismatch == nil)
        #expect(seen.value.count == queue.statistics.pushed - queue.statistics.dropped)
    }

    /// `close()` from another thread ends a consumer task parked on an empty queue.
    @Test(.timeLimit(.minutes(1)))
    func closeFromAnotherThreadWakesAParkedTask() async {
        let queue = EventQueue(capacity: 8)
        let consumer = Task { await queue.next() }
        let closer = TestThread {
            usleep(20_000)  // most likely parked by now; either way next() must return nil
            queue.close()
        }
        #expect(await consumer.value == nil)
        await closer.finished()
    }

    /// `close()` ends a consumer thread blocked without a timeout.
    @Test(.timeLimit(.minutes(1)))
    func closeWakesABlockedConsumerThread() async {
        let queue = EventQueue(capacity: 8)
        let result = Shared<WaitResult?>(nil)
        let consumer = TestThread { result.update { $0 = queue.waitForEvents(timeout: nil) } }
        try? await Task.sleep(for: .milliseconds(20))  // most likely blocked by now; either way it must end
        queue.close()
        await consumer.finished()
        #expect(result.value == .closed)
    }

    @Test func waitForEventsTimesOutOnAnEmptyQueueAndReportsReadyOtherwise() {
        let queue = EventQueue(capacity: 8)
        #expect(queue.waitForEvents(timeout: .milliseconds(5)) == .timedOut)
        queue.push(TestEvents.trade(1))
        #expect(queue.waitForEvents(timeout: .milliseconds(5)) == .ready)
        #expect(queue.pop().map(TestEvents.sequence) == 1)
        #expect(queue.waitForEvents(timeout: .zero) == .timedOut)
        #expect(queue.waitForEvents(timeout: .milliseconds(-5)) == .timedOut)
        #expect(queue.waitForEvents(timeout: .nanoseconds(1)) == .timedOut)
    }

    /// Cancelling the consumer task ends its wait with nil; the queue stays usable.
    @Test(.timeLimit(.minutes(1)))
    func cancellingAParkedConsumerTaskEndsItsWait() async {
        let queue = EventQueue(capacity: 8)
        let consumer = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        #expect(await consumer.value == nil)
        queue.push(TestEvents.trade(3))
        #expect(await queue.next().map(TestEvents.sequence) == 3)
    }

    /// One producer feeds two queues. The consumer of `stalled` is blocked until the producer has finished, so if
    /// a push to a full queue waited for its consumer, the producer (and this test) would never finish. The
    /// other consumer receives everything in order meanwhile.
    @Test(.timeLimit(.minutes(1)))
    func aStalledConsumerDoesNotHoldUpPushesToAnotherQueue() async {
        let count = 20_000
        let stalled = EventQueue(capacity: 64), flowing = EventQueue(capacity: 64)
        let producerDone = Gate()
        let stalledResults = Shared<[PushResult]>([])
        let stalledReceived = Shared<[Int]>([])
        let stalledConsumer = TestThread {
            producerDone.waitBlocking()
            var events: [MarketEvent] = []
            _ = stalled.drain(into: &events, max: .max)
            stalledReceived.update { $0 = events.map(TestEvents.sequence) }
        }
        let producer = TestThread {
            var results: [PushResult] = []
            for n in 0..<count {
                results.append(stalled.push(TestEvents.trade(n)))
                let event = TestEvents.trade(n)
                guard flowing.pushWaiting(event) else { break }
            }
            flowing.close()
            stalledResults.update { $0 = results }
            producerDone.release()
        }
        var arrivals = Arrivals()
        for await event in flowing { arrivals.record(event) }
        await producer.finished()
        await stalledConsumer.finished()

        #expect(arrivals.count == count)
        #expect(arrivals.firstMismatch == nil)
        #expect(stalledResults.value == Array(repeating: .enqueued, count: 64) + Array(repeating: .dropped, count: count - 64))
        #expect(stalledReceived.value == Array(0..<64))
        #expect(stalled.statistics.dropped == count - 64)
    }

    /// Statistics read from a third thread while events flow: counters never go back, nothing is delivered
    /// before it was pushed, and the depth and high-water mark stay within the capacity.
    @Test(.timeLimit(.minutes(1)))
    func statisticsAreConsistentWhenReadWhileEventsFlow() async {
        let count = 200_000
        let queue = EventQueue(capacity: 128)
        let violations = Shared<[String]>([])
        let running = Shared(true)
        let reader = TestThread {
            var previous = queue.statistics
            var found: [String] = []
            while running.value {
                let s = queue.statistics
                if s.pushed < previous.pushed || s.delivered < previous.delivered || s.dropped < previous.dropped {
                    found.append("went back: \(previous) -> \(s)")
                }
                if s.delivered > s.pushed { found.append("delivered more than pushed: \(s)") }
                if s.depth > queue.capacity || s.highWaterMark > queue.capacity { found.append("beyond capacity: \(s)") }
                previous = s
            }
            violations.update { $0 = found }
        }
        let producer = queue.tradeProducer(count: count)
        var delivered = 0
        var batch: [MarketEvent] = []
        while let first = await queue.next() {
            batch.removeAll(keepingCapacity: true)
            batch.append(first)
            delivered += 1 + queue.drain(into: &batch, max: 63)
        }
        running.update { $0 = false }
        await producer.finished()
        await reader.finished()
        #expect(delivered == count)
        #expect(violations.value.isEmpty, "\(violations.value.prefix(3))")
        #expect(queue.statistics.delivered == count)
        #expect(queue.statistics.highWaterMark >= 1)
    }
}
