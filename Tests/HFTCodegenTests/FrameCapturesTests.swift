@testable import HFTCodegen
import Testing

/// Which kinds continue from the routing walk, and what it captures for them (the rules in `FrameCaptures`).
@Suite struct FrameCapturesTests {
    static func captures(_ messages: String) throws -> (FrameCaptures, ExchangeSpec) {
        let spec = try SpecReader.read(file: "specs/demo.json", text: SpecReaderTests.spec(messages: messages))
        return (FrameCaptures(spec: spec), spec)
    }

    /// Kinds reading plain frame-level paths share one slot per path; `[*]` at frame level, or two frame-level
    /// level arrays on one side, keep the kind's own walk.
    @Test func decidesWhichKindsContinueFromTheRoute() throws {
        let (captures, spec) = try Self.captures("""
            [
                {"kind": "trade", "when": {"$.channel": "trades"}, "emit": "trade", "each": "$.data[*]",
                 "fields": {"symbol": "$.arg.s", "price": "@.p", "size": "@.q", "side": {"path": "@.side", "map": {"b": "buy", "s": "sell"}}}},
                {"kind": "ticker", "when": {"$.channel": "tickers"}, "emit": "ticker",
                 "fields": {"symbol": "$.arg.s", "bidPrice": "$.b", "askPrice": "$.a"}},
                {"kind": "depth", "when": {"$.channel": "depth"}, "emit": "book", "book": "delta", "fields": {"symbol": "$.arg.s"},
                 "levels": [{"path": "$.bids[*]", "side": "bid", "price": "@[0]", "size": "@[1]"},
                            {"path": "$.asks[*]", "side": "ask", "price": "@[0]", "size": "@[1]"}]},
                {"kind": "every", "when": {"$.channel": "every"}, "emit": "book", "book": "delta", "fields": {"symbol": "$.arg.s"},
                 "levels": [{"path": "$[*].b[*]", "side": "bid", "price": "@[0]", "size": "@[1]"}]},
                {"kind": "sameside", "when": {"$.channel": "sameside"}, "emit": "book", "book": "delta", "fields": {"symbol": "$.arg.s"},
                 "levels": [{"path": "$.b1[*]", "side": "bid", "price": "@[0]", "size": "@[1]"},
                            {"path": "$.b2[*]", "side": "bid", "price": "@[0]", "size": "@[1]"}]}
              ]
            """)
        #expect(spec.messages.indices.map(captures.continuesFromRoute) == [true, true, true, false, false])
        // `$.arg.s` is read by three kinds and captured once.
        #expect(captures.slots.filter { $0.path.text == "$.arg.s" }.count == 1)
        let symbol = try #require(captures.slot(spec.messages[0].fields[0].path, offset: false))
        let data = try #require(captures.slot(spec.messages[0].each[0], offset: true))
        #expect(captures.needs[0] == (UInt64(1) << UInt64(symbol.bit)) | (UInt64(1) << UInt64(data.bit)))
        // The depth kind's level arrays are positions, one per side.
        #expect(captures.slots.filter(\.isOffset).map(\.path.text).sorted() == ["$.asks[*]", "$.bids[*]", "$.data[*]"])
    }

    /// At most 63 slots: a kind whose slots would not fit walks the frame itself.
    @Test func kindsBeyondSixtyThreeSlotsWalkTheFrameThemselves() throws {
        func kind(_ k: Int) -> String {
            let fields = (0..<3).map { #""\#(["bidPrice", "askPrice", "lastPrice"][$0])": "$.k\#(k).f\#($0)""# }.joined(separator: ", ")
            return #"{"kind": "t\#(k)", "when": {"$.channel": "c\#(k)"}, "emit": "ticker", "fields": {"symbol": "$.s", \#(fields)}}"#
        }
        // One symbol slot shared by all, 3 more per kind: 20 kinds take 61 slots, a 21st would need 64.
        let (captures, spec) = try Self.captures("[" + (0..<22).map(kind).joined(separator: ",\n") + "]")
        #expect(captures.slots.count <= 63)
        #expect(spec.messages.indices.filter(captures.continuesFromRoute).count == 20)
        #expect(!captures.continuesFromRoute(20) && !captures.continuesFromRoute(21))
    }
}
