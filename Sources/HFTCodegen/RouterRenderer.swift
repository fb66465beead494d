/// Renders `parse(_:receiveTime:into:)`: recognizes the frame's message kind, then calls the kind's parser.
///
/// Text rules are tested first. Then one walk over the frame captures every routing path; after each capture
/// the rules are evaluated in spec order with three-valued logic (true, false, not yet known), and the rule is
/// decided as soon as the first matching rule is certain: it matches, and every rule before it has a condition
/// that is already false. At the end of the frame, paths never seen are absent.
///
/// The same walk captures the frame-level scalars and `each` positions of the kinds that continue from the route
/// (``FrameCaptures``), and stops once the rule is decided and everything its kind reads has been seen.
/// Discriminators usually come first in a frame (`stream`, `channel`, `feed`), so most frames are routed after a
/// few bytes and the kind's parser starts at its elements instead of walking the frame a second time.
struct RouterRenderer {
    let spec: ExchangeSpec
    let captures: FrameCaptures

    mutating func render() -> String {
        // One slot per distinct condition path.
        var paths: [String] = []
        for m in spec.messages {
            for c in m.conditions where !paths.contains(c.path.text) { paths.append(c.path.text) }
        }
        let root = TrieNode()
        var stateFields: [String] = [
            "var decided = false",
            "/// The decided rule (its position among the JSON rules), once `decided`.",
            "var rule = -1",
            "/// The walk is over: the rule is decided and `have` holds every slot it `needs`, or nothing after here is wanted.",
            "var stop = false",
            "/// A bit per capture slot read so far, and the bits the decided rule's kind reads (all bits until decided).",
            "var have: UInt64 = 0",
            "var needs: UInt64 = ~0",
            "/// The frame's first byte: paths rooted in the other container type are absent.",
            "var root: UInt8 = 0",
        ]
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
        // Capture slots of the kinds that continue from the route.
        for slot in captures.slots {
            let node = root.node(at: slot.path.steps)
            if slot.isOffset {
                node.atValue += FrameCaptures.positionLines(slot)
                stateFields.append("var \(slot.name): Int? = nil  // \(slot.path.text)")
            } else {
                node.stores += FrameCaptures.storeLines(slot)
                stateFields.append("var \(slot.name): JSONScalar? = nil  // \(slot.path.text)")
            }
        }
        // After a routing capture: decide when possible. After any capture: stop once the kind has what it reads.
        let complete = "if st.have & st.needs == st.needs { st.stop = true }"
        let decide = "if !st.decided { let r = Self.route(st, final: false); if r >= 0 { st.decided = true; st.rule = r; st.needs = Self.needs(r) } }; " + complete
        var trie = TrieRenderer(prefix: "route", stateType: "RouteState", stopFlag: "stop", afterCapture: decide,
                                afterStore: complete, completion: true, rootIsFrame: true)
        let rootFunction = paths.isEmpty && captures.slots.isEmpty ? nil : trie.render(root)
        let jsonRules = spec.messages.enumerated().filter { $0.element.text == nil }

        var body: [String] = []
        for (index, m) in spec.messages.enumerated() {
            guard let text = m.text else { continue }
            body.append("if RouteTest.frame(frame, equals: \(SwiftText.literal(text))) {")
            body.append("    return \(outcome(m, index: index))")
            body.append("}")
        }
        body.append("let first = frame.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) ?? 0")
        body.append("guard first == UInt8(ascii: \"{\") || first == UInt8(ascii: \"[\") else { return .unrecognized() }")
        body.append("var st = RouteState()")
        body.append("st.root = first")
        if let rootFunction {
            body.append("var s = JSONScanner(frame)")
            body.append("do throws(FrameFailure) {")
            body.append("    try Self.\(rootFunction)(&s, &st, true)")
            body.append("} catch {")
            body.append("    return FrameOutcome(kind: st.decided ? Self.kind(st.rule) : \"json\", disposition: .failed(error))")
            body.append("}")
        }
        body.append("switch st.decided ? st.rule : Self.route(st, final: true) {")
        for (position, (index, m)) in jsonRules.enumerated() {
            body.append("case \(position): return \(outcome(m, index: index))")
        }
        body.append("default: return .unrecognized()")
        body.append("}")

        // route(_:final:): the index of the first matching rule, -1 while undecided, -2 when none matches.
        var decideRule = ["var r: Int8"]
        for (position, (_, m)) in jsonRules.enumerated() {
            let tests = m.conditions.map { c in
                let slot = paths.firstIndex(of: c.path.text)!
                return condition(c, slot: slot, tests: slotTests[slot])
            }
            decideRule.append("r = 1")
            for t in tests {
                decideRule.append("switch \(t) { case 0: r = 0; case -1: if r == 1 { r = -1 }; default: break }")
            }
            decideRule.append("if r == 1 { return \(position) }")
            decideRule.append("if r == -1 { return -1 }")
        }
        decideRule.append("return -2")
        var needs = ["switch rule {"]
        var kinds = ["switch rule {"]
        for (position, (index, m)) in jsonRules.enumerated() {
            if let mask = captures.needs[index] { needs.append("case \(position): return \(mask)  // \(m.kind)") }
            kinds.append("case \(position): return \(SwiftText.literal(m.kind))")
        }
        needs += ["default: return 0", "}"]
        kinds += ["default: return \"json\"", "}"]

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
            \(indent(decideRule.joined(separator: "\n")))
            }

            /// The capture slots the kind of `rule` reads (0: none, the walk stops once the rule is decided).
            @inline(__always)
            static func needs(_ rule: Int) -> UInt64 {
            \(indent(needs.joined(separator: "\n")))
            }

            /// The kind of `rule`, for failures found after it was decided.
            static func kind(_ rule: Int) -> StaticString {
            \(indent(kinds.joined(separator: "\n")))
            }

            \((matchFunctions + trie.functions + routeToEnd(rootFunction)).joined(separator: "\n\n"))
            """
    }

    /// For kinds whose walk stops at the first of two sibling arrays of levels (``FrameCaptures/siblingLevels``):
    /// the routing walk of the whole frame, for when the second array is not right after the first.
    func routeToEnd(_ rootFunction: String?) -> [String] {
        guard let rootFunction, !captures.siblingLevels.isEmpty else { return [] }
        return ["""
            /// The routing walk of the whole frame for the decided rule of `rt`, capturing every slot (a second
            /// array of levels not found right after the first).
            static func routeToEnd(_ frame: UnsafeRawBufferPointer, _ rt: RouteState) throws(FrameFailure) -> RouteState {
                var st = RouteState()
                st.root = rt.root
                st.decided = true
                st.rule = rt.rule
                var s = JSONScanner(frame)
                try Self.\(rootFunction)(&s, &st, true)
                return st
            }
            """]
    }

    func outcome(_ m: MessageSpec, index: Int) -> String {
        if let control = m.control {
            return "FrameOutcome(kind: \(SwiftText.literal(m.kind)), disposition: .control(.\(control)))"
        }
        return "parse_\(m.kind)(frame, \(captures.continuesFromRoute(index) ? "&st, " : "")receiveTime, &sink)"
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
