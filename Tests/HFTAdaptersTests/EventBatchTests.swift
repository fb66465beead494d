import HFTAdapters
import HFTCore
import Testing

/// `EventBatch` keeps its events in memory it owns and skips destroying events that hold no references. The truth
/// here is Swift's own value semantics: the events read back equal the ones received, in order, across growth;
/// an array held by a received event is released again by `removeAll()` (a shared array buffer is copied on the
/// next write, an unshared one is written in place), except the level arrays of book events that the batch keeps
/// for the next ones (`spareLevels()`: the same buffer, emptied).
@Suite struct EventBatchTests {
    let exchange = ExchangeID(rawValue: "binance")!
    let instrument = Instrument("BTC-USDT")!

    func ticker(_ i: Int64) -> MarketEvent {
        .ticker(Ticker(
            exchange: exchange, instrument: instrument, bidPrice: ExactDecimal(mantissa64: i, scale: 2), bidSize: nil,
            askPrice: ExactDecimal(mantissa64: i + 1, scale: 2), askSize: nil, exchangeTime: nil,
            receiveTime: Timestamp(nanosecondsSinceEpoch: i)))
    }

    func trade(_ i: Int64, id: TradeID) -> MarketEvent {
        .trade(Trade(
            exchange: exchange, instrument: instrument, price: ExactDecimal(mantissa64: i, scale: 1), size: 1,
            side: .buy, tradeID: id, exchangeTime: nil, receiveTime: Timestamp(nanosecondsSinceEpoch: i)))
    }

    func book(_ levels: [BookLevel]) -> MarketEvent {
        .book(BookUpdate(
            exchange: exchange, instrument: instrument, kind: .delta, bids: levels, asks: [], exchangeTime: nil,
            receiveTime: Timestamp(nanosecondsSinceEpoch: 1)))
    }

    /// Events as `hft replay` JSON lines (every field), to compare them.
    func lines(_ events: [MarketEvent]) -> [String] { events.map(EventJSON.encode) }

    /// The address of the array's buffer after writing one element: unchanged when nobody else holds the buffer.
    func writeInPlace(_ levels: inout [BookLevel]) -> Bool {
        let before = levels.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        levels[0] = BookLevel(price: 7, size: 7)
        return levels.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } == before
    }

    @Test func eventsReadBackInOrderAcrossGrowthAndReuse() {
        var batch = EventBatch(capacity: 2)
        var expected: [MarketEvent] = []
        for i in 0..<37 {
            let id: TradeID = i % 2 == 0 ? .number(UInt64(i)) : .text("t\(i)")
            expected.append(i % 3 == 0 ? trade(Int64(i), id: id) : ticker(Int64(i)))
        }
        for round in 0..<3 {
            for e in expected { batch.receive(e) }
            #expect(batch.count == expected.count)
            #expect(lines(batch.events) == lines(expected), "round \(round)")
            var seen: [MarketEvent] = []
            batch.forEach { seen.append($0) }
            #expect(lines(seen) == lines(expected))
            #expect(lines([batch[5], batch[36]]) == lines([expected[5], expected[36]]))
            batch.removeAll()
            #expect(batch.count == 0 && batch.events.isEmpty)
        }
    }

    /// `count` levels, prices 1…count.
    func levels(_ count: Int) -> [BookLevel] {
        (1...count).map { BookLevel(price: ExactDecimal(mantissa64: Int64($0), scale: 0), size: 1) }
    }

    func address(_ levels: [BookLevel]) -> UInt { levels.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }

    @Test func removeAllKeepsLevelArraysForTheNextBookEvents() {
        var batch = EventBatch()
        batch.receive(book(levels(3)))  // bids of 3 levels; the asks are an empty array without storage
        let bids: UInt = { if case .book(let u) = batch[0] { return address(u.bids) }; return 0 }()
        batch.removeAll()
        #expect(batch.keptLevelArrays == 1)
        let reused = batch.spareLevels()
        #expect(reused.isEmpty && reused.capacity >= 3)
        #expect(address(reused) == bids, "the kept array is handed back, not a new one")
        #expect(batch.keptLevelArrays == 0)
        #expect(batch.spareLevels().capacity == 0, "none left: a new empty array")
    }

    @Test func aKeptArrayThatIsStillSharedIsCopiedNotOverwritten() {
        var held = levels(2)
        var batch = EventBatch()
        batch.receive(book(held))
        batch.removeAll()
        var reused = batch.spareLevels()
        reused.append(BookLevel(price: 9, size: 9))
        #expect(address(reused) != address(held))
        #expect(held == levels(2), "reusing an array another owner holds must not change that owner's levels")
        #expect(writeInPlace(&held), "the batch no longer holds the array once it handed it out")
    }

    @Test func removeAllWithoutKeepingLevelsReleasesThem() {
        var held = levels(2)
        var batch = EventBatch()
        batch.receive(book(held))
        batch.removeAll(keepingLevels: false)
        #expect(batch.keptLevelArrays == 0)
        #expect(writeInPlace(&held))
    }

    @Test func keepsAtMostEightSmallArrays() {
        var big = levels(EventBatch.spareArrayLevels + 1)
        var batch = EventBatch()
        batch.receive(book(big))
        batch.removeAll()
        #expect(batch.keptLevelArrays == 0)
        #expect(writeInPlace(&big), "an array larger than spareArrayLevels is released")
        for _ in 0..<(EventBatch.spareArrays + 3) { batch.receive(book(levels(1))) }
        batch.removeAll()
        #expect(batch.keptLevelArrays == EventBatch.spareArrays)
    }

    @Test func removeAllReleasesWhatEventsHold() {
        // Larger than the arrays the batch keeps for reuse.
        var held = levels(EventBatch.spareArrayLevels + 1)
        var batch = EventBatch()
        // Tickers and numeric-id trades first (nothing to destroy), then an event holding the array.
        batch.receive(ticker(1))
        batch.receive(trade(2, id: .number(2)))
        batch.receive(book(held))
        batch.receive(ticker(3))
        batch.removeAll()
        #expect(writeInPlace(&held), "the batch still holds the book's levels after removeAll()")
        // While the batch holds them, the same write must copy (the check above can fail).
        batch.receive(book(held))
        #expect(!writeInPlace(&held))
        batch.removeAll()
        #expect(writeInPlace(&held))
    }

    @Test func dropsItsEventsWhenItGoesAway() {
        var levels = [BookLevel(price: 1, size: 1)]
        do {
            var batch = EventBatch()
            batch.receive(book(levels))
            #expect(batch.count == 1)
        }
        #expect(writeInPlace(&levels), "a destroyed batch must release the events it still held")
        do {
            var batch = EventBatch()
            batch.receive(book(levels))
            batch.removeAll()
            #expect(batch.keptLevelArrays == 1)
        }
        #expect(writeInPlace(&levels), "a destroyed batch must release the level arrays it kept")
    }
}
