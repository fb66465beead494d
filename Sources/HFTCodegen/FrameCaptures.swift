/// What the routing walk reads for the parsers, so that a frame's top level is walked once.
///
/// Routing walks the frame until it knows the message kind. Most kinds then need a few frame-level scalars (OKX's
/// `$.arg.instId`, Coinbase's `$.timestamp`, every field of a Binance `bookTicker`) and the position of their
/// `each` array, which sit next to the routing paths. The routing walk captures them too: one slot per distinct
/// path, a bit per slot in `have`, and after each capture it stops once the kind is decided and every slot that
/// kind reads has been seen (`needs`). The kind's parser then starts from those slots and at its elements.
///
/// Arrays of book levels at frame level (Binance depth updates' `$.data.b`) are captured as positions too, and the
/// parser reads them from there, when each array has a side of its own (so that the order in which they are read
/// does not matter). When the two are members of one object (`$.data.b`, `$.data.a`), the walk stops at the first
/// without passing over its levels, and the parser looks for the second right after them (``siblingLevels``).
///
/// A kind takes part ("continues from the route") when its frame-level paths are keys and indices only: no `[*]`
/// in a frame-level field or level array (Kraken's `$[*].a[*]`: its own walk reads those in one pass), and no
/// snapshot told by the presence of a frame path (the parser's walk looks for it). Such kinds
/// walk the frame again, from the start. At most 63 slots are captured; kinds whose slots would not fit (in spec
/// order) walk again too.
struct FrameCaptures {
    struct Slot {
        let path: SpecPath
        /// A position (`Int?`: where the array starts) rather than a scalar (`JSONScalar?`).
        let isOffset: Bool
        /// Its bit in `have`, and its number.
        let bit: Int
        /// The `RouteState` member: `c<n>` for a scalar, `o<n>` for a position.
        var name: String { "\(isOffset ? "o" : "c")\(bit)" }
    }

    private(set) var slots: [Slot] = []
    /// Message index → the bits of the slots that kind reads.
    private(set) var needs: [Int: UInt64] = [:]
    /// Message index → its two frame-level arrays of levels when they are members of one object (Binance's
    /// `$.data.b` and `$.data.a`), with the second's key. The second is not among the kind's `needs`: the walk
    /// stops at the first one without passing over its levels, and the parser, having read them, finds the second
    /// right after (or walks the frame again when it is not there).
    private(set) var siblingLevels: [Int: (first: Slot, second: Slot, key: String)] = [:]

    init(spec: ExchangeSpec) {
        for (index, message) in spec.messages.enumerated() where message.emit != nil && message.text == nil {
            guard let paths = Self.frameReads(message) else { continue }
            let new = paths.filter { p in !slots.contains { $0.path.text == p.path.text && $0.isOffset == p.offset } }
            guard slots.count + new.count <= 63 else { continue }
            for p in new {
                slots.append(Slot(path: p.path, isOffset: p.offset, bit: slots.count))
            }
            var mask = paths.reduce(UInt64(0)) { mask, p in mask | (UInt64(1) << UInt64(slot(p.path, offset: p.offset)!.bit)) }
            let arrays = message.levels.compactMap { $0.path }.filter { $0.root == .frame }.map { $0.dropLast }
            if arrays.count == 2, arrays[0].steps.dropLast() == arrays[1].steps.dropLast(),
               case .key(let key)? = arrays[1].steps.last, case .key? = arrays[0].steps.last,
               let first = slot(arrays[0], offset: true), let second = slot(arrays[1], offset: true) {
                mask &= ~(UInt64(1) << UInt64(second.bit))
                siblingLevels[index] = (first, second, key)
            }
            needs[index] = mask
        }
    }

    /// True when the message at `index` continues from the route (its parser reads the slots).
    func continuesFromRoute(_ index: Int) -> Bool { needs[index] != nil }

    /// The slot of a frame-level scalar path (`offset` false), or of the first `each` array or a frame-level
    /// array of levels (`offset` true: the container, without the level path's `[*]`).
    func slot(_ path: SpecPath, offset: Bool) -> Slot? {
        slots.first { $0.path.text == path.text && $0.isOffset == offset }
    }

    /// The frame-level paths a message reads (scalars; its first `each` array and frame-level level arrays as
    /// offsets), or nil when it must walk the frame itself.
    static func frameReads(_ m: MessageSpec) -> [(path: SpecPath, offset: Bool)]? {
        // A snapshot told by a frame path's presence needs the parser's own walk of the frame.
        if let presence = m.snapshotIfPresent, presence.root == .frame { return nil }
        var reads: [(path: SpecPath, offset: Bool)] = []
        func add(_ p: SpecPath, offset: Bool) {
            if !reads.contains(where: { $0.path.text == p.text && $0.offset == offset }) { reads.append((p, offset)) }
        }
        for f in m.fields where f.path.root == .frame { add(f.path, offset: false) }
        var sides: Set<String> = []
        for level in m.levels {
            if let array = level.path {
                guard array.root == .frame else { continue }  // read by the element walk
                guard m.each.isEmpty, let side = level.side, sides.insert(side).inserted else { return nil }
                add(array.dropLast, offset: true)
            } else {
                for p in [level.price, level.size] + (level.sidePath.map { [$0] } ?? []) where p.root == .frame {
                    add(p, offset: false)
                }
            }
        }
        if let first = m.each.first { add(first, offset: true) }
        guard !reads.contains(where: { $0.path.steps.contains(.every) }) else { return nil }
        return reads
    }

    /// The trie's stores capturing a scalar into `slot` (rendered on `st`, with `v` the value).
    static func storeLines(_ slot: Slot) -> [String] {
        ["\(slot.name) = v", "have |= \(UInt64(1) << UInt64(slot.bit))"]
    }

    /// The statements recording the position of the value at the scanner into `slot` (a trie node's `atValue`).
    static func positionLines(_ slot: Slot) -> [String] {
        ["st.\(slot.name) = s.offset", "st.have |= \(UInt64(1) << UInt64(slot.bit))"]
    }
}
