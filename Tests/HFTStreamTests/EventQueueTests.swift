#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HFTCore
import HFTStream
import Testing

/// Order, content, overflow and close semantics of `EventQueue`, with the producer on a real thread.
@Suite struct EventQueueTests {
    /// Every event through a small ring, producer thread to async consumer: each sequence number exactly once, in
    /// order. The producer retries when the ring is full (its own back-pressure), so nothing may be missing.
    @Test(.timeLimit(.minutes(2)))
    func aMillionTradesArriveOnceAndInOrderAtAnAsyncConsumer() async {
        let count = 1_000_000
        let queue = EventQueue(capacity: 1024)
        let producer = queue.tradeProducer(count: count)
        var arrivals = Arrivals()
        for await event in queue { arrivals.record(event) }
        await producer.finished()

        #expect(arrivals.count == count)
        #expect(arrivals.firstMismatch == nil, "first out of place: \(String(describing: arrivals.firstMismatch))")
        let stats = queue.statistics
        #expect(stats.delivered == count)
        #expect(stats.pushed == count + stats.dropped)
        #expect(stats.depth == 0)
        #expect(stats.conflated == 0)
        #expect(stats.highWaterMark <= queue.capacity)
    }

    /// The same with a consumer thread that blocks in `waitForEvents` and takes batches with `drain`.
    @Test(.timeLimit(.minutes(2)))
    func aMillionTradesArriveOnceAndInOrderAtAConsumerThread() async {
        let count = 1_000_000
        let queue = EventQueue(capacity: 512)
        let seen = Shared(Arrivals())
        let consumer = TestThread {
            var arrivals = Arrivals()
            var batch: [MarketEvent] = []
            batch.reserveCapacity(100)
            while queue.waitForEvents() == .ready {
                batch.removeAll(keepingCapacity: true)
                let taken = queue.drain(into: &batch, max: 100)
                precondition(taken == batch.count && taken <= 100)
                for event in batch { arrivals.record(event) }
            }
            seen.update { $0 = arrivals }
        }
        let producer = queue.tradeProducer(count: count)
        await producer.finished()
        await consumer.finished()

        #expect(seen.value.count == count)
        #expect(seen.value.firstMismatch == nil, "first out of place: \(String(describing: seen.value.firstMismatch))")
        #expect(queue.statistics.delivered == count)
        #expect(queue.statistics.depth == 0)
    }

    /// A stalled consumer: the first `capacity` events are kept, every later one is refused, reported and
    /// counted; the consumer then receives exactly the first `capacity`.
    @Test func dropNewestRefusesWhatDoesNotFitAndSaysSo() async {
        let queue = EventQueue(capacity: 64, policy: .dropNewest)
        let extra = 37
        let results = Shared<[PushResult]>([])
        let producer = TestThread {
            var local: [PushResult] = []
            for n in 0..<(64 + extra) { local.append(queue.push(TestEvents.trade(n))) }
            results.update { $0 = local }
        }
        await producer.finished()

        #expect(results.value.count == 64 + extra)
        #expect(results.value.prefix(64).allSatisfy { $0 == .enqueued })
        #expect(results.value.dropFirst(64).allSatisfy { $0 == .dropped })
        var stats = queue.statistics
        #expect(stats.pushed == 64 + extra)
        #expect(stats.dropped == extra)
        #expect(stats.depth == 64)
        #expect(stats.highWaterMark == 64)

        var events: [MarketEvent] = []
        #expect(queue.drain(into: &events, max: 1000) == 64)
        #expect(events.map(TestEvents.sequence) == Array(0..<64))
        #expect(queue.pop() == nil)
        stats = queue.statistics
        #expect(stats.delivered == 64)
        #expect(stats.depth == 0)

        // Room again: the next push is accepted and is the next event out.
        #expect(queue.push(TestEvents.trade(1000)) == .enqueued)
        #expect(queue.pop().map(TestEvents.sequence) == 1000)
    }

    @Test func capacityIsRoundedUpToAPowerOfTwo() {
        #expect(EventQueue(capacity: 1).capacity == 2)
        #expect(EventQueue(capacity: 64).capacity == 64)
        #expect(EventQueue(capacity: 100).capacity == 128)
        let queue = EventQueue(capacity: 3)
        #expect((0..<5).map { queue.push(TestEvents.trade($0)) } == [.enqueued, .enqueued, .enqueued, .enqueued, .dropped])
    }

    /// `drain` appends at most `max`, oldest first, and keeps going where it stopped.
    @Test func drainTakesAtMostMaxAndAppends() {
        let queue = EventQueue(capacity: 16)
        for n in 0..<10 { queue.push(TestEvents.trade(n)) }
        var events = [TestEvents.trade(777)]
        #expect(queue.drain(into: &events, max: 4) == 4)
        #expect(events.map(TestEvents.sequence) == [777, 0, 1, 2, 3])
        events.removeAll(keepingCapacity: true)
        #expect(queue.drain(into: &events, max: 0) == 0)
        #expect(queue.pop().map(TestEvents.sequence) == 4)
        #expect(queue.drain(into: &events, max: 100) == 5)
        #expect(events.map(TestEvents.sequence) == [5, 6, 7, 8, 9])
        #expect(queue.drain(into: &events, max: 100) == 0)
    }

    /// Wrapping around the ring many times keeps order (indices are masked, not reset).
    @Test func orderSurvivesWrappingAroundTheRing() {
        let queue = EventQueue(capacity: 8)
        var next = 0, expected = 0
        var mismatches = 0
        for round in 0..<500 {
            for _ in 0..<(round % 8 + 1) {
                #expect(queue.push(TestEvents.trade(next)) == .enqueued)
                next += 1
            }
            while let event = queue.pop() {
                if TestEvents.sequence(event) != expected { mismatches += 1 }
                expected += 1
            }
        }
        #expect(expected == next)
        #expect(mismatches == 0)
    }

    /// Close: what is inside is still delivered, then nil, for every way of consuming; later pushes are refused.
    @Test func closeDeliversWhatIsLeftThenEnds() async {
        let queue = EventQueue(capacity: 16)
        for n in 0..<5 { queue.push(TestEvents.trade(n)) }
        queue.close()
        #expect(queue.isClosed)
        #expect(queue.push(TestEvents.trade(99)) == .closed)
        #expect(queue.waitForEvents(timeout: .zero) == .ready)
        var received: [Int] = []
        for await event in queue { received.append(TestEvents.sequence(event)) }
        #expect(received == [0, 1, 2, 3, 4])
        #expect(await queue.next() == nil)
        #expect(queue.pop() == nil)
        #expect(queue.waitForEvents(timeout: nil) == .closed)
        #expect(queue.statistics.pushed == 5)
        #expect(queue.statistics.delivered == 5)
    }
}
