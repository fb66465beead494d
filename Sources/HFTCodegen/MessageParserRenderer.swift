/// Renders the specialized parser of one data message kind: state structs, path-trie walkers, the `each`
/// loops and the construction of normalized events.
///
/// A kind that continues from the route (``FrameCaptures``) takes the routing walk's state (`rt`): its frame-level
/// scalars and the position of its `each` array are already there, so it does not walk the frame's top level.
/// Any other kind walks the frame itself, from the start.
struct MessageParserRenderer {
    let spec: ExchangeSpec
    let message: MessageSpec
    let index: Int
    let captures: FrameCaptures
    private var functions: [String] = []

    init(spec: ExchangeSpec, message: MessageSpec, index: Int, captures: FrameCaptures) {
        self.spec = spec
        self.message = message
        self.index = index
        self.captures = captures
    }

    /// True when frame-level values come from the routing walk's captures.
    var continuesFromRoute: Bool { captures.continuesFromRoute(index) }

    var prefix: String { "k\(index)" }
    var depth: Int { message.each.count }
    var frameState: String { "K\(index)Frame" }
    func elementState(_ n: Int) -> String { "K\(index)Element\(n)" }
    /// The state that holds event fields rooted at `@`, levels and the single level.
    var eventState: String { depth == 0 ? frameState : elementState(depth) }
    var eventVar: String { depth == 0 ? "st" : "e\(depth)" }

    mutating func render() -> String {
        let frameTrie = TrieNode()
        let elementTries = (0..<depth).map { _ in TrieNode() }
        var frameFields: [String] = []
        var elementFields: [[String]] = Array(repeating: [], count: depth)
        func eventTrie() -> TrieNode { depth == 0 ? frameTrie : elementTries[depth - 1] }
        func addEventField(_ f: String) { if depth == 0 { frameFields.append(f) } else { elementFields[depth - 1].append(f) } }

        for field in message.fields {
            let slot = "f_\(field.name)"
            if field.path.root == .frame {
                if continuesFromRoute { continue }
                frameTrie.node(at: field.path.steps).stores.append(slot)
                frameFields.append("var \(slot): JSONScalar? = nil")
            } else {
                eventTrie().node(at: field.path.steps).stores.append(slot)
                addEventField("var \(slot): JSONScalar? = nil")
            }
        }
        if message.emit == .book {
            addEventField("var bids: [BookLevel] = []")
            addEventField("var asks: [BookLevel] = []")
        }
        if let presence = message.snapshotIfPresent {
            // Snapshot or delta: whether the walk meets the path (its value is read by whatever else wants it).
            let trie = presence.root == .frame ? frameTrie : eventTrie()
            trie.node(at: presence.steps).presence.append("st.snapshot = true")
            if presence.root == .frame { frameFields.append("var snapshot = false") } else { addEventField("var snapshot = false") }
        }
        for (g, level) in message.levels.enumerated() {
            if let arrayPath = level.path {
                if arrayPath.root == .frame && continuesFromRoute {
                    renderLevelGroup(g, level)  // read from the routing walk's position (`frameLevelReads`)
                    continue
                }
                let trie = arrayPath.root == .frame ? frameTrie : eventTrie()
                trie.node(at: arrayPath.dropLast.steps).takeover = "try Self.\(prefix)_levels\(g)(&s, &st.bids, &st.asks)"
                renderLevelGroup(g, level)
            } else {
                for (slot, path) in [("lp\(g)", level.price), ("lq\(g)", level.size)] + (level.sidePath.map { [("ls\(g)", $0)] } ?? []) {
                    if path.root == .frame && continuesFromRoute { continue }
                    let trie = path.root == .frame ? frameTrie : eventTrie()
                    trie.node(at: path.steps).stores.append(slot)
                    if path.root == .frame { frameFields.append("var \(slot): JSONScalar? = nil") } else { addEventField("var \(slot): JSONScalar? = nil") }
                }
            }
        }

        // each: the array of level n is found in the state of level n (frame for n = 0), remembered by offset and
        // read after that state's walk. A walk stops at its array when every scalar of its state has been read
        // by then, so that the array is read once, by the element loop; an element walk stopped that way is
        // finished after the loop (``eachLoop``). Otherwise the walk skips the array and goes on.
        for (n, path) in message.each.enumerated() where n > 0 || !continuesFromRoute {
            func ready(_ fields: [String]) -> String {
                let scalars = fields.compactMap { line -> String? in
                    guard line.hasSuffix(": JSONScalar? = nil") else { return nil }
                    return String(line.dropFirst(4).prefix { $0 != ":" })
                }
                return scalars.isEmpty ? "true" : scalars.map { "st.\($0) != nil" }.joined(separator: " && ")
            }
            let trie = n == 0 ? frameTrie : elementTries[n - 1]
            let condition = ready(n == 0 ? frameFields : elementFields[n - 1])
            trie.node(at: path.steps).takeover = "_ = s.peek()\nst.each\(n + 1) = s.offset\nif \(condition) { st.stop = true } else { try s.skipValue() }"
            if n == 0 { frameFields.append("var each1: Int? = nil") } else { elementFields[n - 1].append("var each\(n + 1): Int? = nil") }
        }
        for n in 0..<depth { elementFields[n].append("var stop = false") }

        // The frame state: the frame walk's slots, or (continuing from the route) only the levels of a book
        // event read from frame-level scalars.
        let hasFrameState = !continuesFromRoute || !frameFields.isEmpty
        if !continuesFromRoute { frameFields.append("var stop = false") }
        var structs = hasFrameState ? ["struct \(frameState) {\n\(indent(frameFields.joined(separator: "\n")))\n}"] : []
        for n in 0..<depth {
            structs.append("struct \(elementState(n + 1)) {\n\(indent(elementFields[n].joined(separator: "\n")))\n}")
        }
        var frameRoot: String?
        if !continuesFromRoute {
            var frameRenderer = TrieRenderer(prefix: "\(prefix)_frame", stateType: frameState, stopFlag: "stop",
                                             completion: true, rootIsFrame: true)
            frameRoot = frameRenderer.render(frameTrie)
            functions += frameRenderer.functions
        }
        var elementRoots: [String] = []
        for n in 0..<depth {
            var r = TrieRenderer(prefix: "\(prefix)_element\(n + 1)", stateType: elementState(n + 1), stopFlag: "stop", completion: true)
            elementRoots.append(r.render(elementTries[n]))
            functions += r.functions
        }

        var body: [String] = []
        let frameSpares = depth == 0 ? spareLevels("st") : []
        if let frameRoot {
            body += ["var s = JSONScanner(frame)", "var st = \(frameState)()"] + frameSpares
            body += ["var events = 0", "do throws(FrameFailure) {", "    try Self.\(frameRoot)(&s, &st, true)"]
        } else {
            let reads = frameLevelReads()
            if depth > 0 || !reads.isEmpty { body.append("let s = JSONScanner(frame)") }
            if hasFrameState { body += ["var st = \(frameState)()"] + frameSpares }
            body += ["var events = 0", "do throws(FrameFailure) {"] + reads.map { "    " + $0 }
        }
        body += eachLoop(level: 1, roots: elementRoots).map { "    " + $0 }
        body += ["} catch {", "    return FrameOutcome(kind: \(SwiftText.literal(message.kind)), disposition: .failed(error), events: events)", "}",
                 "return FrameOutcome(kind: \(SwiftText.literal(message.kind)), disposition: .data, events: events)"]
        let parse = """
            /// `\(message.kind)`: frames → \(message.emit!.rawValue) events.
            func parse_\(message.kind)(_ frame: UnsafeRawBufferPointer, \(continuesFromRoute ? "_ rt: inout RouteState, " : "")_ receiveTime: Timestamp, _ sink: inout EventBatch) -> FrameOutcome {
            \(indent(body.joined(separator: "\n")))
            }
            """
        return (structs + [parse] + mapFunctions() + functions).joined(separator: "\n\n")
    }

    /// For a kind that continues from the route: statements reading its frame-level arrays of levels from the
    /// positions the routing walk recorded (an absent array gives no levels, as when the walk reads it).
    ///
    /// Two arrays that are members of one object (``FrameCaptures/siblingLevels``): the routing walk stopped at the
    /// first, so the second is looked for right after it, then (not there) by walking the frame again.
    func frameLevelReads() -> [String] {
        guard continuesFromRoute else { return [] }
        let siblings = captures.siblingLevels[index]
        return message.levels.enumerated().flatMap { g, level -> [String] in
            guard let array = level.path, array.root == .frame else { return [] }
            let slot = captures.slot(array.dropLast, offset: true)!  // every frame-level array of such a kind has one
            let read = "var t = JSONScanner(base: s.base, count: s.count, offset: at); try Self.\(prefix)_levels\(g)(&t, &st.bids, &st.asks)"
            if let siblings, slot.bit == siblings.first.bit {
                return ["var after\(slot.bit) = -1", "if let at = rt.\(slot.name) { \(read); after\(slot.bit) = t.offset }"]
            }
            if let siblings, slot.bit == siblings.second.bit {
                let first = siblings.first.bit
                return [
                    "var at\(slot.bit) = rt.\(slot.name)",
                    "if at\(slot.bit) == nil, after\(first) >= 0 {",
                    "    if let v = s.valueOfMember(\(SwiftText.literal(siblings.key)), at: after\(first)) { at\(slot.bit) = v } else { at\(slot.bit) = try Self.routeToEnd(frame, rt).\(slot.name) }",
                    "}",
                    "if let at = at\(slot.bit) { \(read) }",
                ]
            }
            return ["if let at = rt.\(slot.name) { \(read) }"]
        }
    }

    /// For a book kind: the event state's sides start from arrays the batch kept (``EventBatch/spareLevels()``).
    func spareLevels(_ state: String) -> [String] {
        guard message.emit == .book else { return [] }
        return ["\(state).bids = sink.spareLevels()", "\(state).asks = sink.spareLevels()"]
    }

    /// The nested loops over `each` arrays; the innermost builds and delivers the event.
    func eachLoop(level n: Int, roots: [String]) -> [String] {
        if n > depth { return emit() }
        let array = n == 1 && continuesFromRoute
            ? "rt.\(captures.slot(message.each[0], offset: true)!.name)"
            : (n == 1 ? "st" : "e\(n - 1)") + ".each\(n)"
        var lines = [
            "guard let offset\(n) = \(array) else { throw FrameFailure(field: \(SwiftText.literal(message.each[n - 1].text)), reason: .missingField) }",
            "var s\(n) = JSONScanner(base: s.base, count: s.count, offset: offset\(n))",
            "try s\(n).beginArray()",
            "var first\(n) = true",
            "while try s\(n).nextElement(first: &first\(n)) {",
            "    var e\(n) = \(elementState(n))()",
        ] + (n == depth ? spareLevels("e\(n)").map { "    " + $0 } : []) + [
            "    try Self.\(roots[n - 1])(&s\(n), &e\(n), false)",
        ]
        lines += eachLoop(level: n + 1, roots: roots).map { "    " + $0 }
        if n < depth {
            // The element walk stopped at the inner array, which the inner loop has just read: finish the element
            // from there (the array sits `levels` containers deep in it).
            let levels = message.each[n].steps.count
            lines.append("    if e\(n).stop {")
            lines.append("        s\(n).offset = s\(n + 1).offset")
            if levels > 0 { lines.append("        try s\(n).skipRest(levels: \(levels))") }
            lines.append("    }")
        }
        lines.append("}")
        return lines
    }

    /// For a message that is a snapshot when a path is present: the state flag the walk set there.
    var snapshotFlag: String? {
        message.snapshotIfPresent.map { "\($0.root == .frame ? "st" : eventVar).snapshot" }
    }

    func slotExpression(_ field: FieldSpec) -> String {
        scalarSlot("f_\(field.name)", field.path)
    }

    /// Where the scalar of `path` is found after the walks: the routing walk's capture slot, the frame state's or
    /// the element's slot `name`.
    func scalarSlot(_ name: String, _ path: SpecPath) -> String {
        guard path.root == .frame else { return "\(eventVar).\(name)" }
        if continuesFromRoute, let slot = captures.slot(path, offset: false) { return "rt.\(slot.name)" }
        return "st.\(name)"
    }

    /// Statements that convert the scalars and deliver one event.
    func emit() -> [String] {
        guard let emit = message.emit else { return [] }
        var lines: [String] = []
        var values: [String: String] = [:]
        for def in emit.fields {
            guard let field = message.fields.first(where: { $0.name == def.name }) else {
                values[def.name] = def.type == .tradeID ? ".none" : "nil"
                continue
            }
            let v = "v_\(field.name)"
            let slot = slotExpression(field)
            let pathLiteral = SwiftText.literal(field.path.text)
            let conversion = convert(field, "x_\(field.name)", pathLiteral)
            let isPresent = field.absentIf.isEmpty ? nil
                : field.absentIf.map { "!x_\(field.name).span.equals(\(SwiftText.literal($0)))" }.joined(separator: " && ")
            let optionalType = def.type == .tradeID ? conversion.type : conversion.type + "?"
            let empty = def.type == .tradeID ? ".none" : "nil"
            if field.optionalInSnapshots {
                // Required in deltas only (the reader sets it on required fields of snapshotIfPresent messages).
                let value = isPresent.map { "\($0) ? \(conversion.expression) : \(empty)" } ?? conversion.expression
                lines.append("var \(v): \(optionalType) = \(empty)")
                lines.append("if let x_\(field.name) = \(slot) { \(v) = \(value) } else if !\(snapshotFlag!) { throw FrameFailure(field: \(pathLiteral), reason: .missingField) }")
            } else if field.required {
                lines.append("guard let x_\(field.name) = \(slot) else { throw FrameFailure(field: \(pathLiteral), reason: .missingField) }")
                if def.required {
                    lines.append("let \(v) = \(conversion.expression)")
                } else if let isPresent {
                    lines.append("let \(v): \(optionalType) = \(isPresent) ? \(conversion.expression) : \(empty)")
                } else {
                    lines.append("let \(v): \(optionalType) = \(conversion.expression)")
                }
            } else {
                lines.append("var \(v): \(optionalType) = \(empty)")
                let present = isPresent.map { ", \($0)" } ?? ""
                lines.append("if let x_\(field.name) = \(slot)\(present) { \(v) = \(conversion.expression) }")
            }
            values[def.name] = v
        }
        let e = eventVar
        for (g, level) in message.levels.enumerated() where level.path == nil {
            lines.append("guard let lp\(g) = \(scalarSlot("lp\(g)", level.price)) else { throw FrameFailure(field: \(SwiftText.literal(level.price.text)), reason: .missingField) }")
            lines.append("guard let lq\(g) = \(scalarSlot("lq\(g)", level.size)) else { throw FrameFailure(field: \(SwiftText.literal(level.size.text)), reason: .missingField) }")
            lines.append("let level\(g) = BookLevel(price: try FieldValues.decimal(lp\(g), \(SwiftText.literal(level.price.text))), size: try FieldValues.decimal(lq\(g), \(SwiftText.literal(level.size.text))))")
            let side = level.sidePath.map { scalarSlot("ls\(g)", $0) } ?? ""
            lines += sideAppend(level, g, side: side) { "\(e).\($0 ? "bids" : "asks").append(level\(g))" }
        }
        let time = values["exchangeTime"] ?? "nil"
        switch emit {
        case .ticker:
            lines.append("sink.receive(.ticker(Ticker(exchange: Self.exchange, instrument: v_symbol, bidPrice: v_bidPrice, bidSize: \(values["bidSize"]!), askPrice: v_askPrice, askSize: \(values["askSize"]!), lastPrice: \(values["lastPrice"]!), exchangeTime: \(time), receiveTime: receiveTime)))")
        case .trade:
            lines.append("sink.receive(.trade(Trade(exchange: Self.exchange, instrument: v_symbol, price: v_price, size: v_size, side: v_side, tradeID: \(values["tradeId"]!), exchangeTime: \(time), receiveTime: receiveTime)))")
        case .book:
            let kind = snapshotFlag.map { "\($0) ? .snapshot : .delta" } ?? (message.bookKind == "snapshot" ? ".snapshot" : ".delta")
            lines.append("sink.receive(.book(BookUpdate(exchange: Self.exchange, instrument: v_symbol, kind: \(kind), bids: LevelRun.take(&\(e).bids), asks: LevelRun.take(&\(e).asks), sequence: BookSequence(first: \(values["first"]!), last: \(values["last"]!), previous: \(values["previous"]!)), checksum: \(values["checksum"]!), exchangeTime: \(time), receiveTime: receiveTime)))")
        case .candle:
            let closed = values["closed"]!
            lines.append("sink.receive(.candle(Candle(exchange: Self.exchange, instrument: v_symbol, intervalSeconds: \(message.intervalSeconds ?? 0), startTime: v_start, open: v_open, high: v_high, low: v_low, close: v_close, volume: v_volume, isClosed: \(closed), exchangeTime: \(time), receiveTime: receiveTime)))")
        }
        lines.append("events += 1")
        return lines
    }

    func convert(_ field: FieldSpec, _ x: String, _ path: String) -> (expression: String, type: String) {
        switch field.type {
        case .symbol: return ("try FieldValues.instrument(\(x), symbols, \(path))", "Instrument")
        case .decimal: return ("try FieldValues.decimal(\(x), \(path))", "ExactDecimal")
        case .unsigned: return ("try FieldValues.unsigned(\(x), \(path))", "UInt64")
        case .checksum: return ("try FieldValues.checksum(\(x), \(path))", "UInt32")
        case .tradeID: return ("try FieldValues.tradeID(\(x), \(path))", "TradeID")
        case .time:
            let format: String
            switch field.time {
            case "s": format = ".integer(.seconds)"
            case "ms": format = ".integer(.milliseconds)"
            case "us": format = ".integer(.microseconds)"
            case "ns": format = ".integer(.nanoseconds)"
            case "seconds_decimal": format = ".decimalSeconds"
            default: format = ".rfc3339"
            }
            return ("try FieldValues.timestamp(\(x), \(format), \(path))", "Timestamp")
        case .side:
            return ("try Self.\(mapFunction(field))(\(x))", "Side")
        case .bool:
            if field.map.isEmpty { return ("try FieldValues.bool(\(x), \(path))", "Bool") }
            return ("try Self.\(mapFunction(field))(\(x))", "Bool")
        }
    }

    /// The name of the generated function mapping a field's exchange values (rendered by ``mapFunctions()``).
    func mapFunction(_ field: FieldSpec) -> String { "\(prefix)_map_\(field.name)" }

    /// `static func k3_map_side(_ x: JSONScalar) throws(FrameFailure) -> Side` for every mapped field.
    func mapFunctions() -> [String] {
        message.fields.filter { ($0.type == .side || $0.type == .bool) && !$0.map.isEmpty }.map { field in
            let type = field.type == .side ? "Side" : "Bool"
            let tests = field.map.map { "if x.span.equals(\(SwiftText.literal($0.0))) { return \(field.type == .side ? "." + $0.1 : $0.1) }" }
            return """
                static func \(mapFunction(field))(_ x: JSONScalar) throws(FrameFailure) -> \(type) {
                \(indent(tests.joined(separator: "\n")))
                    throw FrameFailure(field: \(SwiftText.literal(field.path.text)), reason: .invalidValue)
                }
                """
        }
    }

    /// Statements adding `levelVar` to its side; `side` is where the side's scalar is (when the level has a side
    /// path), `append` gives the statement for a side (true: bids).
    func sideAppend(_ level: LevelSpec, _ g: Int, side: String, append: (Bool) -> String) -> [String] {
        if let fixed = level.side {
            return [append(fixed == "bid")]
        }
        let path = SwiftText.literal(level.sidePath?.text ?? "side")
        var lines = ["guard let sd\(g) = \(side) else { throw FrameFailure(field: \(path), reason: .missingField) }"]
        let chain = level.sideMap.map { "if sd\(g).span.equals(\(SwiftText.literal($0.0))) { \(append($0.1 == "bid")) }" }
        lines.append(chain.joined(separator: " else ") + " else { throw FrameFailure(field: \(path), reason: .invalidValue) }")
        return lines
    }

    /// The `LevelScalars` slots of a level and the paths that fill them (the side only when read from the level).
    func levelSlots(_ level: LevelSpec) -> [(slot: String, path: SpecPath)] {
        [("price", level.price), ("size", level.size)] + (level.sidePath.map { [("side", $0)] } ?? [])
    }

    /// The slots of a level read by index (`@[0]`, `@[1]`, …, below 4): the level is an array of scalars that
    /// ``ScalarRow`` can hold. Nil when any of its paths is something else.
    func rowIndices(_ level: LevelSpec) -> [(slot: String, index: Int)]? {
        var slots: [(slot: String, index: Int)] = []
        for (slot, path) in levelSlots(level) {
            guard path.steps.count == 1, case .index(let i) = path.steps[0], (0..<4).contains(i) else { return nil }
            slots.append((slot, i))
        }
        return slots
    }

    /// A function reading one array of levels into bids/asks.
    mutating func renderLevelGroup(_ g: Int, _ level: LevelSpec) {
        let trie = TrieNode()
        for (slot, path) in levelSlots(level) { trie.node(at: path.steps).stores.append(slot) }
        var r = TrieRenderer(prefix: "\(prefix)_level\(g)", stateType: "LevelScalars", completion: true)
        let root = r.render(trie)
        functions += r.functions
        // Levels gather in stack memory and reach the arrays a run at a time (LevelRun): one run for a group
        // with a fixed side, one per side otherwise.
        let runs = level.side == nil ? 2 : 1
        func run(_ bid: Bool) -> String { runs == 1 ? "run" : (bid ? "bidRun" : "askRun") }
        func append(_ bid: Bool) -> String { "\(run(bid)).append(level, to: &\(bid ? "bids" : "asks"))" }
        func flush(_ bid: Bool) -> String { "    \(run(bid)).flush(to: &\(bid ? "bids" : "asks"))" }
        var lines = [
            "try s.beginArray()",
            "try withUnsafeTemporaryAllocation(of: BookLevel.self, capacity: LevelRun.stackLevels) { (buffer) throws(FrameFailure) in",
        ]
        lines += runs == 1
            ? ["    var run = LevelRun(buffer, capacity: LevelRun.stackLevels)"]
            : ["    var bidRun = LevelRun(buffer, capacity: LevelRun.stackLevels / 2)",
               "    var askRun = LevelRun(buffer, offset: LevelRun.stackLevels / 2, capacity: LevelRun.stackLevels / 2)"]
        lines += [
            "    var first = true",
            "    while try s.nextElement(first: &first) {",
            // Snapshots run to megabytes (Coinbase's: 35 000 levels): the next levels' bytes are asked for ahead.
            "        s.prefetch(1024)",
        ]
        if let fixed = level.side, let indices = rowIndices(level), indices.map(\.index) == [0, 1] {
            // `["price","size",…]` rows: both decimals read in one step when they take the common form.
            // Runs of them with their quotes found 64 bytes at a time; a row that declines, the one-row form.
            lines.append("        if s.decimalPairRows(&\(run(fixed == "bid")), to: &\(fixed == "bid" ? "bids" : "asks")) { continue }")
            lines.append("        if let level = s.decimalPairRow() { \(append(fixed == "bid")); continue }")
        }
        var body = ["var lv = LevelScalars()"]
        if let indices = rowIndices(level) {
            // Levels that are arrays of scalars: one step for the whole level when it is compact.
            body += ["var row = ScalarRow()", "if s.scalarRow(&row) {"]
            body += indices.map { "    lv.\($0.slot) = row[\($0.index)]" }
            body += ["} else {", "    try Self.\(root)(&s, &lv, false)", "}"]
        } else {
            body.append("try Self.\(root)(&s, &lv, false)")
        }
        body += [
            "guard let p = lv.price else { throw FrameFailure(field: \(SwiftText.literal(level.price.text)), reason: .missingField) }",
            "guard let q = lv.size else { throw FrameFailure(field: \(SwiftText.literal(level.size.text)), reason: .missingField) }",
            "let level = BookLevel(price: try FieldValues.decimal(p, \(SwiftText.literal(level.price.text))), size: try FieldValues.decimal(q, \(SwiftText.literal(level.size.text))))",
        ]
        body += sideAppend(level, g, side: "lv.side", append: append)
        lines += body.map { "        " + $0 }
        lines.append("    }")
        lines += level.side.map { [flush($0 == "bid")] } ?? [flush(true), flush(false)]
        lines.append("}")
        functions.append("""
            static func \(prefix)_levels\(g)(_ s: inout JSONScanner, _ bids: inout [BookLevel], _ asks: inout [BookLevel]) throws(FrameFailure) {
            \(indent(lines.joined(separator: "\n")))
            }
            """)
    }
}
