import HFTAdapters
import HFTCore
import HFTExchanges
import Testing

/// Kraken v1 snapshots and updates are one spec message (`"book": {"snapshotIfPresent": "$[1].as"}`): routing
/// decides from the channel name at the frame's end, and the parser tells the two apart. Frames in the form of Kraken's
/// WebSocket v1 documentation examples (book channel; levels trimmed). v1 checksums come with updates only.
@Suite struct KrakenBookMessageTests {
    static let pair = try! Instrument(parsing: "BTC-USD")

    static func parse(_ text: String) throws -> (FrameOutcome, [MarketEvent]) {
        let adapter = try KrakenAdapter(instruments: [pair])
        var batch = EventBatch()
        var bytes = Array(text.utf8)
        let outcome = bytes.withUnsafeMutableBytes { adapter.parse(UnsafeRawBufferPointer($0), receiveTime: Timestamp(nanosecondsSinceEpoch: 0), into: &batch) }
        return (outcome, batch.events)
    }

    static func book(_ events: [MarketEvent]) -> BookUpdate? {
        guard events.count == 1, case .book(let b) = events[0] else { return nil }
        return b
    }

    @Test func aSnapshotIsTheFrameWithAnAsMember() throws {
        let (outcome, events) = try Self.parse(#"[0,{"as":[["5541.30000","2.50700000","1534614248.123678"],["5541.80000","0.33000000","1534614098.345543"]],"bs":[["5541.20000","1.52900000","1534614248.765567"]]},"book-100","XBT/USD"]"#)
        #expect(outcome.kind.description == "book" && outcome.disposition == .data)
        let b = try #require(Self.book(events))
        #expect(b.kind == .snapshot && b.checksum == nil)
        #expect(b.asks.map(\.price) == [try ExactDecimal("5541.30000"), try ExactDecimal("5541.80000")])
        #expect(b.bids.map(\.size) == [try ExactDecimal("1.52900000")])
        // Empty sides still make a snapshot: the member is present.
        let (_, empty) = try Self.parse(#"[0,{"as":[],"bs":[]},"book-100","XBT/USD"]"#)
        #expect(Self.book(empty)?.kind == .snapshot)
    }

    @Test func anUpdateNeedsItsChecksum() throws {
        let (outcome, events) = try Self.parse(#"[1234,{"a":[["5541.30000","2.50700000","1534614248.456738"]],"c":"974942666"},"book-10","XBT/USD"]"#)
        #expect(outcome.disposition == .data)
        let b = try #require(Self.book(events))
        #expect(b.kind == .delta && b.checksum == 974942666 && b.bids.isEmpty && b.asks.count == 1)
        let (missing, none) = try Self.parse(#"[1234,{"a":[["5541.30000","2.50700000","1534614248.456738"]]},"book-10","XBT/USD"]"#)
        #expect(missing.disposition == .failed(FrameFailure(field: "$[*].c", reason: .missingField)))
        #expect(none.isEmpty)
    }
}
