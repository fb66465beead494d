import HFTAdapters
import HFTCore
import Testing

/// `EventBatch` keeps its events in memory it owns and skips destroying events that hold no references. The truth
/// here is Swift's own value semantics: the events read back equal the ones received, in order, across growth;
/// and an array held by a received event is released again by `removeAll()` (a shared array buffer is copied on
/// the next write, an unshared one is written in place).
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

    @Test func removeAllReleasesWhatEventsHold() {
        var levels = [BookLevel(price: 1, size: 1), BookLevel(price: 2, size: 2)]
        var batch = EventBatch()
        // Tickers and numeric-id trades first (nothing to destroy), then an event holding the array.
        batch.receive(ticker(1))
        batch.receive(trade(2, id: .number(2)))
        batch.receive(book(levels))
        batch.receive(ticker(3))
        batch.removeAll()
        #expect(writeInPlace(&levels), "the batch still holds the book's levels after removeAll()")
        // While the batch holds them, the same write must copy (the check above can fail).
        batch.receive(book(levels))
        #expect(!writeInPlace(&levels))
        batch.removeAll()
        #expect(writeInPlace(&levels))
    }

    @Test func dropsItsEventsWhenItGoesAway() {
        var levels = [BookLevel(price: 1, size: 1)]
        do {
            var batch = EventBatch()
            batch.receive(book(levels))
            #expect(batch.count == 1)
        }
        #expect(writeInPlace(&levels), "a destroyed batch must release the events it still held")
    }
}
