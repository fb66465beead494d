import HFTAdapters
import HFTCore
import HFTExchanges
import Testing

/// Binance depth updates carry bids (`b`) and asks (`a`) as two members of `data`. The routing walk stops at the
/// first array of levels without passing over it; the parser reads it, then finds the second right after it, or
/// (in any other layout) walks the frame again. Every layout must give the same update. The frame is the diff. depth
/// stream example of Binance's WebSocket Streams documentation, in the combined-stream envelope.
@Suite struct BinanceDepthSidesTests {
    static let pair = try! Instrument(parsing: "BNB-BTC")

    static func update(_ text: String) throws -> BookUpdate? {
        let adapter = try BinanceAdapter(instruments: [pair])
        var batch = EventBatch()
        var bytes = Array(text.utf8)
        let outcome = bytes.withUnsafeMutableBytes { adapter.parse(UnsafeRawBufferPointer($0), receiveTime: Timestamp(nanosecondsSinceEpoch: 0), into: &batch) }
        #expect(outcome.disposition == .data, "\(outcome) for \(text)")
        let events = batch.events
        guard events.count == 1, case .book(let b) = events[0] else { return nil }
        return b
    }

    static let envelope = #"{"stream":"bnbbtc@depth@100ms","data":"#

    @Test(arguments: [
        // As documented: bids, then asks.
        #"{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100"]]}}"#,
        // Asks first: the walk records them on its way to the bids.
        #"{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"a":[["0.0026","100"]],"b":[["0.0024","10"]]}}"#,
        // Another member between the two: the asks are not right after the bids.
        #"{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"x":[1,{"a":[]}],"a":[["0.0026","100"]]}}"#,
        // Whitespace, as in the documentation's layout.
        #"{ "e": "depthUpdate", "E": 1672515782136, "s": "BNBBTC", "U": 157, "u": 160, "b": [ [ "0.0024", "10" ] ], "a": [ [ "0.0026", "100" ] ] } }"#,
    ])
    func everyLayoutGivesTheDocumentedLevels(data: String) throws {
        let b = try #require(try Self.update(Self.envelope + data))
        #expect(b.bids == [BookLevel(price: try ExactDecimal("0.0024"), size: try ExactDecimal("10"))])
        #expect(b.asks == [BookLevel(price: try ExactDecimal("0.0026"), size: try ExactDecimal("100"))])
        #expect(b.sequence.first == 157 && b.sequence.last == 160)
    }

    @Test func anAbsentSideGivesNoLevels() throws {
        let noAsks = try #require(try Self.update(Self.envelope + #"{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]]}}"#))
        #expect(noAsks.bids.count == 1 && noAsks.asks.isEmpty)
        let noBids = try #require(try Self.update(Self.envelope + #"{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"a":[["0.0026","100"]]}}"#))
        #expect(noBids.bids.isEmpty && noBids.asks.count == 1)
    }
}
