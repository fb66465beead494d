/// Renders a trie as Swift functions `static func <prefix>_<id>(_ s: inout JSONScanner, _ st: inout <State>)`.
///
/// Parsers (``completion``) stop reading as early as they can. An object whose wanted members have all been
/// read is left at once: when nothing after it is needed either (`tail`), the whole walk stops by setting the
/// stop flag; otherwise the rest of the object is skipped without looking at its keys. Arrays read by position
/// stop after their last wanted index the same way. Negative indices of the frame's root array are read
/// backwards from the frame's end first (``JSONScanner/rootTailScalars(_:into:)``), so that routing can decide
/// from the last elements (Kraken's channel name) and parsers need not walk to the end.
struct TrieRenderer {
    let prefix: String
    let stateType: String
    /// A Bool member of the state that ends the walk early when set; nil: always walk to the end.
    let stopFlag: String?
    /// A statement run after every routing capture (a mark: routing decides as soon as it can).
    let afterCapture: String?
    /// A statement run after a capture that routing does not test (a slot a parser reads); nil: `afterCapture`.
    let afterStore: String?
    /// Functions take `_ tail: Bool` and leave a value once everything wanted in it has been read.
    let completion: Bool
    /// The root node is the whole frame (its end is the end of the root array).
    let rootIsFrame: Bool
    private(set) var functions: [String] = []
    private var nextID = 0

    init(prefix: String, stateType: String, stopFlag: String? = nil, afterCapture: String? = nil,
         afterStore: String? = nil, completion: Bool = false, rootIsFrame: Bool = false) {
        self.prefix = prefix
        self.stateType = stateType
        self.stopFlag = stopFlag
        self.afterCapture = afterCapture
        self.afterStore = afterStore ?? afterCapture
        self.completion = completion
        self.rootIsFrame = rootIsFrame
    }

    /// Renders `root` and everything below it; returns the root function's name.
    mutating func render(_ root: TrieNode) -> String {
        let isRoot = nextID == 0
        let name = "\(prefix)_\(nextID)"
        root.id = nextID
        nextID += 1
        var body: [String] = []
        let needsPeek = !root.marks.isEmpty || !root.keys.isEmpty || root.hasArrayChildren || !root.stores.isEmpty
        if needsPeek { body.append("let c = s.peek()") } else if !root.atValue.isEmpty { body.append("_ = s.peek()") }
        for m in root.marks { body.append("st.\(m) = c") }
        body += root.atValue
        body += root.presence
        let stop = stopFlag.map { "!st.\($0), " } ?? ""
        // What is known at the value's first byte is a capture: without scalar stores, at once; with them, when the
        // value turns out to be a container (a scalar runs `afterCapture` after its stores).
        let capturesAtValue = !root.marks.isEmpty || !root.atValue.isEmpty
        let after = root.marks.isEmpty ? afterStore : afterCapture
        if capturesAtValue, let after {
            body.append(root.stores.isEmpty ? after
                : "if c == UInt8(ascii: \"{\") || c == UInt8(ascii: \"[\") {\n" + indent(after) + "\n}")
        }
        if let takeover = root.takeover {
            body.append(takeover)
            return finish(name, body)
        }
        var branches: [String] = []
        if !root.keys.isEmpty {
            branches.append("if c == UInt8(ascii: \"{\") {\n" + indent(objectLoop(root, stop: stop).joined(separator: "\n")) + "\n}")
        }
        if root.hasArrayChildren {
            branches.append("if c == UInt8(ascii: \"[\") {\n" + indent(arrayLoop(root, stop: stop, isRoot: isRoot).joined(separator: "\n")) + "\n}")
        }
        if !root.stores.isEmpty {
            var scalar = ["let v = try s.scalar()"]
            // A store is a slot (`price`: the scalar itself) or an assignment (`r0 = Self.match_0(v)`).
            scalar += root.stores.map { $0.contains("=") ? "st.\($0)" : "st.\($0) = v" }
            if let after { scalar.append(after) }
            branches.append("if c != UInt8(ascii: \"{\") && c != UInt8(ascii: \"[\") {\n" + indent(scalar.joined(separator: "\n")) + "\n}")
        }
        // A routing mark may decide by the value's presence alone, and a recorded position may complete what the
        // walk needs: then the value is not needed.
        let skip = capturesAtValue ? stopFlag.map { "if !st.\($0) { try s.skipValue() }" } ?? "try s.skipValue()" : "try s.skipValue()"
        if branches.isEmpty {
            body.append(skip)
        } else {
            body.append(branches.joined(separator: " else ") + " else {\n    \(skip)\n}")
        }
        return finish(name, body)
    }

    /// The loop over an object's members. Parsers read each member whole (``memberLoop(_:stop:)``); routing
    /// (and objects of more than 63 wanted keys) read the key, then hand the value to the child's function.
    private mutating func objectLoop(_ root: TrieNode, stop: String) -> [String] {
        if completion && root.keys.count <= 63 { return memberLoop(root, stop: stop) }
        var loop = ["try s.beginObject()", "var first = true", "var key = ByteSpan(base: s.base, count: 0)"]
        loop.append("while \(stop)let code = try s.nextKeyCode(first: &first, key: &key) {")
        let members = root.keys.map { k, child in (k, "try Self.\(call(render(child), tail: "false"))") }
        loop += dispatch(members, otherwise: "try s.skipValue()")
        loop.append("}")
        return loop
    }

    /// The loop of a parser over an object: each member is read whole (``JSONScanner/nextMember(first:key:value:skipContainers:)``)
    /// and the switch on its key stores a scalar value or reads a container with the child's function. When every
    /// wanted member is a scalar, containers are skipped inside the scanner. A bit per wanted key records what has
    /// been read.
    private mutating func memberLoop(_ root: TrieNode, stop: String) -> [String] {
        let full = (UInt64(1) << UInt64(root.keys.count)) - 1
        let allScalars = root.keys.allSatisfy { $0.1.isScalarLeaf }
        var loop = [
            "try s.beginObject()", "var first = true", "var key = ByteSpan(base: s.base, count: 0)",
            "var value: JSONScalar? = nil", "var seen: UInt64 = 0",
            "while \(stop)let code = try s.nextMember(first: &first, key: &key, value: &value\(allScalars ? "" : ", skipContainers: false")) {",
        ]
        var members: [(String, String)] = []
        for (bit, (k, child)) in root.keys.enumerated() {
            let mask = UInt64(1) << UInt64(bit)
            let after = ((child.marks.isEmpty ? afterStore : afterCapture).map { "; " + $0 } ?? "")
            let stores = child.stores.map { $0.contains("=") ? "st.\($0)" : "st.\($0) = v" }.joined(separator: "; ") + after
            var body: String
            if child.isScalarLeaf {
                body = "if let v = value { \(stores) }" + (allScalars ? "" : " else { try s.skipValue() }")
            } else {
                // A container: the child's function reads it (a scalar here is stored when the child stores one,
                // and marks routing slots as present and not a container).
                let fn = render(child)
                body = "if value == nil { try Self.\(fn)(&s, &st, tail && seen | \(mask) == \(full)) }"
                let marks = (child.marks.map { "st.\($0) = UInt8(ascii: \"\\\"\")" } + child.presence).joined(separator: "; ")
                if !child.stores.isEmpty {
                    body += " else if let v = value { " + (marks.isEmpty ? "" : marks + "; ") + stores + " }"
                } else if !marks.isEmpty {
                    body += " else { \(marks)\(after) }"
                }
            }
            members.append((k, body + "; seen |= \(mask)"))
        }
        loop += dispatch(members, otherwise: allScalars ? nil : "if value == nil { try s.skipValue() }")
        loop.append("    if seen == \(full) { \(leaveEarly()); break }")
        loop.append("}")
        return loop
    }

    /// The body of a member loop: a `switch` over the codes of short keys, byte compares for long ones, and
    /// `otherwise` (nil: nothing) for members not wanted.
    private func dispatch(_ members: [(key: String, body: String)], otherwise: String?) -> [String] {
        var cases: [String] = []
        var long: [String] = []
        for (k, body) in members {
            if let code = Self.keyCode(k) {
                cases.append("case \(code): \(body)  // \(SwiftText.literal(k))")
            } else {
                long.append("if key.equals(\(SwiftText.literal(k))) { \(body) }")
            }
        }
        let fallback = long.isEmpty ? otherwise ?? "break"
            : long.joined(separator: " else ") + (otherwise.map { " else { \($0) }" } ?? "")
        if cases.isEmpty { return ["    _ = code", "    " + fallback] }
        return ["    switch code {"] + cases.map { "    " + $0 } + ["    default: \(fallback)", "    }"]
    }

    /// The code ``JSONScanner/nextKeyCode(first:key:)`` gives `key` as a hex literal, or nil when the key is
    /// matched by its bytes (longer than 7 bytes, or with characters that a frame would escape).
    static func keyCode(_ key: String) -> String? {
        let bytes = Array(key.utf8)
        guard bytes.count <= 7, !bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return nil }
        var code: UInt64 = 0
        for (i, b) in (bytes + [0x22]).enumerated() { code |= UInt64(b) << UInt64(8 * i) }
        return "0x" + String(code, radix: 16, uppercase: true)
    }

    /// What a completed container does: stop the walk when nothing after it is needed, else skip its rest.
    private func leaveEarly() -> String {
        guard let stopFlag else { return "try s.skipRest()" }
        return "if !st.\(stopFlag) { if tail { st.\(stopFlag) = true } else { try s.skipRest() } }"
    }

    private func call(_ fn: String, scanner: String = "s", tail: String) -> String {
        completion ? "\(fn)(&\(scanner), &st, \(tail))" : "\(fn)(&\(scanner), &st)"
    }

    /// The loop over an array's elements. Negative indices (counted from the end) are read from the frame's end
    /// for the root array, or served in the same pass: the loop remembers where the last elements start and
    /// reads those again after the end. When a negative-index subtree would take over values that `[*]` also
    /// reads, it falls back to counting first.
    private mutating func arrayLoop(_ root: TrieNode, stop: String, isRoot: Bool) -> [String] {
        let negatives = root.indices.filter { $0.0 < 0 }.sorted { $0.0 > $1.0 }  // -1, -2, …
        let positives = root.indices.filter { $0.0 >= 0 }.sorted { $0.0 < $1.0 }
        let depth = negatives.map { -$0.0 }.max() ?? 0
        let singlePass = !negatives.isEmpty && depth <= 4 && !(root.every != nil && negatives.contains { $0.1.hasTakeover })
        let fromEnd = singlePass && isRoot && rootIsFrame
            && negatives.allSatisfy { $0.1.keys.isEmpty && !$0.1.hasArrayChildren && $0.1.takeover == nil }
        // Positions only: the loop can end after the last wanted index (once the negatives are known).
        let lastWanted = completion && root.every == nil && (negatives.isEmpty || fromEnd) ? positives.last?.0 : nil
        let ready = fromEnd ? "endsRead && " : ""
        // Each negative-index subtree is rendered once, read either from the end or after the loop.
        let negativeFunctions = negatives.map { ($0.0, render($0.1)) }
        var loop: [String] = []
        if fromEnd {
            loop.append("var ends = (-1, -1, -1, -1)")
            loop.append("let endsRead = s.rootTailScalars(\(depth), into: &ends)")
            loop.append("if endsRead {")
            for (i, fn) in negativeFunctions {
                loop.append("    if ends.\(-i - 1) >= 0 {")
                loop.append("        var t = JSONScanner(base: s.base, count: s.count, offset: ends.\(-i - 1))")
                loop.append("        try Self.\(call(fn, scanner: "t", tail: "false"))")
                loop.append("    }")
            }
            loop.append("}")
        }
        if !negatives.isEmpty && !singlePass {
            loop.append("var probe = s")
            loop.append("let count = try probe.countElements()")
        }
        if singlePass {
            loop.append("var complete = false")
            loop += (1...depth).map { "var last\($0) = -1" }
        }
        loop += ["try s.beginArray()", "var first = true", "var index = 0"]
        if singlePass {
            loop.append("while true {")
            if let stopFlag { loop.append("    if st.\(stopFlag) { break }") }
            loop.append("    guard try s.nextElement(first: &first) else {")
            loop.append("        complete = true")
            loop.append("        break")
            loop.append("    }")
            loop.append("    _ = s.peek()")
            // The last elements, read from the end, are scalars; when nothing here reads a scalar element, the
            // walk ends where they start (they were read forward already).
            let takesScalars = (positives.map(\.1) + (root.every.map { [$0] } ?? [])).contains(where: \.actsAtValue)
            if fromEnd && !takesScalars { loop.append("    if endsRead && s.offset == ends.\(depth - 1) { break }") }
            for k in stride(from: depth, to: 1, by: -1) { loop.append("    last\(k) = last\(k - 1)") }
            loop.append("    last1 = s.offset")
        } else {
            loop.append("while \(stop)try s.nextElement(first: &first) {")
        }
        var chain: [String] = []
        for (i, child) in positives + (singlePass ? [] : negatives) {  // rendered here: merged with `[*]`
            let target = root.every.map { child.merged(with: $0) } ?? child
            let fn = render(target)
            let test = i >= 0 ? "index == \(i)" : "index == count - \(-i)"
            let tail = i == lastWanted ? "\(ready)tail" : "false"
            chain.append("if \(test) { try Self.\(call(fn, tail: tail)) }")
        }
        let fallback = root.every.map { "try Self.\(call(render($0), tail: "false"))" } ?? "try s.skipValue()"
        loop.append("    " + (chain.isEmpty ? fallback : chain.joined(separator: " else ") + " else { \(fallback) }"))
        loop.append("    index += 1")
        if let lastWanted { loop.append("    if \(ready)index > \(lastWanted) { \(leaveEarly()); break }") }
        loop.append("}")
        if singlePass {
            for (i, fn) in negativeFunctions {
                loop.append("if \(fromEnd ? "!endsRead && " : "")complete && last\(-i) >= 0 {")
                loop.append("    var t = JSONScanner(base: s.base, count: s.count, offset: last\(-i))")
                loop.append("    try Self.\(call(fn, scanner: "t", tail: "false"))")
                loop.append("}")
            }
        }
        return loop
    }

    private mutating func finish(_ name: String, _ body: [String]) -> String {
        functions.append("""
            @inline(__always)
            static func \(name)(_ s: inout JSONScanner, _ st: inout \(stateType)\(completion ? ", _ tail: Bool" : "")) throws(FrameFailure) {
            \(indent(body.joined(separator: "\n")))
            }
            """)
        return name
    }
}
