/// Renders `parse(_:receiveTime:into:)`: recognizes the frame's message kind (text rules first, then one walk
/// that captures every routing path, then the conditions in spec order) and calls the kind's parser.
struct RouterRenderer {
    let spec: ExchangeSpec

    mutating func render() -> String {
        // One slot per distinct condition path.
        var paths: [String] = []
        for m in spec.messages {
            for c in m.conditions where !paths.contains(c.path.text) { paths.append(c.path.text) }
        }
        let root = TrieNode()
        var stateFields: [String] = []
        for (i, text) in paths.enumerated() {
            guard case .success(let path) = SpecPath.parse(text) else { continue }
            let node = root.node(at: path.steps)
            node.marks.append("t\(i)")
            node.stores.append("r\(i)")
            stateFields.append("var t\(i): UInt8 = 0")
            stateFields.append("var r\(i): JSONScalar? = nil")
        }
        var trie = TrieRenderer(prefix: "route", stateType: "RouteState")
        let rootFunction = paths.isEmpty ? nil : trie.render(root)

        var body: [String] = []
        for m in spec.messages {
            guard let text = m.text else { continue }
            body.append("if RouteTest.frame(frame, equals: \(SwiftText.literal(text))) {")
            body.append("    return \(outcome(m))")
            body.append("}")
        }
        body.append("let first = frame.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) ?? 0")
        body.append("guard first == UInt8(ascii: \"{\") || first == UInt8(ascii: \"[\") else { return .unrecognized() }")
        body.append("var st = RouteState()")
        if let rootFunction {
            body.append("var s = JSONScanner(frame)")
            body.append("do throws(FrameFailure) {")
            body.append("    try Self.\(rootFunction)(&s, &st)")
            body.append("} catch {")
            body.append("    return FrameOutcome(kind: \"json\", disposition: .failed(error))")
            body.append("}")
        }
        for m in spec.messages where m.text == nil {
            let tests = m.conditions.map { condition($0, slot: paths.firstIndex(of: $0.path.text)!) }
            body.append("if \(tests.joined(separator: " && ")) {")
            body.append("    return \(outcome(m))")
            body.append("}")
        }
        body.append("return .unrecognized()")

        return """
            struct RouteState {
            \(indent(stateFields.joined(separator: "\n")))
            }

            public func parse<S: EventSink>(_ frame: UnsafeRawBufferPointer, receiveTime: Timestamp, into sink: inout S) -> FrameOutcome {
            \(indent(body.joined(separator: "\n")))
            }

            \(trie.functions.joined(separator: "\n\n"))
            """
    }

    func outcome(_ m: MessageSpec) -> String {
        if let control = m.control {
            return "FrameOutcome(kind: \(SwiftText.literal(m.kind)), disposition: .control(.\(control)))"
        }
        return "parse_\(m.kind)(frame, receiveTime, &sink)"
    }

    func condition(_ c: Condition, slot i: Int) -> String {
        switch c.test {
        case .equals(.string(let s)): return "RouteTest.string(st.r\(i), \(SwiftText.literal(s)))"
        case .equals(.number(let n)): return "RouteTest.literal(st.r\(i), \(SwiftText.literal(n)))"
        case .equals(.bool(let b)): return "RouteTest.literal(st.r\(i), \(b ? "\"true\"" : "\"false\""))"
        case .equals: return "RouteTest.literal(st.r\(i), \"null\")"
        case .prefix(let s): return "RouteTest.prefix(st.r\(i), \(SwiftText.literal(s)))"
        case .suffix(let s): return "RouteTest.suffix(st.r\(i), \(SwiftText.literal(s)))"
        case .exists(let b): return b ? "st.t\(i) != 0" : "st.t\(i) == 0"
        case .type(let t): return t == "object" ? "st.t\(i) == UInt8(ascii: \"{\")" : "st.t\(i) == UInt8(ascii: \"[\")"
        }
    }
}
