import HFTCodegen
import HFTExchanges
import Testing

/// The spec compiler's front end: JSON with positions, validation with file:line diagnostics.
@Suite struct SpecReaderTests {
    @Test func readsAValidSpec() throws {
        let text = """
            {
              "$schema": "./exchange-spec.schema.json",
              "exchange": "binance",
              "title": "Binance spot",
              "documentation": "https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams"
            }
            """
        let spec = try SpecReader.read(file: "specs/binance.json", text: text)
        #expect(spec.exchange == "binance")
        #expect(spec.title == "Binance spot")
    }

    @Test func reportsEveryProblemWithFileLineAndPath() {
        let text = """
            {
              "exchange": "Binance",
              "title": "",
              "documentaton": "https://example.com",
              "exchange": "binance"
            }
            """
        do {
            _ = try SpecReader.read(file: "specs/binance.json", text: text)
            Issue.record("invalid spec accepted")
        } catch {
            #expect(error.diagnostics.map(\.description) == [
                "specs/binance.json:1: error: $: missing member 'documentation'",
                "specs/binance.json:2: error: $.exchange: 'Binance' is not an exchange identifier: use 1–32 of a-z, 0-9, '_', starting with a letter",
                "specs/binance.json:3: error: $.title: expected a non-empty string; found a string",
                "specs/binance.json:4: error: $.documentaton: unknown member; known members are $schema, $comment, exchange, title, documentation",
                "specs/binance.json:5: error: $.exchange: duplicate member; keep one",
            ])
        }
    }

    @Test func requiresTheFileNameToMatchTheExchange() {
        let text = #"{"exchange": "okx", "title": "OKX", "documentation": "https://www.okx.com/docs-v5/en/"}"#
        #expect(throws: SpecDiagnostics.self) { try SpecReader.read(file: "specs/okx_swap.json", text: text) }
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

    @Test func rendersADeterministicCatalog() throws {
        let a = try SpecReader.read(file: "specs/okx.json", text: #"{"exchange":"okx","title":"OKX \"v5\"","documentation":"https://www.okx.com/docs-v5/en/"}"#)
        let b = try SpecReader.read(file: "specs/binance.json", text: #"{"exchange":"binance","title":"Binance","documentation":"https://developers.binance.com/"}"#)
        let text = CatalogRenderer.render([a, b])
        #expect(text == CatalogRenderer.render([b, a]))
        #expect(text.hasPrefix("// generated from specs/*.json by hft-codegen, do not edit\n"))
        #expect(text.contains(#"title: "OKX \"v5\"","#))
        let ids = text.split(separator: "\n").filter { $0.contains("id: ExchangeID") }
        #expect(ids.count == 2 && ids[0].contains("\"binance\"") && ids[1].contains("\"okx\""))
    }

    @Test func theBuildCompiledTheSpecsFolder() {
        // The plugin ran during the build: the catalog holds one entry per spec in specs/ (none yet, until
        // the exchange specs land), and every entry names its spec file.
        for descriptor in ExchangeCatalog.all {
            #expect(descriptor.specFile == "specs/\(descriptor.id).json")
        }
        #expect(ExchangeCatalog.descriptor(for: .init(rawValue: "no_such_exchange")!) == nil)
    }
}
