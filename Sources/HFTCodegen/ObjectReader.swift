/// Reads one JSON object of a spec member by member, reporting type errors and unknown members with their
/// line and JSON path. Diagnostics accumulate in a shared ``DiagnosticLog``.
struct ObjectReader {
    let node: JSONValue.Node
    let path: String
    let log: DiagnosticLog
    private(set) var members: [JSONValue.Member] = []
    private var used: Set<String> = ["$comment", "$schema"]
    let isObject: Bool

    init(_ node: JSONValue.Node, path: String, log: DiagnosticLog) {
        self.node = node
        self.path = path
        self.log = log
        if case .object(let m) = node.value {
            members = m
            isObject = true
            var seen: Set<String> = []
            for member in m where !seen.insert(member.key).inserted {
                log.error(member.keyPosition.line, "\(path).\(member.key)", "duplicate member; keep one")
            }
        } else {
            isObject = false
            log.error(node.position.line, path, "expected an object; found \(node.value.typeName)")
        }
    }

    func child(_ key: String) -> String { "\(path).\(key)" }

    /// The member's value node, marking it as understood.
    mutating func value(_ key: String) -> JSONValue.Node? {
        used.insert(key)
        return members.first { $0.key == key }?.value
    }

    mutating func has(_ key: String) -> Bool {
        members.contains { $0.key == key }
    }

    mutating func required(_ key: String) -> JSONValue.Node? {
        guard let v = value(key) else {
            if isObject { log.error(node.position.line, path, "missing member '\(key)'") }
            return nil
        }
        return v
    }

    mutating func string(_ key: String, required isRequired: Bool = false) -> String? {
        guard let v = isRequired ? required(key) : value(key) else { return nil }
        guard case .string(let s) = v.value, !s.isEmpty else {
            log.error(v.position.line, child(key), "expected a non-empty string; found \(v.value.typeName)")
            return nil
        }
        return s
    }

    mutating func number(_ key: String, required isRequired: Bool = false) -> Double? {
        guard let v = isRequired ? required(key) : value(key) else { return nil }
        guard case .number(let text) = v.value, let d = Double(text) else {
            log.error(v.position.line, child(key), "expected a number; found \(v.value.typeName)")
            return nil
        }
        return d
    }

    mutating func integer(_ key: String, required isRequired: Bool = false) -> Int? {
        guard let v = isRequired ? required(key) : value(key) else { return nil }
        guard case .number(let text) = v.value, let n = Int(text), n >= 0 else {
            log.error(v.position.line, child(key), "expected a non-negative integer; found \(v.value.typeName)")
            return nil
        }
        return n
    }

    mutating func bool(_ key: String) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v.value else {
            log.error(v.position.line, child(key), "expected true or false; found \(v.value.typeName)")
            return nil
        }
        return b
    }

    mutating func strings(_ key: String, required isRequired: Bool = false) -> [String]? {
        guard let v = isRequired ? required(key) : value(key) else { return nil }
        guard case .array(let items) = v.value else {
            log.error(v.position.line, child(key), "expected an array of strings; found \(v.value.typeName)")
            return nil
        }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item.value else {
                log.error(item.position.line, "\(child(key))[\(i)]", "expected a string; found \(item.value.typeName)")
                continue
            }
            out.append(s)
        }
        return out
    }

    mutating func stringMap(_ key: String) -> [(String, String)]? {
        guard let v = value(key) else { return nil }
        guard case .object(let members) = v.value else {
            log.error(v.position.line, child(key), "expected an object of strings; found \(v.value.typeName)")
            return nil
        }
        var out: [(String, String)] = []
        for m in members where m.key != "$comment" {
            guard case .string(let s) = m.value.value else {
                log.error(m.value.position.line, "\(child(key)).\(m.key)", "expected a string; found \(m.value.value.typeName)")
                continue
            }
            out.append((m.key, s))
        }
        return out
    }

    mutating func path(_ key: String, required isRequired: Bool = false) -> SpecPath? {
        guard let text = string(key, required: isRequired), let v = members.first(where: { $0.key == key })?.value else {
            return nil
        }
        return SpecReader.path(text, line: v.position.line, jsonPath: child(key), log: log)
    }

    /// Reports every member that no reader asked for.
    func finish(allowed: [String]? = nil) {
        guard isObject else { return }
        for m in members where !used.contains(m.key) {
            let known = (allowed ?? Array(used.subtracting(["$comment", "$schema"]))).sorted().joined(separator: ", ")
            log.error(m.keyPosition.line, child(m.key), "unknown member; known members here: \(known)")
        }
    }
}

/// Collects diagnostics for one spec file.
final class DiagnosticLog {
    let file: String
    private(set) var diagnostics: [SpecDiagnostic] = []

    init(file: String) {
        self.file = file
    }

    func error(_ line: Int, _ path: String, _ message: String) {
        diagnostics.append(SpecDiagnostic(file: file, line: line, path: path, message: message))
    }
}
