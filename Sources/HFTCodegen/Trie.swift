/// A path trie: the generator merges every path a parser needs into one tree per state, so that generated
/// code walks each frame once, visiting only the members it needs and skipping the rest.
final class TrieNode {
    var keys: [(String, TrieNode)] = []
    var indices: [(Int, TrieNode)] = []
    var every: TrieNode?
    /// Scalars to store here: a state slot (`st.slot = v`) or an assignment from `v` (`r0 = Self.match_0(v)`).
    var stores: [String] = []
    /// Routing: record the first byte of the value here (0 = absent) into these slots.
    var marks: [String] = []
    /// Statements run with the scanner at the value, before it is read (the routing walk records where a
    /// parser's `each` array starts).
    var atValue: [String] = []
    /// Statements run when the value is present, whatever it is (a book message's snapshot flag).
    var presence: [String] = []
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

    /// Only stores a scalar: no members, elements, routing marks or takeover below it.
    var isScalarLeaf: Bool {
        keys.isEmpty && !hasArrayChildren && takeover == nil && marks.isEmpty && atValue.isEmpty && presence.isEmpty
            && !stores.isEmpty
    }

    /// Does something with its own value (stores, marks, statements, a takeover), whatever its children do.
    var actsAtValue: Bool {
        !stores.isEmpty || !marks.isEmpty || !atValue.isEmpty || !presence.isEmpty || takeover != nil
    }

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
        n.atValue = atValue + other.atValue
        n.presence = presence + other.presence
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
