import HFTAdapters
import HFTBook
import HFTCore
import Testing

/// The sync state machine against hand-made sequences: each rule's gap, resync and recovery, REST buffering.
@Suite struct BookSyncTests {
    static let exchange = ExchangeID(rawValue: "test")!
    static let instrument = try! Instrument(parsing: "BTC-USDT")

    static func levels(_ pairs: [(String, String)]) -> [BookLevel] {
        pairs.map { BookLevel(price: try! ExactDecimal($0.0), size: try! ExactDecimal($0.1)) }
    }

    static func update(_ kind: BookUpdate.Kind, bids: [(String, String)] = [], asks: [(String, String)] = [],
                       first: UInt64? = nil, last: UInt64? = nil, previous: UInt64? = nil, checksum: UInt32? = nil) -> BookUpdate {
        BookUpdate(exchange: exchange, instrument: instrument, kind: kind, bids: levels(bids), asks: levels(asks),
                   sequence: BookSequence(first: first, last: last, previous: previous), checksum: checksum,
                   exchangeTime: nil, receiveTime: Timestamp(nanosecondsSinceEpoch: 0))
    }

    static func sync(_ continuity: BookIntegrity.Continuity, _ checksum: BookIntegrity.Checksum = .none) -> BookSync {
        BookSync(instrument: instrument, integrity: BookIntegrity(continuity: continuity, checksum: checksum, snapshotURL: nil))
    }

    @Test func appliesSnapshotsAndDeltasAndDeletesAtSizeZero() {
        var s = Self.sync(.none)
        #expect(s.receive(Self.update(.delta, bids: [("1", "1")])) == .none)  // before any snapshot: ignored
        #expect(s.receive(Self.update(.snapshot, bids: [("100", "1"), ("99.5", "2")], asks: [("101", "3"), ("102", "4")])) == .applied)
        #expect(s.receive(Self.update(.delta, bids: [("100", "0"), ("99.75", "5")], asks: [("100.5", "1")])) == .applied)
        #expect(s.book.bids.all.map(\.price.description) == ["99.75", "99.5"])
        #expect(s.book.asks.all.map(\.price.description) == ["100.5", "101", "102"])
        #expect(s.book.bestBid?.size.description == "5")
        // A finer price widens the key scale without disturbing the order.
        #expect(s.receive(Self.update(.delta, bids: [("99.6125", "1")])) == .applied)
        #expect(s.book.bids.all.map(\.price.description) == ["99.75", "99.6125", "99.5"])
        #expect(s.book.keyScale == 4)
    }

    /// Levels come back exactly as received: the price's own scale, sizes too large for the packed form.
    @Test func levelsKeepTheirTextThroughTheCompactStorage() throws {
        var book = OrderBook(instrument: Self.instrument)
        try book.apply(bids: Self.levels([("30243.4", "0.0012029"), ("30243", "123456789012345678.5"), ("30242.99", "7")]),
                       asks: Self.levels([("30250", "1.50"), ("30250.10", "2")]))
        #expect(book.bids.all.map { "\($0.price.plainText)/\($0.size.plainText)" }
                == ["30243.4/0.0012029", "30243/123456789012345678.5", "30242.99/7"])
        #expect(book.asks.all.map { "\($0.price.plainText)/\($0.size.plainText)" } == ["30250/1.50", "30250.10/2"])
        try book.apply(bids: Self.levels([("30243.00", "0")]), asks: [])  // the same price in another form deletes it
        #expect(book.bids.count == 2)
    }

    @Test func aCrossedBookIsNeverValid() {
        var s = Self.sync(.none)
        _ = s.receive(Self.update(.snapshot, bids: [("100", "1")], asks: [("101", "1")]))
        #expect(s.receive(Self.update(.delta, bids: [("101", "1")])) == .resync(.crossed))
        #expect(!s.isValid)
        #expect(s.receive(Self.update(.delta, asks: [("105", "1")])) == .none)  // ignored until a new snapshot
        #expect(s.receive(Self.update(.snapshot, bids: [("100", "1")], asks: [("101", "1")])) == .applied)
        #expect(s.isValid)
    }

    @Test(arguments: [
        // rule, good follow-up, gap
        (BookIntegrity.Continuity.increment, (first: UInt64?.none, last: UInt64?(11), previous: UInt64?.none), (first: UInt64?.none, last: UInt64?(13), previous: UInt64?.none)),
        (.okxSeqId, (nil, 12, 10), (nil, 14, 11)),
        (.connectionIncrement, (nil, 15, nil), (nil, 9, nil)),
    ])
    func webSocketRulesDetectGaps(rule: BookIntegrity.Continuity,
                                  good: (first: UInt64?, last: UInt64?, previous: UInt64?),
                                  gap: (first: UInt64?, last: UInt64?, previous: UInt64?)) {
        var s = Self.sync(rule)
        #expect(s.receive(Self.update(.snapshot, bids: [("1", "1")], asks: [("2", "1")], last: 10)) == .applied)
        #expect(s.receive(Self.update(.delta, bids: [("1", "2")], first: good.first, last: good.last, previous: good.previous)) == .applied)
        let action = s.receive(Self.update(.delta, bids: [("1", "3")], first: gap.first, last: gap.last, previous: gap.previous))
        guard case .resync(.gap) = action else {
            Issue.record("expected a gap, got \(action)")
            return
        }
        #expect(!s.isValid)
        #expect(s.book.bids.isEmpty)
    }

    /// Binance spot's documented recipe: drop `u <= lastUpdateId`, first applied has `U <= id+1 <= u`, then
    /// `U = previous u + 1`.
    @Test func binanceSpotBuffersUntilTheSnapshotAndBridgesIt() {
        var s = Self.sync(.binanceSpot)
        #expect(s.receive(Self.update(.delta, bids: [("1", "1")], first: 95, last: 100)) == .fetchSnapshot)
        #expect(s.receive(Self.update(.delta, bids: [("1", "2")], first: 101, last: 104)) == .none)  // buffered
        #expect(s.receive(Self.update(.delta, asks: [("3", "7")], first: 105, last: 110)) == .none)
        // Snapshot at 102: the first delta is covered (dropped), 101…104 bridges it, 105…110 follows.
        let snapshot = Self.update(.snapshot, bids: [("1", "9")], asks: [("2", "1")], last: 102)
        #expect(s.receiveSnapshot(snapshot) == .applied)
        #expect(s.book.bestBid?.size.description == "2")
        #expect(s.book.asks.count == 2)
        #expect(s.receive(Self.update(.delta, bids: [("1", "4")], first: 111, last: 111)) == .applied)
        #expect(s.receive(Self.update(.delta, bids: [("1", "5")], first: 113, last: 115)) == .resync(.gap(expected: 112, received: 113)))
        #expect(s.receive(Self.update(.delta, bids: [("1", "6")], first: 116, last: 118)) == .none)  // buffered, snapshot already asked
    }

    @Test func binanceSpotSnapshotOlderThanTheBufferIsStale() {
        var s = Self.sync(.binanceSpot)
        _ = s.receive(Self.update(.delta, bids: [("1", "1")], first: 200, last: 210))
        let action = s.receiveSnapshot(Self.update(.snapshot, bids: [("1", "9")], last: 150))
        #expect(action == .resync(.staleSnapshot(lastUpdateID: 150, firstBuffered: 200)))
    }

    /// Binance USD-M: drop `u < lastUpdateId`, first applied has `U <= id <= u`, then `pu = previous u`.
    @Test func binanceFuturesChecksPreviousU() {
        var s = Self.sync(.binanceFutures)
        #expect(s.receiveSnapshot(Self.update(.snapshot, bids: [("1", "9")], asks: [("2", "1")], last: 100)) == .applied)
        #expect(s.receive(Self.update(.delta, bids: [("1", "1")], first: 90, last: 99, previous: 89)) == .none)  // covered
        #expect(s.receive(Self.update(.delta, bids: [("1", "2")], first: 98, last: 103, previous: 99)) == .applied)
        #expect(s.receive(Self.update(.delta, bids: [("1", "3")], first: 104, last: 106, previous: 103)) == .applied)
        #expect(s.receive(Self.update(.delta, bids: [("1", "4")], first: 108, last: 109, previous: 107)) == .resync(.gap(expected: 106, received: 107)))
    }

    @Test func restBufferIsBounded() {
        var s = BookSync(instrument: Self.instrument,
                         integrity: BookIntegrity(continuity: .binanceSpot, checksum: .none, snapshotURL: nil), bufferLimit: 3)
        #expect(s.receive(Self.update(.delta, first: 1, last: 1)) == .fetchSnapshot)
        _ = s.receive(Self.update(.delta, first: 2, last: 2))
        _ = s.receive(Self.update(.delta, first: 3, last: 3))
        #expect(s.receive(Self.update(.delta, first: 4, last: 4)) == .resync(.bufferOverflow(limit: 3)))
    }

    @Test func checksumZeroIsNotChecked() {
        // Current OKX frames send checksum 0 (deprecated): nothing to verify.
        var s = Self.sync(.okxSeqId, .okxCRC32Top25)
        #expect(s.receive(Self.update(.snapshot, bids: [("1", "1")], asks: [("2", "1")], last: 1, checksum: 0)) == .applied)
        #expect(s.checksumsVerified == 0)
        #expect(s.receive(Self.update(.delta, bids: [("1", "2")], last: 2, previous: 1, checksum: 12345)) != .applied)
    }

    @Test func overflowInvalidatesTheBook() {
        var s = Self.sync(.none)
        _ = s.receive(Self.update(.snapshot, bids: [("1", "1")], asks: [("2", "1")]))
        #expect(s.overflowed() == .resync(.overflow))
        #expect(!s.isValid)
    }
}
