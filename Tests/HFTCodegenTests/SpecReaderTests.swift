import HFTCodegen
import HFTExchanges
import Testing

/// The spec compiler's front end: JSON with positions, validation with file:line diagnostics.
@Suite struct SpecReaderTests {
    /// A small complete spec; tests change one part of it at a time.
    static func spec(exchange: String = "demo", extra: String = "", messages: String? = nil) -> String {
        """
        {
          "exchange": "\(exchange)",
          "title": "Demo exchange",
          "documentation": "https://example.com/api",
          "symbols": {"spot": {"template": "{base}-{quote}", "case": "upper"}},
          "channels": {"trade": {"native": "trades"}},
          "connections": [{"name": "public", "url": "wss://example.com/ws", "channels": ["trade"], "subscription": "messages"}],
          "subscribe": {"grouping": "per_channel", "message": {"op": "subscribe", "channel": "{channel}", "symbols": "{symbols}"}},
          "heartbeat": {"ping": {"text": "ping"}, "intervalSeconds": 20, "staleAfterSeconds": 30},\(extra)
          "messages": \(messages ?? """
        [
            {"kind": "pong", "text": "pong", "control": "pong"},
            {"kind": "trade", "when": {"$.channel": "trades"}, "emit": "trade", "each": "$.data[*]",
             "fields": {"symbol": "@.s", "price": "@.p", "size": "@.q", "side": {"path": "@.side", "map": {"b": "buy", "s": "sell"}}}}
          ]
        """),
          "conformance": {"cases": [{"name": "one trade", "frame": "{}", "events": []}]}
        }
        """
    }

    @Test func readsAValidSpec() throws {
        let spec = try SpecReader.read(file: "specs/demo.json", text: Self.spec())
        #expect(spec.exchange == "demo")
        #expect(spec.messages.map(\.kind) == ["pong", "trade"])
        #expect(spec.messages[1].each.map(\.text) == ["$.data[*]"])
        #expect(spec.heartbeat.staleAfterSeconds == 30)
    }

    @Test func reportsEveryProblemWithFileLineAndPath() {
        let text = Self.spec(exchange: "Demo", extra: "\n  \"reconect\": {},", messages: """
            [
                {"kind": "trade", "when": {"$.channel": "trades"}, "emit": "trade",
                 "fields": {"symbol": "$.s", "price": "$.p", "size": "$.q", "side": "$.side", "colour": "$.c"}},
                {"kind": "bad", "when": {"channel": "x"}, "control": "ack"}
              ]
            """)
        do {
            _ = try SpecReader.read(file: "specs/demo.json", text: text)
            Issue.record("invalid spec accepted")
        } catch {
            #expect(error.diagnostics.map(\.description) == [
                "specs/demo.json:2: error: $.exchange: 'Demo' is not an exchange identifier: use 1–32 of a-z, 0-9, '_', starting with a letter",
                "specs/demo.json:10: error: $.reconect: unknown member; known members here: book, channels, conformance, connections, documentation, exchange, heartbeat, messages, reconnect, subscribe, symbols, title",
                "specs/demo.json:13: error: $.messages[0].fields.side: sides need a \"map\" from the exchange's values to buy or sell",
                "specs/demo.json:13: error: $.messages[0].fields.colour: trade events have no field 'colour'; fields: symbol, price, size, side, tradeId, exchangeTime",
                "specs/demo.json:14: error: $.messages[1].when.channel: invalid path 'channel': a path starts with $ (the frame) or @ (the current element)",
                "specs/demo.json:14: error: $.messages[1]: give 'when' conditions (or 'text' for a non-JSON frame) to recognize this kind",
            ])
        }
    }

    /// `"book"` is a fixed kind or `{"snapshotIfPresent": path}`; `"optional": "snapshot"` belongs to the latter.
    @Test func readsBookKindsAndReportsTheirMisuse() throws {
        func messages(_ kind: String, _ checksum: String) -> String {
            #"[{"kind": "book", "when": {"$[-2]": "book"}, "emit": "book", "book": "# + kind
                + #", "fields": {"symbol": "$[-1]", "checksum": "# + checksum + "}}]"
        }
        let merged = try SpecReader.read(file: "specs/demo.json", text: Self.spec(
            messages: messages(#"{"snapshotIfPresent": "$[*].as"}"#, #"{"path": "$[*].c", "optional": "snapshot"}"#)))
        #expect(merged.messages[0].snapshotIfPresent?.text == "$[*].as")
        #expect(merged.messages[0].bookKind == nil)
        #expect(merged.messages[0].fields.map { [$0.name: $0.required && $0.optionalInSnapshots] } == [["symbol": false], ["checksum": true]])
        let fixed = try SpecReader.read(file: "specs/demo.json", text: Self.spec(messages: messages(#""delta""#, #""$[1].c""#)))
        #expect(fixed.messages[0].bookKind == "delta" && fixed.messages[0].snapshotIfPresent == nil)

        for (kind, checksum, expected) in [
            (#""full""#, #""$[1].c""#,
             #"specs/demo.json:10: error: $.messages[0].book: book messages need "book": "snapshot", "delta" or {"snapshotIfPresent": path}"#),
            (#"{"snapshotIfPresent": "$[*].as[*]"}"#, #""$[1].c""#,
             "specs/demo.json:10: error: $.messages[0].book.snapshotIfPresent: name the member whose presence marks a snapshot (e.g. $[*].as), not a whole array's elements"),
            (#""delta""#, #"{"path": "$[1].c", "optional": "snapshot"}"#,
             #"specs/demo.json:10: error: $.messages[0].fields.checksum.optional: expected true or false ("snapshot" is for messages with "book": {"snapshotIfPresent": …})"#),
        ] {
            do {
                _ = try SpecReader.read(file: "specs/demo.json", text: Self.spec(messages: messages(kind, checksum)))
                Issue.record("accepted \(kind) with \(checksum)")
            } catch {
                #expect(error.diagnostics.map(\.description) == [expected])
            }
        }
    }

    /// The router keeps one bit per distinct value test of a routing path: a 65th is a spec error.
    @Test func limitsValueTestsPerRoutingPath() throws {
        func kinds(_ n: Int) -> String {
            "[" + (0..<n).map { #"{"kind": "k\#($0)", "when": {"$.channel": "c\#($0)"}, "control": "status"}"# }.joined(separator: ",\n") + "]"
        }
        _ = try SpecReader.read(file: "specs/demo.json", text: Self.spec(messages: kinds(64)))
        do {
            _ = try SpecReader.read(file: "specs/demo.json", text: Self.spec(messages: kinds(65)))
            Issue.record("65 value tests on one path accepted")
        } catch {
            #expect(error.diagnostics.map(\.description) == [
                "specs/demo.json:74: error: $.messages[64].when: more than 64 different value tests on $.channel; route on another field first",
            ])
        }
    }

    @Test func readsPermessageDeflatePerConnection() throws {
        let plain = try SpecReader.read(file: "specs/demo.json", text: Self.spec())
        #expect(plain.connections.map(\.permessageDeflate) == [false])
        #expect(!AdapterRenderer(plain).render().contains("permessageDeflate"))
        let asking = Self.spec().replacing(#""subscription": "messages"}]"#, with: #""subscription": "messages", "permessageDeflate": true}]"#)
        let deflate = try SpecReader.read(file: "specs/demo.json", text: asking)
        #expect(deflate.connections.map(\.permessageDeflate) == [true])
        #expect(AdapterRenderer(deflate).render().contains("permessageDeflate: true"))
        let wrong = Self.spec().replacing(#""subscription": "messages"}]"#, with: #""subscription": "messages", "permessageDeflate": "yes"}]"#)
        do {
            _ = try SpecReader.read(file: "specs/demo.json", text: wrong)
            Issue.record("a string permessageDeflate was accepted")
        } catch {
            #expect(error.diagnostics.map(\.description) == [
                "specs/demo.json:7: error: $.connections[0].permessageDeflate: expected true or false; found a string",
            ])
        }
    }

    @Test func theScaffoldIsAValidSpec() throws {
        let spec = try SpecReader.read(file: "specs/new_exchange.json", text: SpecScaffold.render(exchange: "new_exchange"))
        #expect(spec.messages.map(\.kind) == ["pong", "subscribed", "error", "trade"])
        #expect(spec.conformance.cases.count == 1)
    }

    @Test func requiresTheFileNameToMatchTheExchange() {
        #expect(throws: SpecDiagnostics.self) { try SpecReader.read(file: "specs/okx_swap.json", text: Self.spec(exchange: "okx")) }
    }

    @Test func reportsJSONSyntaxErrorsAtTheirLine() {
        let text = "{\n  \"exchange\": \"okx\",\n  \"title\": \"OKX\"\n  \"documentation\": \"x\"\n}"
        do {
            _ = try SpecReader.read(file: "specs/okx.json", text: text)
            Issue.record("invalid JSON accepted")
        } catch {
            #expect(error.description == "specs/okx.json:4: error: $: invalid JSON at column 3: expected ',' or '}' in object")
        }
    }

    @Test func parsesJSONWithPositions() throws {
        let node = try JSONSourceParser.parse("[1.50, \"a\\u00e9\\n\",\n {\"k\": [true, null, -2e-3]}]")
        guard case .array(let items) = node.value else { Issue.record("not an array"); return }
        #expect(items[0].value == .number("1.50"))  // numbers keep their text
        #expect(items[1].value == .string("aé\n"))
        #expect(items[2].position == SourcePosition(line: 2, column: 2))
        #expect(throws: JSONSyntaxError.self) { try JSONSourceParser.parse("[1,]") }
        #expect(throws: JSONSyntaxError.self) { try JSONSourceParser.parse("{\"a\":1} x") }
        #expect(throws: JSONSyntaxError.self) { try JSONSourceParser.parse("\"\\ud800\"") }
    }

    @Test func rendersDeterministicCode() throws {
        let a = try SpecReader.read(file: "specs/okx.json", text: Self.spec(exchange: "okx"))
        let b = try SpecReader.read(file: "specs/demo.json", text: Self.spec())
        let catalog = CatalogRenderer.render([a, b])
        #expect(catalog == CatalogRenderer.render([b, a]))
        #expect(catalog.hasPrefix("// generated from specs/*.json by hft-codegen, do not edit\n"))
        let ids = catalog.split(separator: "\n").filter { $0.contains("id: ExchangeID") }
        #expect(ids.count == 2 && ids[0].contains("\"demo\"") && ids[1].contains("\"okx\""))
        let adapter = AdapterRenderer(b).render()
        #expect(adapter == AdapterRenderer(b).render())
        #expect(adapter.hasPrefix("// generated from specs/demo.json by hft-codegen, do not edit\n"))
        #expect(adapter.contains("public struct DemoAdapter: ExchangeAdapter"))
    }

    @Test func theBuildCompiledTheSpecsFolder() {
        // The plugin ran during the build: the catalog holds one entry per spec in specs/, naming its file.
        #expect(ExchangeCatalog.descriptor(for: .init(rawValue: "binance")!)?.specFile == "specs/binance.json")
        for descriptor in ExchangeCatalog.all {
            #expect(descriptor.specFile == "specs/\(descriptor.id).json")
        }
        #expect(ExchangeCatalog.descriptor(for: .init(rawValue: "no_such_exchange")!) == nil)
    }
}
