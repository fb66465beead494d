import Foundation
import HFTCore
import HFTSimulator
import HFTStream
import Synchronization
import Testing

/// An observer that blocks in its first `onEvent` until the test opens its gate, then sleeps a little per event.
final class SlowObserver: StreamObserver, @unchecked Sendable {
    let collected = CollectingObserver()
    let gate = DispatchSemaphore(value: 0)
    let entered = Atomic<Bool>(false)
    func onEvent(_ event: MarketEvent) {
        if !entered.exchange(true, ordering: .acquiringAndReleasing) { gate.wait() }
        collected.onEvent(event)
        usleep(1_000)
    }
    func onHealth(_ event: HealthEvent) { collected.onHealth(event) }
}

/// Several observers bound to one stream over real sockets: each gets every event through its own queues; a
/// slow one holds back neither the others nor the stream, and what it loses is reported, never silent.
@Suite(.serialized) struct StreamObserverTests {
    @Test func aSlowObserverDelaysNoOtherAndItsOverflowIsReported() async throws {
        let fixture = try ReplayFixture(exchange: "binance", capture: "binance.jsonl")
        let simulator = try fixture.simulator()
        defer { simulator.stop() }
        let stream = try fixture.stream(endpoint: simulator.baseURL)
        // Bound first: the stream pushes each event to it before the others.
        let slow = SlowObserver()
        let slowBinding = stream.bind(slow, queueCapacity: 8)
        let fast = [CollectingObserver(), CollectingObserver()]
        for observer in fast { stream.bind(observer) }
        try stream.start()
        defer { stream.stop() }
        let expected = fixture.expected

        // The fast observers get everything while the slow one is still stuck in its first event.
        #expect(await fast[0].wait { fast.allSatisfy { $0.count == expected.count } }, "\(fast.map(\.count)) of \(expected.count)")
        let slowEntered = slow.entered.load(ordering: .acquiring)
        #expect(slowEntered)
        #expect(slow.collected.count == 0)
        for observer in fast {
            #expect(ReplayFixture.grouped(observer.events.withLock { $0 }) == ReplayFixture.grouped(expected))
            #expect(!observer.kinds.map(\.name).contains("overflow"))
        }

        // Released, the slow one drains what its queues kept.
        slow.gate.signal()
        let queues = slowBinding.queuesByChannel
        let drained = await slow.collected.wait {
            let delivered = queues.reduce(0) { $0 + $1.queue.statistics.delivered }
            let dropped = queues.first { $0.channel == .l2Book }?.queue.statistics.dropped ?? 0
            let reported = slow.collected.kinds.contains(.overflow(channel: .l2Book, dropped: dropped))
            return queues.allSatisfy { $0.queue.statistics.depth == 0 } && slow.collected.count == delivered && reported
        }
        #expect(drained)
        let got = ReplayFixture.grouped(slow.collected.events.withLock { $0 })
        let want = ReplayFixture.grouped(expected)
        // Books and trades: dropped when full, never reordered; every drop is counted and reported.
        let bookStatistics = try #require(queues.first { $0.channel == .l2Book }).queue.statistics
        let books = want.filter { $0.key.hasPrefix("l2_book ") }
        let booksGot = got.filter { $0.key.hasPrefix("l2_book ") }
        for (key, lines) in booksGot { #expect(isSubsequence(lines, of: books[key] ?? []), "\(key)") }
        #expect(booksGot.values.reduce(0) { $0 + $1.count } + bookStatistics.dropped == books.values.reduce(0) { $0 + $1.count })
        let overflow = slow.collected.kinds.compactMap { kind -> Int? in
            if case .overflow(.l2Book, let dropped) = kind { return dropped } else { return nil }
        }
        #expect(!overflow.isEmpty, "health: \(slow.collected.healthText)")
        #expect(overflow.allSatisfy { $0 >= 1 && $0 <= bookStatistics.dropped })
        #expect(overflow.last == bookStatistics.dropped, "the exact total is reported once the observer caught up")
        // Tickers conflate: in order, and the latest of every instrument arrives.
        for (key, lines) in want where key.hasPrefix("ticker ") {
            let received = got[key] ?? []
            #expect(isSubsequence(received, of: lines), "\(key)")
            #expect(received.last == lines.last, "\(key)")
        }
    }
}
