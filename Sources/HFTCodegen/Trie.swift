/// A path trie: the generator merges every path a parser needs into one tree per state, so that generated
/// code walks each frame once, visiting only the members it needs and skipping the rest.
final class TrieNode {
    var keys: [(String, TrieNode)] = []
    var indices: [(Int, TrieNode)] = []
    var every: TrieNode?
    /// Scalars to store here: (state slot, the spec path for messages).
    var stores: [String] = []
    /// Routing: record the first byte of the value here (0 = absent) into these slots.
    var marks: [String] = []
    /// Take over the whole value: a call expression run with the scanner at this value.
    var takeover: String?
    /// Numbered by the renderer.
    var id = 0

    func child(_ step: SpecPath.Step) -> TrieNode {
        switch step {
        case .key(let k):
            if let n = keys.first(where: { $0.0 == k })?.1 { return n }
            let n = TrieNode()
            keys.append((k, n))
            return n
        case .index(let i):
            if let n = indices.first(where: { $0.0 == i })?.1 { return n }
            let n = TrieNode()
            indices.append((i, n))
            return n
        case .every:
            if let every { return every }
            let n = TrieNode()
            every = n
            return n
        }
    }

    func node(at steps: [SpecPath.Step]) -> TrieNode {
        steps.reduce(self) { $0.child($1) }
    }

    var hasArrayChildren: Bool { !indices.isEmpty || every != nil }

    /// True when this node or one below it takes over a whole value (levels, `each`).
    var hasTakeover: Bool {
        takeover != nil || keys.contains { $0.1.hasTakeover } || indices.contains { $0.1.hasTakeover } || (every?.hasTakeover ?? false)
    }
    var hasNegativeIndex: Bool { indices.contains { $0.0 < 0 } }

    /// A new node with the union of both subtrees (for an index that `[*]` also covers).
    func merged(with other: TrieNode) -> TrieNode {
        let n = TrieNode()
        n.stores = stores + other.stores
        n.marks = marks + other.marks
        n.takeover = takeover ?? other.takeover
        for (k, c) in keys + other.keys {
            if let i = n.keys.firstIndex(where: { $0.0 == k }) { n.keys[i].1 = n.keys[i].1.merged(with: c) } else { n.keys.append((k, c)) }
        }
        for (k, c) in indices + other.indices {
            if let i = n.indices.firstIndex(where: { $0.0 == k }) { n.indices[i].1 = n.indices[i].1.merged(with: c) } else { n.indices.append((k, c)) }
        }
        switch (every, other.every) {
        case (let a?, let b?): n.every = a.merged(with: b)
        case (let a?, nil): n.every = a
        case (nil, let b?): n.every = b
        default: break
        }
        return n
    }
}

/// Renders a trie as Swift functions `static func <prefix>_<id>(_ s: inout JSONScanner, _ st: inout <State>)`.
struct TrieRenderer {
    let prefix: String
    let stateType: String
    /// A Bool member of the state that ends the walk early when set (routing); nil: always walk to the end.
    let stopFlag: String?
    /// A statement run after every capture (routing decides as soon as it can).
    let afterCapture: String?
    private(set) var functions: [String] = []
    private var nextID = 0

    init(prefix: String, stateType: String, stopFlag: String? = nil, afterCapture: String? = nil) {
        self.prefix = prefix
        self.stateType = stateType
        self.stopFlag = stopFlag
        self.afterCapture = afterCapture
    }

    /// Renders `root` and everything below it; returns the root function's name.
    mutating func render(_ root: TrieNode) -> String {
        let name = "\(prefix)_\(nextID)"
        root.id = nextID
        nextID += 1
        var body: [String] = []
        let needsPeek = !root.marks.isEmpty || !root.keys.isEmpty || root.hasArrayChildren || !root.stores.isEmpty
        if needsPeek { body.append("let c = s.peek()") }
        for m in root.marks { body.append("st.\(m) = c") }
        let stop = stopFlag.map { "!st.\($0), " } ?? ""
        if !root.marks.isEmpty, root.stores.isEmpty, let afterCapture { body.append(afterCapture) }
        if let takeover = root.takeover {
            body.append(takeover)
            return finish(name, body)
        }
        var branches: [String] = []
        if !root.keys.isEmpty {
            var loop = ["try s.beginObject()", "var first = true", "while \(stop)let key = try s.nextKey(first: &first) {"]
            var chain: [String] = []
            for (k, child) in root.keys {
                let fn = render(child)
                chain.append("if key.equals(\(SwiftText.literal(k))) { try Self.\(fn)(&s, &st) }")
            }
            loop.append("    " + chain.joined(separator: " else ") + " else { try s.skipValue() }")
            loop.append("}")
            branches.append("if c == UInt8(ascii: \"{\") {\n" + indent(loop.joined(separator: "\n")) + "\n}")
        }
        if root.hasArrayChildren {
            branches.append("if c == UInt8(ascii: \"[\") {\n" + indent(arrayLoop(root, stop: stop).joined(separator: "\n")) + "\n}")
        }
        if !root.stores.isEmpty {
            var scalar = ["let v = try s.scalar()"]
            scalar += root.stores.map { "st.\($0) = v" }
            if let afterCapture { scalar.append(afterCapture) }
            branches.append("if c != UInt8(ascii: \"{\") && c != UInt8(ascii: \"[\") {\n" + indent(scalar.joined(separator: "\n")) + "\n}")
        }
        if branches.isEmpty {
            body.append("try s.skipValue()")
        } else {
            body.append(branches.joined(separator: " else ") + " else {\n    try s.skipValue()\n}")
        }
        return finish(name, body)
    }

    /// The loop over an array's elements. Negative indices (counted from the end) are served in the same pass:
    /// the loop remembers where the last elements start and reads those again after the end. When a
    /// negative-index subtree would take over values that `[*]` also reads, it falls back to counting first.
    private mutating func arrayLoop(_ root: TrieNode, stop: String) -> [String] {
        let negatives = root.indices.filter { $0.0 < 0 }.sorted { $0.0 > $1.0 }  // -1, -2, …
        let positives = root.indices.filter { $0.0 >= 0 }.sorted { $0.0 < $1.0 }
        let depth = negatives.map { -$0.0 }.max() ?? 0
        let singlePass = !negatives.isEmpty && depth <= 4 && !(root.every != nil && negatives.contains { $0.1.hasTakeover })
        var loop: [String] = []
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
            for k in stride(from: depth, to: 1, by: -1) { loop.append("    last\(k) = last\(k - 1)") }
            loop.append("    last1 = s.offset")
        } else {
            loop.append("while \(stop)try s.nextElement(first: &first) {")
        }
        var chain: [String] = []
        for (i, child) in positives + (singlePass ? [] : negatives) {
            let target = root.every.map { child.merged(with: $0) } ?? child
            let fn = render(target)
            let test = i >= 0 ? "index == \(i)" : "index == count - \(-i)"
            chain.append("if \(test) { try Self.\(fn)(&s, &st) }")
        }
        let fallback = root.every.map { "try Self.\(render($0))(&s, &st)" } ?? "try s.skipValue()"
        loop.append("    " + (chain.isEmpty ? fallback : chain.joined(separator: " else ") + " else { \(fallback) }"))
        loop.append("    index += 1")
        loop.append("}")
        if singlePass {
            for (i, child) in negatives {
                let fn = render(child)
                loop.append("if complete && last\(-i) >= 0 {")
                loop.append("    var t = JSONScanner(base: s.base, count: s.count, offset: last\(-i))")
                loop.append("    try Self.\(fn)(&t, &st)")
                loop.append("}")
            }
        }
        return loop
    }

    private mutating func finish(_ name: String, _ body: [String]) -> String {
        functions.append("""
            @inline(__always)
            static func \(name)(_ s: inout JSONScanner, _ st: inout \(stateType)) throws(FrameFailure) {
            \(indent(body.joined(separator: "\n")))
            }
            """)
        return name
    }
}

func indent(_ text: String, _ spaces: Int = 4) -> String {
    let pad = String(repeating: " ", count: spaces)
    return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n")
}

/// Quoting text for the generated sources.
enum SwiftText {
    /// A Swift string literal (also usable as a `StaticString`).
    static func literal(_ text: String) -> String {
        quote(text) { "\\u{\(String($0, radix: 16))}" }
    }

    /// A JSON string literal.
    static func jsonQuote(_ text: String) -> String {
        quote(text) { value in
            let hex = String(value, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
    }

    /// `text` in double quotes with `"`, `\\` and control characters escaped; `control` spells the others.
    private static func quote(_ text: String, control: (UInt32) -> String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += control(scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
