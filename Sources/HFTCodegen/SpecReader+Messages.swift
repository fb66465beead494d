/// Reading the `messages` and `conformance` sections.
extension SpecReader {
    static func readMessages(_ node: JSONValue.Node, _ log: DiagnosticLog) -> [MessageSpec] {
        guard case .array(let items) = node.value, !items.isEmpty else {
            log.error(node.position.line, "$.messages", "expected a non-empty array of message kinds")
            return []
        }
        var out: [MessageSpec] = []
        var kinds: Set<String> = []
        for (i, item) in items.enumerated() {
            let path = "$.messages[\(i)]"
            var r = ObjectReader(item, path: path, log: log)
            guard let kind = r.string("kind", required: true) else { r.finish(); continue }
            if !kinds.insert(kind).inserted { log.error(item.position.line, r.child("kind"), "kind '\(kind)' is described twice") }
            if kind.contains(where: { !($0.isLetter || $0.isNumber || $0 == "_") }) {
                log.error(item.position.line, r.child("kind"), "use letters, digits and '_' in kind names")
            }
            let text = r.string("text")
            let conditions = r.value("when").map { readConditions($0, r.child("when"), log) } ?? []
            if text == nil, conditions.isEmpty {
                log.error(item.position.line, path, "give 'when' conditions (or 'text' for a non-JSON frame) to recognize this kind")
            }
            let control = r.string("control")
            if let control, !controlKinds.contains(control) {
                log.error(item.position.line, r.child("control"), "unknown control kind; use one of \(controlKinds.joined(separator: ", "))")
            }
            let emitText = r.string("emit")
            let emit = emitText.flatMap(EmitKind.init(rawValue:))
            if emitText != nil, emit == nil {
                log.error(item.position.line, r.child("emit"), "unknown event kind; use ticker, trade, book or candle")
            }
            if (control == nil) == (emitText == nil) {
                log.error(item.position.line, path, "give exactly one of 'emit' (market data) or 'control'")
            }
            var each: [SpecPath] = []
            if let eachPath = r.path("each") {
                each = splitEach(eachPath, line: item.position.line, jsonPath: r.child("each"), log: log)
            }
            let (bookKind, snapshotIfPresent) = readBookKind(r.value("book"), path: r.child("book"), emit: emit,
                                                             hasEach: !each.isEmpty, line: item.position.line, log: log)
            let interval = r.integer("intervalSeconds")
            if emit == .candle, interval == nil {
                log.error(item.position.line, path, "candle messages need 'intervalSeconds'")
            }
            var fields: [FieldSpec] = []
            if let f = r.value("fields"), let emit {
                fields = readFields(f, emit: emit, path: r.child("fields"), hasEach: !each.isEmpty,
                                    snapshotDecidedByPresence: snapshotIfPresent != nil, log: log)
            }
            var levels: [LevelSpec] = []
            if let l = r.value("levels") {
                levels = readLevels(l, path: r.child("levels"), log: log)
                if emit != .book { log.error(l.position.line, r.child("levels"), "only book messages have levels") }
            }
            r.finish(allowed: ["kind", "text", "when", "control", "emit", "each", "book", "intervalSeconds", "fields", "levels"])
            out.append(MessageSpec(kind: kind, line: item.position.line, text: text, conditions: conditions, control: control,
                                   emit: emit, each: each, bookKind: bookKind, intervalSeconds: interval,
                                   fields: fields, levels: levels, snapshotIfPresent: snapshotIfPresent))
        }
        // The router keeps one bit per distinct value test of a path (a UInt64).
        var valueTests: [String: Set<String>] = [:]
        for (i, m) in out.enumerated() {
            for c in m.conditions {
                switch c.test {
                case .exists, .type: continue
                default: break
                }
                valueTests[c.path.text, default: []].insert(String(describing: c.test))
                if valueTests[c.path.text]!.count == 65 {
                    log.error(m.line, "$.messages[\(i)].when", "more than 64 different value tests on \(c.path.text); route on another field first")
                }
            }
        }
        return out
    }

    /// `$.events[*].trades[*]` → [`$.events`, `@.trades`]: the array of each nesting level.
    static func splitEach(_ path: SpecPath, line: Int, jsonPath: String, log: DiagnosticLog) -> [SpecPath] {
        guard path.root == .frame, path.endsWithEvery else {
            log.error(line, jsonPath, "'each' is a frame path ending in [*] (e.g. $.data[*])")
            return []
        }
        var out: [SpecPath] = []
        var current: [SpecPath.Step] = []
        var root = SpecPath.Root.frame
        for step in path.steps {
            if step == .every {
                out.append(SpecPath(root: root, steps: current, text: path.text))
                current = []
                root = .element
            } else {
                current.append(step)
            }
        }
        return out
    }

    static func readConditions(_ node: JSONValue.Node, _ path: String, _ log: DiagnosticLog) -> [Condition] {
        guard case .object(let members) = node.value else {
            log.error(node.position.line, path, "expected an object of path → condition")
            return []
        }
        var out: [Condition] = []
        for m in members where m.key != "$comment" {
            guard let p = Self.path(m.key, line: m.keyPosition.line, jsonPath: "\(path).\(m.key)", log: log) else { continue }
            if p.root != .frame { log.error(m.keyPosition.line, "\(path).\(m.key)", "conditions use frame paths ($…)") }
            if p.steps.contains(.every) { log.error(m.keyPosition.line, "\(path).\(m.key)", "conditions cannot use [*]; name one element") }
            switch m.value.value {
            case .string, .number, .bool, .null:
                out.append(Condition(path: p, test: .equals(m.value.value)))
            case .object(let tests) where tests.count == 1:
                let t = tests[0]
                switch (t.key, t.value.value) {
                case ("prefix", .string(let s)): out.append(Condition(path: p, test: .prefix(s)))
                case ("suffix", .string(let s)): out.append(Condition(path: p, test: .suffix(s)))
                case ("exists", .bool(let b)): out.append(Condition(path: p, test: .exists(b)))
                case ("type", .string(let s)) where s == "object" || s == "array":
                    out.append(Condition(path: p, test: .type(s)))
                default:
                    log.error(m.value.position.line, "\(path).\(m.key)",
                              "expected a value to equal, or {\"prefix\": s}, {\"suffix\": s}, {\"exists\": bool}, {\"type\": \"object\"|\"array\"}")
                }
            default:
                log.error(m.value.position.line, "\(path).\(m.key)",
                          "expected a value to equal, or {\"prefix\": s}, {\"suffix\": s}, {\"exists\": bool}, {\"type\": \"object\"|\"array\"}")
            }
        }
        return out
    }

    /// `"book"`: `"snapshot"`, `"delta"`, or `{"snapshotIfPresent": path}` (one message for both, told apart by
    /// whether the path is present: Kraken v1's `as`). Gives the fixed kind or the path.
    static func readBookKind(_ node: JSONValue.Node?, path: String, emit: EmitKind?, hasEach: Bool, line: Int,
                             log: DiagnosticLog) -> (String?, SpecPath?) {
        let expected = "book messages need \"book\": \"snapshot\", \"delta\" or {\"snapshotIfPresent\": path}"
        guard let node else {
            if emit == .book { log.error(line, path, expected) }
            return (nil, nil)
        }
        if emit != .book { log.error(node.position.line, path, "only book messages have 'book'; remove it") }
        switch node.value {
        case .string(let s) where s == "snapshot" || s == "delta":
            return (s, nil)
        case .object:
            var r = ObjectReader(node, path: path, log: log)
            let presence = r.path("snapshotIfPresent", required: true)
            r.finish(allowed: ["snapshotIfPresent"])
            guard let presence else { return (nil, nil) }
            if presence.steps.isEmpty || presence.endsWithEvery {
                log.error(node.position.line, r.child("snapshotIfPresent"),
                          "name the member whose presence marks a snapshot (e.g. $[*].as), not a whole array's elements")
                return (nil, nil)
            }
            if presence.root == .element, !hasEach {
                log.error(node.position.line, r.child("snapshotIfPresent"), "'@' paths need an 'each' array")
            }
            return (nil, presence)
        default:
            log.error(node.position.line, path, expected)
            return (nil, nil)
        }
    }

    static func readFields(_ node: JSONValue.Node, emit: EmitKind, path: String, hasEach: Bool,
                           snapshotDecidedByPresence: Bool, log: DiagnosticLog) -> [FieldSpec] {
        guard case .object(let members) = node.value else {
            log.error(node.position.line, path, "expected an object of field → path")
            return []
        }
        var out: [FieldSpec] = []
        let known = emit.fields
        for m in members where m.key != "$comment" {
            let fieldPath = "\(path).\(m.key)"
            guard let def = known.first(where: { $0.name == m.key }) else {
                log.error(m.keyPosition.line, fieldPath, "\(emit.rawValue) events have no field '\(m.key)'; fields: \(known.map(\.name).joined(separator: ", "))")
                continue
            }
            var pathText: String?
            var time: String?
            var map: [(String, String)] = []
            var optional = false
            var optionalInSnapshots = false
            var absentIf: [String] = []
            switch m.value.value {
            case .string(let s):
                pathText = s
            case .object:
                var r = ObjectReader(m.value, path: fieldPath, log: log)
                pathText = r.string("path", required: true)
                time = r.string("time")
                map = r.stringMap("map") ?? []
                if let v = r.value("optional") {
                    switch v.value {
                    case .bool(let b): optional = b
                    case .string("snapshot") where snapshotDecidedByPresence: optionalInSnapshots = true
                    default:
                        log.error(v.position.line, r.child("optional"), snapshotDecidedByPresence
                            ? "expected true, false or \"snapshot\" (absent from snapshots, required in deltas)"
                            : "expected true or false (\"snapshot\" is for messages with \"book\": {\"snapshotIfPresent\": …})")
                    }
                }
                absentIf = r.strings("absentIf") ?? []
                r.finish(allowed: ["path", "time", "map", "optional", "absentIf"])
            default:
                log.error(m.value.position.line, fieldPath, "expected a path string or {\"path\": …}")
            }
            guard let pathText, let p = Self.path(pathText, line: m.value.position.line, jsonPath: fieldPath, log: log) else { continue }
            // `[*]` in a field path searches every element (Kraken's checksum sits in whichever payload object is
            // last); the last value found wins. One event per element is what 'each' is for.
            if p.root == .element, !hasEach { log.error(m.value.position.line, fieldPath, "'@' paths need an 'each' array") }
            if def.type == .time {
                guard let t = time, timeFormats.contains(t) else {
                    log.error(m.value.position.line, fieldPath, "timestamps need \"time\": one of \(timeFormats.joined(separator: ", "))")
                    continue
                }
            } else if time != nil {
                log.error(m.value.position.line, fieldPath, "'time' applies to timestamp fields only")
            }
            if def.type == .side {
                let values = Set(map.map(\.1))
                if map.isEmpty || !values.isSubset(of: ["buy", "sell"]) {
                    log.error(m.value.position.line, fieldPath, "sides need a \"map\" from the exchange's values to buy or sell")
                }
            }
            out.append(FieldSpec(name: m.key, type: def.type, path: p, time: time, map: map, required: !optional, absentIf: absentIf,
                                 optionalInSnapshots: optionalInSnapshots))
        }
        for def in known where def.required && !out.contains(where: { $0.name == def.name }) {
            if !members.contains(where: { $0.key == def.name }) {
                log.error(node.position.line, path, "missing field '\(def.name)' (required for \(emit.rawValue) events)")
            }
        }
        return out
    }

    static func readLevels(_ node: JSONValue.Node, path: String, log: DiagnosticLog) -> [LevelSpec] {
        guard case .array(let items) = node.value else {
            log.error(node.position.line, path, "expected an array of level groups")
            return []
        }
        var out: [LevelSpec] = []
        for (i, item) in items.enumerated() {
            var r = ObjectReader(item, path: "\(path)[\(i)]", log: log)
            let arrayPath = r.path("path")
            if let arrayPath, !arrayPath.endsWithEvery {
                log.error(item.position.line, r.child("path"), "a level array path ends with [*]; omit 'path' for a single level")
            }
            var side: String?
            var sidePath: SpecPath?
            var sideMap: [(String, String)] = []
            if let v = r.value("side") {
                switch v.value {
                case .string(let s) where s == "bid" || s == "ask":
                    side = s
                case .object:
                    var s = ObjectReader(v, path: r.child("side"), log: log)
                    sidePath = s.path("path", required: true)
                    sideMap = s.stringMap("map") ?? []
                    if sideMap.isEmpty || !Set(sideMap.map(\.1)).isSubset(of: ["bid", "ask"]) {
                        log.error(v.position.line, s.child("map"), "map the exchange's side values to bid or ask")
                    }
                    s.finish(allowed: ["path", "map"])
                default:
                    log.error(v.position.line, r.child("side"), "expected \"bid\", \"ask\" or {\"path\": …, \"map\": {…}}")
                }
            } else {
                log.error(item.position.line, r.child("side"), "missing member 'side'")
            }
            let price = r.path("price", required: true)
            let size = r.path("size", required: true)
            r.finish(allowed: ["path", "side", "price", "size"])
            if let price, let size, side != nil || sidePath != nil {
                out.append(LevelSpec(path: arrayPath, side: side, sidePath: sidePath, sideMap: sideMap, price: price, size: size))
            }
        }
        return out
    }

    static func readConformance(_ node: JSONValue.Node, _ messages: [MessageSpec], _ log: DiagnosticLog) -> ConformanceSpec? {
        var r = ObjectReader(node, path: "$.conformance", log: log)
        var captures: [ConformanceSpec.Capture] = []
        if let v = r.value("captures"), case .array(let items) = v.value {
            for (i, item) in items.enumerated() {
                var c = ObjectReader(item, path: "$.conformance.captures[\(i)]", log: log)
                let file = c.string("file", required: true)
                let command = c.string("countCommand", required: true)
                var counts: [(String, Int, Int)] = []
                if let cv = c.required("counts"), case .object(let members) = cv.value {
                    for m in members where m.key != "$comment" {
                        if m.key != "other_markets", !messages.contains(where: { $0.kind == m.key }) {
                            log.error(m.keyPosition.line, "\(c.child("counts")).\(m.key)", "no message kind '\(m.key)' in $.messages")
                        }
                        var k = ObjectReader(m.value, path: "\(c.child("counts")).\(m.key)", log: log)
                        let frames = k.integer("frames", required: true)
                        let events = k.integer("events", required: true)
                        k.finish(allowed: ["frames", "events"])
                        if let frames, let events { counts.append((m.key, frames, events)) }
                    }
                }
                let differ = c.string("subscriptionsDiffer")
                c.finish(allowed: ["file", "counts", "countCommand", "subscriptionsDiffer"])
                if let file, let command {
                    captures.append(ConformanceSpec.Capture(file: file, counts: counts.map { (kind: $0.0, frames: $0.1, events: $0.2) },
                                                            countCommand: command, subscriptionsDiffer: differ, line: item.position.line))
                }
            }
        }
        var cases: [ConformanceSpec.Case] = []
        if let v = r.value("cases"), case .array(let items) = v.value {
            for (i, item) in items.enumerated() {
                var c = ObjectReader(item, path: "$.conformance.cases[\(i)]", log: log)
                let name = c.string("name", required: true)
                let frame = c.string("frame", required: true)
                var events: [JSONValue.Node] = []
                if let ev = c.required("events"), case .array(let list) = ev.value { events = list }
                _ = c.string("source")
                c.finish(allowed: ["name", "frame", "events", "source"])
                if let name, let frame { cases.append(ConformanceSpec.Case(name: name, frame: frame, events: events, line: item.position.line)) }
            }
        }
        r.finish(allowed: ["captures", "cases"])
        if captures.isEmpty && cases.isEmpty {
            log.error(node.position.line, "$.conformance", "give at least one capture or inline case")
        }
        return ConformanceSpec(captures: captures, cases: cases)
    }
}
