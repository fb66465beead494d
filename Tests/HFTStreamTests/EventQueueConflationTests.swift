#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HFTCore
import HFTStream
import Testing

/// `.conflateBySymbol`: the latest ticker of every instrument survives a stalled or slow consumer, each
/// instrument's tickers keep their order, and the counts add up.
@Suite struct EventQueueConflationTests {
    typealias Key = (exchange: ExchangeID, instrument: Instrument)

    /// Five instruments, two of them the same instrument on two exchanges (which must not conflate together).
    static let keys: [Key] = [
        (TestEvents.binance, TestEvents.btc), (TestEvents.binance, TestEvents.eth), (TestEvents.okx, TestEvents.btc),
        (TestEvents.binance, TestEvents.sol), (TestEvents.okx, TestEvents.xrp),
    ]

    static func keyIndex(of event: MarketEvent) -> Int {
        guard case .ticker(let t) = event else { return -1 }
        return keys.firstIndex { $0.exchange == t.exchange && $0.instrument == t.instrument } ?? -1
    }

    /// A stalled consumer, 3000 tickers into 16 slots. Independent truth from the input alone: the first 16 go
    /// into the ring; after that a ticker conflates exactly when its instrument already overflowed; the consumer
    /// gets the 16, then the last ticker of every instrument that overflowed (in first-overflow order).
    @Test func aStalledConsumerGetsTheLatestTickerOfEveryInstrument() async {
        let capacity = 16
        var random = TestEvents.Random(state: 42)
        let choices = (0..<3000).map { _ in Int.random(in: 0..<Self.keys.count, using: &random) }
        let queue = EventQueue(capacity: capacity, policy: .conflateBySymbol)
        let results = Shared<[PushResult]>([])
        let producer = TestThread {
            var local: [PushResult] = []
            for (n, k) in choices.enumerated() {
                local.append(queue.push(TestEvents.ticker(n, instrument: Self.keys[k].instrument, exchange: Self.keys[k].exchange)))
            }
            results.update { $0 = local }
        }
        await producer.finished()

        // Truth.
        var expectedResults = Array(repeating: PushResult.enqueued, count: capacity)
        var overflowOrder: [Int] = []
        var lastOf: [Int: Int] = [:]
        for n in capacity..<choices.count {
            let k = choices[n]
            expectedResults.append(overflowOrder.contains(k) ? .conflated : .enqueued)
            if !overflowOrder.contains(k) { overflowOrder.append(k) }
            lastOf[k] = n
        }
        let expectedDelivery = Array(0..<capacity) + overflowOrder.map { lastOf[$0]! }
        let expectedConflated = choices.count - capacity - overflowOrder.count

        #expect(results.value == expectedResults)
        var stats = queue.statistics
        #expect(stats.conflated == expectedConflated)
        #expect(stats.depth == capacity + overflowOrder.count)
        #expect(stats.dropped == 0)

        var delivered: [MarketEvent] = []
        while let event = queue.pop() { delivered.append(event) }
        #expect(delivered.map(TestEvents.sequence) == expectedDelivery)
        for event in delivered.suffix(overflowOrder.count) {
            #expect(choices[TestEvents.sequence(event)] == Self.keyIndex(of: event), "a ticker must keep its instrument")
        }
        stats = queue.statistics
        #expect(stats.pushed == stats.delivered + stats.conflated)
        #expect(stats.depth == 0)

        // The side path is done: the ring is used again, in order.
        #expect(queue.push(TestEvents.ticker(5000, instrument: TestEvents.btc)) == .enqueued)
        #expect(queue.push(TestEvents.ticker(5001, instrument: TestEvents.btc)) == .enqueued)
        #expect(queue.pop().map(TestEvents.sequence) == 5000)
        #expect(queue.pop().map(TestEvents.sequence) == 5001)
    }

    /// A consumer that is first held back, then runs concurrently with a producer pushing much faster than it
    /// consumes: for every instrument, tickers arrive in push order and the last one seen is the last pushed.
    @Test(.timeLimit(.minutes(1)))
    func aConcurrentSlowConsumerSeesEveryInstrumentsTickersInOrderEndingWithTheLatest() async {
        let count = 200_000
        var random = TestEvents.Random(state: 7)
        let choices = (0..<count).map { _ in Int.random(in: 0..<Self.keys.count, using: &random) }
        var truthLast: [Int: Int] = [:]
        for (n, k) in choices.enumerated() { truthLast[k] = n }

        let queue = EventQueue(capacity: 8, policy: .conflateBySymbol)
        let gate = Gate()
        let producer = TestThread {
            for (n, k) in choices.enumerated() {
                if n == 1000 { gate.release() }  // the first 1000 overflow for sure: nobody consumes yet
                queue.push(TestEvents.ticker(n, instrument: Self.keys[k].instrument, exchange: Self.keys[k].exchange))
            }
            queue.close()
        }
        await gate.wait()
        var lastSeen: [Int: Int] = [:]
        var outOfOrder = 0, wrongInstrument = 0, received = 0
        for await event in queue {
            let n = TestEvents.sequence(event), k = Self.keyIndex(of: event)
            if choices[n] != k { wrongInstrument += 1 }
            if let previous = lastSeen[k], previous >= n { outOfOrder += 1 }
            lastSeen[k] = n
            received += 1
            if received % 997 == 0 { await Task.yield() }
        }
        await producer.finished()

        #expect(outOfOrder == 0)
        #expect(wrongInstrument == 0)
        #expect(lastSeen == truthLast)
        let stats = queue.statistics
        #expect(stats.conflated > 0)
        #expect(stats.dropped == 0)
        #expect(stats.pushed == count)
        #expect(stats.pushed == stats.delivered + stats.conflated)
        #expect(stats.delivered == received)
    }

    /// Conflation is for tickers: a trade that does not fit into a conflating queue is dropped and reported;
    /// one that fits while tickers are held aside is accepted.
    @Test func tradesInAConflatingQueueAreDroppedWhenTheyDoNotFit() {
        let queue = EventQueue(capacity: 2, policy: .conflateBySymbol)
        #expect(queue.push(TestEvents.ticker(0, instrument: TestEvents.btc)) == .enqueued)
        #expect(queue.push(TestEvents.ticker(1, instrument: TestEvents.btc)) == .enqueued)
        #expect(queue.push(TestEvents.ticker(2, instrument: TestEvents.btc)) == .enqueued)  // held aside
        #expect(queue.push(TestEvents.trade(3)) == .dropped)
        #expect(queue.pop().map(TestEvents.sequence) == 0)
        #expect(queue.push(TestEvents.trade(4)) == .enqueued)  // room in the ring
        #expect(queue.push(TestEvents.ticker(5, instrument: TestEvents.btc)) == .conflated)  // replaces 2
        #expect(queue.push(TestEvents.trade(6)) == .dropped)
        var order: [Int] = []
        while let event = queue.pop() { order.append(TestEvents.sequence(event)) }
        #expect(order == [1, 4, 5])
        let stats = queue.statistics
        #expect(stats.dropped == 2)
        #expect(stats.conflated == 1)
        #expect(stats.pushed == stats.delivered + stats.dropped + stats.conflated)
    }
}
