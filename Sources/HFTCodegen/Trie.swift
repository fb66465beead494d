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
            var loop: [String] = []
            if root.hasNegativeIndex {
                loop.append("var probe = s")
                loop.append("let count = try probe.countElements()")
            }
            loop += ["try s.beginArray()", "var first = true", "var index = 0", "while \(stop)try s.nextElement(first: &first) {"]
            var chain: [String] = []
            for (i, child) in root.indices.sorted(by: { $0.0 < $1.0 }) {
                let target = root.every.map { child.merged(with: $0) } ?? child
                let fn = render(target)
                let test = i >= 0 ? "index == \(i)" : "index == count - \(-i)"
                chain.append("if \(test) { try Self.\(fn)(&s, &st) }")
            }
            let fallback: String
            if let every = root.every {
                fallback = "try Self.\(render(every))(&s, &st)"
            } else {
                fallback = "try s.skipValue()"
            }
            if chain.isEmpty {
                loop.append("    " + fallback)
            } else {
                loop.append("    " + chain.joined(separator: " else ") + " else { \(fallback) }")
            }
            loop.append("    index += 1")
            loop.append("}")
            branches.append("if c == UInt8(ascii: \"[\") {\n" + indent(loop.joined(separator: "\n")) + "\n}")
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

enum SwiftText {
    /// A Swift string literal (also usable as a `StaticString`).
    static func literal(_ text: String) -> String { CatalogRenderer.literal(text) }

    /// A JSON string literal for `text`.
    static func jsonQuote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
