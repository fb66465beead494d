// Producer thread → consumer hand-off of MarketEvent values: HFTKit's EventQueue (async consumer with `for await`
// semantics, and a consumer thread using waitForEvents + drain) against a bare single-producer single-consumer
// ring of the same element type, whose consumer spins instead of parking (the baseline: the hand-off with no
// overflow policy, no statistics and no wake-ups), measured in the same run. AsyncStream is measured for
// reference. One iteration hands `eventsPerIteration` trade events from a freshly started producer thread to
// the consumer; every variant checks that the consumer received all of them.
//
// The producer retries while a ring is full (its back-pressure for this measurement), so all variants move the
// same events. The Python asyncio.Queue figure the issue compares against comes from
// scripts/asyncio-queue-baseline.py.
import Benchmark
import HFTCore
import HFTStream
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let eventsPerIteration = 100_000
let ringCapacity = 4096

/// The event every producer pushes: a trade as parsers emit them (inline strings, no heap payload).
let templateEvent = MarketEvent.trade(Trade(
    exchange: ExchangeID(rawValue: "binance")!, instrument: Instrument("BTC-USDT")!,
    price: ExactDecimal(64_000), size: ExactDecimal(1), side: .buy, tradeID: .number(42),
    exchangeTime: Timestamp(nanosecondsSinceEpoch: 1_700_000_000_000_000_000),
    receiveTime: Timestamp(nanosecondsSinceEpoch: 1_700_000_000_000_000_001)
))

/// The baseline: a minimal lock-free SPSC ring (the standard library's `Atomic`, acquire/release indices, no cached
/// indices, no padding), with a consumer that spins on an empty ring.
final class BareRing: @unchecked Sendable {
    let slots: UnsafeMutablePointer<MarketEvent>
    let mask: Int
    let head = Atomic<Int>(0)
    let tail = Atomic<Int>(0)

    init(capacity: Int) {
        slots = .allocate(capacity: capacity)
        mask = capacity - 1
    }

    deinit {
        for index in head.load(ordering: .relaxed)..<tail.load(ordering: .relaxed) {
            (slots + (index & mask)).deinitialize(count: 1)
        }
        slots.deallocate()
    }

    func push(_ event: MarketEvent) -> Bool {
        let t = tail.load(ordering: .relaxed)
        if t &- head.load(ordering: .acquiring) > mask { return false }
        (slots + (t & mask)).initialize(to: event)
        tail.store(t &+ 1, ordering: .releasing)
        return true
    }

    func pop() -> MarketEvent? {
        let h = head.load(ordering: .relaxed)
        if h == tail.load(ordering: .acquiring) { return nil }
        let event = (slots + (h & mask)).move()
        head.store(h &+ 1, ordering: .releasing)
        return event
    }
}

/// A joinable OS thread: the producer, as the libwebsockets service thread would be.
struct ProducerThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    #if canImport(Glibc)
    private var thread = pthread_t()
    #else
    private var thread: pthread_t?
    #endif

    init(_ run: @escaping @Sendable () -> Void) {
        let body = Unmanaged.passRetained(Body(run)).toOpaque()
        let status = pthread_create(&thread, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, body)
        precondition(status == 0, "pthread_create failed: \(status)")
    }

    func join() {
        #if canImport(Glibc)
        pthread_join(thread, nil)
        #else
        pthread_join(thread!, nil)
        #endif
    }
}

/// Pushes `count` copies of the template, retrying while the queue is full.
func produce(into queue: EventQueue, count: Int) -> ProducerThread {
    ProducerThread {
        for _ in 0..<count {
            while queue.push(templateEvent) == .dropped {}
        }
    }
}

/// Something of every received event, so that the consumer's reads are not optimized away.
@inline(__always)
func checksum(_ event: MarketEvent) -> Int64 {
    event.receiveTime.nanosecondsSinceEpoch & 1
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 200
    )
    let n = eventsPerIteration

    Benchmark("queue handoff: EventQueue async consumer (per \(n) events)") { benchmark async in
        for _ in benchmark.scaledIterations {
            let queue = EventQueue(capacity: ringCapacity)
            let producer = produce(into: queue, count: n)
            var received = 0
            var sum: Int64 = 0
            while received < n, let event = await queue.next() {
                sum &+= checksum(event)
                received += 1
            }
            producer.join()
            precondition(received == n, "the consumer must receive every event")
            blackHole(sum)
        }
    }

    Benchmark("queue handoff: EventQueue consumer thread, waitForEvents + drain (per \(n) events)") { benchmark in
        var batch: [MarketEvent] = []
        batch.reserveCapacity(256)
        for _ in benchmark.scaledIterations {
            let queue = EventQueue(capacity: ringCapacity)
            let producer = produce(into: queue, count: n)
            var received = 0
            var sum: Int64 = 0
            while received < n, queue.waitForEvents() == .ready {
                batch.removeAll(keepingCapacity: true)
                received += queue.drain(into: &batch, max: 256)
                for event in batch { sum &+= checksum(event) }
            }
            producer.join()
            precondition(received == n, "the consumer must receive every event")
            blackHole(sum)
        }
    }

    Benchmark("queue handoff: baseline bare SPSC ring, spinning consumer (per \(n) events)") { benchmark in
        for _ in benchmark.scaledIterations {
            let ring = BareRing(capacity: ringCapacity)
            let producer = ProducerThread {
                for _ in 0..<n {
                    while !ring.push(templateEvent) {}
                }
            }
            var received = 0
            var sum: Int64 = 0
            while received < n {
                if let event = ring.pop() {
                    sum &+= checksum(event)
                    received += 1
                }
            }
            producer.join()
            blackHole(sum)
        }
    }

    Benchmark("queue handoff: AsyncStream unbounded, for reference (per \(n) events)") { benchmark async in
        for _ in benchmark.scaledIterations {
            let (stream, continuation) = AsyncStream<MarketEvent>.makeStream(bufferingPolicy: .unbounded)
            let producer = ProducerThread {
                for _ in 0..<n { continuation.yield(templateEvent) }
                continuation.finish()
            }
            var received = 0
            var sum: Int64 = 0
            for await event in stream {
                sum &+= checksum(event)
                received += 1
            }
            producer.join()
            precondition(received == n, "the consumer must receive every event")
            blackHole(sum)
        }
    }
}
