/// The validated model of one exchange spec (`specs/<exchange>.json`).
///
/// The language grows issue by issue; today it names the exchange. Every member the compiler does not know
/// is an error, so a spec never silently carries settings that have no effect.
public struct ExchangeSpec: Sendable, Equatable {
    /// The spec's file name without `.json`; must equal ``exchange``.
    public let fileStem: String
    /// The exchange identifier (`binance_futures`): lower-case letters, digits, `_`.
    public let exchange: String
    /// A human title (`Binance USD-M futures`).
    public let title: String
    /// The exchange's API documentation this spec was checked against.
    public let documentation: String
}

/// Reads a spec file's text into an ``ExchangeSpec``: parse → validate. Collects every problem it can find
/// instead of stopping at the first.
public struct SpecReader {
    public let file: String
    private var diagnostics: [SpecDiagnostic] = []

    /// Top-level members the language knows; `$schema` and `$comment` are for editors and readers.
    static let topLevelMembers = ["$schema", "$comment", "exchange", "title", "documentation"]

    public init(file: String) {
        self.file = file
    }

    /// Validates `text` (the contents of ``file``) and returns the model, or throws every diagnostic.
    public static func read(file: String, text: String) throws(SpecDiagnostics) -> ExchangeSpec {
        var reader = SpecReader(file: file)
        let root: JSONValue.Node
        do {
            root = try JSONSourceParser.parse(text)
        } catch {
            throw SpecDiagnostics(diagnostics: [SpecDiagnostic(
                file: file, line: error.position.line, path: "$",
                message: "invalid JSON at column \(error.position.column): \(error.message)")])
        }
        let spec = reader.spec(root)
        guard let spec, reader.diagnostics.isEmpty else {
            throw SpecDiagnostics(diagnostics: reader.diagnostics.sorted { $0.line < $1.line })
        }
        return spec
    }

    private mutating func report(_ node: JSONValue.Node, _ path: String, _ message: String) {
        diagnostics.append(SpecDiagnostic(file: file, line: node.position.line, path: path, message: message))
    }

    private mutating func spec(_ root: JSONValue.Node) -> ExchangeSpec? {
        guard case .object(let members) = root.value else {
            report(root, "$", "a spec is a JSON object; found \(root.value.typeName)")
            return nil
        }
        var seen: Set<String> = []
        for member in members {
            if !seen.insert(member.key).inserted {
                diagnostics.append(SpecDiagnostic(
                    file: file, line: member.keyPosition.line, path: "$.\(member.key)",
                    message: "duplicate member; keep one"))
            }
            if !Self.topLevelMembers.contains(member.key) {
                diagnostics.append(SpecDiagnostic(
                    file: file, line: member.keyPosition.line, path: "$.\(member.key)",
                    message: "unknown member; known members are \(Self.topLevelMembers.joined(separator: ", "))"))
            }
        }
        let stem = Self.fileStem(file)
        let exchange = requiredString(members, "exchange", in: root)
        if let exchange, let node = members.first(where: { $0.key == "exchange" })?.value {
            if let problem = Self.identifierProblem(exchange) {
                report(node, "$.exchange", problem)
            } else if exchange != stem {
                report(node, "$.exchange", "'\(exchange)' must equal the file name '\(stem)' (rename one of them)")
            }
        }
        let title = requiredString(members, "title", in: root)
        let documentation = requiredString(members, "documentation", in: root)
        if let documentation, !documentation.hasPrefix("https://"),
           let node = members.first(where: { $0.key == "documentation" })?.value {
            report(node, "$.documentation", "give the https:// address of the API documentation the spec follows")
        }
        guard let exchange, let title, let documentation else { return nil }
        return ExchangeSpec(fileStem: stem, exchange: exchange, title: title, documentation: documentation)
    }

    private mutating func requiredString(_ members: [JSONValue.Member], _ key: String, in root: JSONValue.Node) -> String? {
        guard let node = members.first(where: { $0.key == key })?.value else {
            report(root, "$", "missing member '\(key)'")
            return nil
        }
        guard case .string(let s) = node.value, !s.isEmpty else {
            report(node, "$.\(key)", "expected a non-empty string; found \(node.value.typeName)")
            return nil
        }
        return s
    }

    /// The same rule as `HFTCore.ExchangeID` (the generator does not link HFTCore).
    static func identifierProblem(_ name: String) -> String? {
        let ok = name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 &- 48 < 10) || $0 == 95 }
        guard ok, let first = name.utf8.first, first &- 48 >= 10, name.utf8.count <= 32 else {
            return "'\(name)' is not an exchange identifier: use 1–32 of a-z, 0-9, '_', starting with a letter"
        }
        return nil
    }

    static func fileStem(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.hasSuffix(".json") ? String(name.dropLast(5)) : name
    }
}
