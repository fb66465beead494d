/// Renders `parse(_:receiveTime:into:)`: recognizes the frame's message kind, then calls the kind's parser.
///
/// Text rules are tested first. Then one walk over the frame captures every routing path; after each capture
/// the rules are evaluated in spec order with three-valued logic (true, false, not yet known), and the walk stops
/// as soon as the first matching rule is certain: it matches, and every rule before it has a condition that is
/// already false. Discriminators usually come first in a frame (`stream`, `channel`, `feed`), so most frames are
/// routed after a few bytes instead of a full second pass. At the end of the frame, paths never seen are absent.
struct RouterRenderer {
    let spec: ExchangeSpec

    mutating func render() -> String {
        // One slot per distinct condition path.
        var paths: [String] = []
        for m in spec.messages {
            for c in m.conditions where !paths.contains(c.path.text) { paths.append(c.path.text) }
        }
        let root = TrieNode()
        var stateFields: [String] = ["var decided = false", "/// The frame's first byte: paths rooted in the other container type are absent.", "var root: UInt8 = 0"]
        // Value tests are evaluated once, when their scalar is read: slot i keeps a bit per distinct test
        // (`match_i`), so deciding the route after each capture tests bits instead of comparing text again.
        var matchFunctions: [String] = []
        var slotTests: [[String]] = []  // per slot, as in `paths`
        for (i, text) in paths.enumerated() {
            let tests = valueTests(slot: text)
            slotTests.append(tests)
            guard case .success(let path) = SpecPath.parse(text) else { continue }
            let node = root.node(at: path.steps)
            node.marks.append("t\(i)")
            if !tests.isEmpty {
                node.stores.append("r\(i) = Self.match_\(i)(v)")
                var lines = ["var m: UInt64 = 0"]
                for (k, test) in tests.enumerated() { lines.append("if \(test) { m |= \(UInt64(1) << k) }") }
                lines.append("return m")
                matchFunctions.append("""
                    /// Which value tests on `\(text)` hold for `v`: bit k for the k-th distinct test.
                    @inline(__always)
                    static func match_\(i)(_ v: JSONScalar) -> UInt64 {
                    \(indent(lines.joined(separator: "\n")))
                    }
                    """)
            }
            stateFields.append("var t\(i): UInt8 = 0")
            stateFields.append("var r\(i): UInt64 = 0")
        }
        var trie = TrieRenderer(prefix: "route", stateType: "RouteState", stopFlag: "decided",
                                afterCapture: "if Self.route(st, final: false) >= 0 { st.decided = true }", rootIsFrame: true)
        let rootFunction = paths.isEmpty ? nil : trie.render(root)
        let jsonRules = spec.messages.enumerated().filter { $0.element.text == nil }

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
        body.append("st.root = first")
        if let rootFunction {
            body.append("var s = JSONScanner(frame)")
            body.append("do throws(FrameFailure) {")
            body.append("    try Self.\(rootFunction)(&s, &st)")
            body.append("} catch {")
            body.append("    return FrameOutcome(kind: \"json\", disposition: .failed(error))")
            body.append("}")
        }
        body.append("switch Self.route(st, final: !st.decided) {")
        for (position, (_, m)) in jsonRules.enumerated() {
            body.append("case \(position): return \(outcome(m))")
        }
        body.append("default: return .unrecognized()")
        body.append("}")

        // route(_:final:): the index of the first matching rule, -1 while undecided, -2 when none matches.
        var decide = ["var r: Int8"]
        for (position, (_, m)) in jsonRules.enumerated() {
            let tests = m.conditions.map { c in
                let slot = paths.firstIndex(of: c.path.text)!
                return condition(c, slot: slot, tests: slotTests[slot])
            }
            decide.append("r = 1")
            for t in tests {
                decide.append("switch \(t) { case 0: r = 0; case -1: if r == 1 { r = -1 }; default: break }")
            }
            decide.append("if r == 1 { return \(position) }")
            decide.append("if r == -1 { return -1 }")
        }
        decide.append("return -2")

        return """
            struct RouteState {
            \(indent(stateFields.joined(separator: "\n")))
            }

            public func parse(_ frame: UnsafeRawBufferPointer, receiveTime: Timestamp, into sink: inout EventBatch) -> FrameOutcome {
            \(indent(body.joined(separator: "\n")))
            }

            /// The first rule that matches (its position among the JSON rules), -1 while undecided, -2 when none does.
            /// `final`: the frame has been read to its end, so paths not seen are absent.
            @inline(__always)
            static func route(_ st: RouteState, final: Bool) -> Int {
            \(indent(decide.joined(separator: "\n")))
            }

            \((matchFunctions + trie.functions).joined(separator: "\n\n"))
            """
    }

    func outcome(_ m: MessageSpec) -> String {
        if let control = m.control {
            return "FrameOutcome(kind: \(SwiftText.literal(m.kind)), disposition: .control(.\(control)))"
        }
        return "parse_\(m.kind)(frame, receiveTime, &sink)"
    }

    /// The distinct value tests on the slot `path` (presence and type tests need only the first byte), as
    /// `Bool` expressions on the scalar `v`, in a fixed order: bit k of `r{slot}` is the k-th.
    func valueTests(slot path: String) -> [String] {
        var tests: [String] = []
        for m in spec.messages {
            for c in m.conditions where c.path.text == path {
                if let t = valueTest(c.test), !tests.contains(t) { tests.append(t) }
            }
        }
        return tests
    }

    func valueTest(_ test: Condition.Test) -> String? {
        switch test {
        case .equals(.string(let s)): return "RouteTest.string(v, \(SwiftText.literal(s)))"
        case .equals(.number(let n)): return "RouteTest.literal(v, \(SwiftText.literal(n)))"
        case .equals(.bool(let b)): return "RouteTest.literal(v, \(b ? "\"true\"" : "\"false\""))"
        case .equals: return "RouteTest.literal(v, \"null\")"
        case .prefix(let s): return "RouteTest.prefix(v, \(SwiftText.literal(s)))"
        case .suffix(let s): return "RouteTest.suffix(v, \(SwiftText.literal(s)))"
        case .exists, .type: return nil
        }
    }

    /// An `Int8` expression: 1 true, 0 false, -1 not known yet.
    /// `tests`: the slot's distinct value tests (bit k of `r{slot}` is the k-th).
    func condition(_ c: Condition, slot i: Int, tests: [String]) -> String {
        let rootByte = c.path.steps.first.map { if case .key = $0 { "{" } else { "[" } } ?? "{"
        let absent = "(final || st.root != UInt8(ascii: \"\(rootByte)\"))"
        let unknown = "(\(absent) ? 0 : -1)"
        func scalar(_ test: String) -> String { "(st.t\(i) != 0 ? (\(test) ? 1 : 0) : \(unknown))" }
        switch c.test {
        case .exists(let b): return "(st.t\(i) != 0 ? \(b ? 1 : 0) : (\(absent) ? \(b ? 0 : 1) : -1))"
        case .type(let t): return scalar(t == "object" ? "st.t\(i) == UInt8(ascii: \"{\")" : "st.t\(i) == UInt8(ascii: \"[\")")
        default:
            let bit = tests.firstIndex(of: valueTest(c.test)!)!
            // A container where a scalar was expected stores no bits: the test is false, as before.
            return scalar("st.r\(i) & \(UInt64(1) << bit) != 0")
        }
    }
}
