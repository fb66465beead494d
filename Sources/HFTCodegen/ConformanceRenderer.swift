/// Renders the conformance tests of one spec (Swift Testing). The checks themselves live in the test
/// target's hand-written `Conformance` helpers; generated code supplies the spec's data.
public struct ConformanceRenderer {
    let spec: ExchangeSpec

    public init(_ spec: ExchangeSpec) {
        self.spec = spec
    }

    public func render() -> String {
        let adapter = AdapterRenderer.typeName(spec.exchange)
        let suite = String(adapter.dropLast("Adapter".count)) + "ConformanceTests"
        var tests: [String] = []
        for (i, capture) in spec.conformance.captures.enumerated() {
            let counts = capture.counts.map { "\(SwiftText.literal($0.kind)): (frames: \($0.frames), events: \($0.events))" }
            tests.append("""
                /// Every received frame of \(capture.file) is recognized, and the frames and events per kind equal the
                /// counts derived from the raw capture by: \(capture.countCommand)
                @Test func capture\(i)FramesAndCounts() throws {
                    try Conformance.checkCapture(\(adapter).self, file: \(SwiftText.literal(capture.file)), counts: [\(counts.isEmpty ? ":" : counts.joined(separator: ", "))])
                }

                /// The subscriptions built for the recorded symbols equal the recorded URL and subscribe frames.
                @Test\(capture.subscriptionsDiffer.map { "(.disabled(\(SwiftText.literal("the spec deliberately differs from the recording: " + $0))))" } ?? "") func capture\(i)Subscriptions() throws {
                    try Conformance.checkSubscriptions(\(adapter).self, file: \(SwiftText.literal(capture.file)))
                }

                /// Sequence and checksum fields are present in every book event whose spec maps them.
                @Test func capture\(i)BookIntegrityFields() throws {
                    try Conformance.checkBookFields(\(adapter).self, file: \(SwiftText.literal(capture.file)), fields: \(bookFields(deltasOnly: false))\(deltaFields))
                }
                """)
        }
        for (i, c) in spec.conformance.cases.enumerated() {
            let expected = c.events.map(JSONText.render).joined(separator: ",")
            tests.append("""
                @Test(\(SwiftText.literal(c.name))) func case\(i)() throws {
                    try Conformance.checkCase(
                        \(adapter).self,
                        frame: \(SwiftText.literal(c.frame)),
                        expected: \(SwiftText.literal("[" + expected + "]")))
                }
                """)
        }
        return """
            // generated from specs/\(spec.fileStem).json by hft-codegen, do not edit

            import HFTExchanges
            import Testing

            @Suite(\(SwiftText.literal("\(spec.exchange) conformance (specs/\(spec.fileStem).json)"))) struct \(suite) {
            \(indent(tests.joined(separator: "\n\n")))
            }

            """
    }

    /// Per book message kind, the sequence and checksum fields it maps as always present.
    /// `, deltaFields: [...]` when some book message maps a field that only its deltas carry (`"optional": "snapshot"`).
    var deltaFields: String {
        let text = bookFields(deltasOnly: true)
        return text == "[:]" ? "" : ", deltaFields: \(text)"
    }

    /// Per book message kind, the sequence and checksum fields every event (or, `deltasOnly`, every delta) carries.
    func bookFields(deltasOnly: Bool) -> String {
        var entries: [String] = []
        for m in spec.messages where m.emit == .book {
            let names = m.fields.filter {
                ["first", "last", "previous", "checksum"].contains($0.name) && $0.required && $0.absentIf.isEmpty
                    && $0.optionalInSnapshots == deltasOnly
            }.map { SwiftText.literal($0.name) }
            if !names.isEmpty { entries.append("\(SwiftText.literal(m.kind)): [\(names.joined(separator: ", "))]") }
        }
        return "[" + (entries.isEmpty ? ":" : entries.joined(separator: ", ")) + "]"
    }
}

/// Compact JSON text of a parsed value (numbers keep their source text).
enum JSONText {
    static func render(_ node: JSONValue.Node) -> String {
        switch node.value {
        case .object(let members): return "{" + members.map { SwiftText.jsonQuote($0.key) + ":" + render($0.value) }.joined(separator: ",") + "}"
        case .array(let items): return "[" + items.map(render).joined(separator: ",") + "]"
        case .string(let s): return SwiftText.jsonQuote(s)
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }
}
