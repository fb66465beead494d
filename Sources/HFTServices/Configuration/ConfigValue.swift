public import HFTIPC

/// A value of a services configuration after `${VAR}` substitution: JSON, plus confidential strings as ``Secret``.
///
/// Strings may contain `${VAR}` (replaced by the environment variable; a missing one is an error naming the key
/// path) and `${secret:VAR}` (the same, and the whole value becomes a ``Secret``). Values of the keys in
/// ``secretKeys`` are secrets whatever their text. `description` prints secrets as `***`.
///
/// Thread safety: an immutable value, `Sendable`.
public indirect enum ConfigValue: Sendable, Equatable, CustomStringConvertible {
    case object([String: ConfigValue])
    case array([ConfigValue])
    case string(String)
    case secret(Secret)
    /// A number as its JSON text.
    case number(String)
    case bool(Bool)
    case null

    /// Keys whose values are secrets wherever they appear (`api_key`, `api_secret`, …).
    public static let secretKeys: Set<String> = ["api_key", "api_secret", "secret", "passphrase", "password", "token", "private_key"]

    public subscript(key: String) -> ConfigValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var secretValue: Secret? {
        switch self {
        case .secret(let s): return s
        case .string(let s): return Secret(s)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    public var intValue: Int? {
        if case .number(let text) = self { return Int(text) }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [ConfigValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [String: ConfigValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The JSON type's name, for error messages.
    public var kindName: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .secret: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }

    /// Compact JSON with sorted keys; secrets as `"***"`.
    public var description: String {
        switch self {
        case .object(let members):
            return "{" + members.keys.sorted().map { "\(JSONValue.string($0).jsonText):\(members[$0]!)" }.joined(separator: ",") + "}"
        case .array(let items): return "[" + items.map(\.description).joined(separator: ",") + "]"
        case .string(let s): return JSONValue.string(s).jsonText
        case .secret: return "\"***\""
        case .number(let text): return text
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    /// The value as a command payload (secrets revealed: only for code that needs them).
    public var jsonValue: JSONValue {
        switch self {
        case .object(let members): return .object(members.mapValues(\.jsonValue))
        case .array(let items): return .array(items.map(\.jsonValue))
        case .string(let s): return .string(s)
        case .secret(let s): return .string(s.revealed)
        case .number(let text): return .number(text)
        case .bool(let b): return .bool(b)
        case .null: return .null
        }
    }

    /// `json` with `${VAR}` substituted from `environment`; problems are appended to `issues` with their key path.
    static func substituting(_ json: JSONValue, path: String, key: String?, environment: [String: String], issues: inout [ConfigurationError.Issue]) -> ConfigValue {
        switch json {
        case .object(let members):
            var out: [String: ConfigValue] = [:]
            for (k, v) in members {
                out[k] = substituting(v, path: "\(path).\(k)", key: k, environment: environment, issues: &issues)
            }
            return .object(out)
        case .array(let items):
            return .array(items.enumerated().map { substituting($1, path: "\(path)[\($0)]", key: key, environment: environment, issues: &issues) })
        case .string(let text):
            var secret = key.map { secretKeys.contains($0) } ?? false
            let result = substitute(text, path: path, environment: environment, secret: &secret, issues: &issues)
            return secret ? .secret(Secret(result)) : .string(result)
        case .number(let text): return .number(text)
        case .bool(let b): return .bool(b)
        case .null: return .null
        }
    }

    /// Replaces every `${NAME}` / `${secret:NAME}` in `text`. `$$` is a literal `$`.
    static func substitute(_ text: String, path: String, environment: [String: String], secret: inout Bool, issues: inout [ConfigurationError.Issue]) -> String {
        guard text.contains("$") else { return text }
        var out = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("$") {
                out += "$"
                rest = after.dropFirst()
                continue
            }
            guard after.hasPrefix("{"), let close = after.firstIndex(of: "}") else {
                out += "$"
                rest = after
                continue
            }
            var name = after[after.index(after: after.startIndex)..<close]
            if name.hasPrefix("secret:") {
                name = name.dropFirst("secret:".count)
                secret = true
            }
            let valid = !name.isEmpty && name.allSatisfy { $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }
            if !valid {
                issues.append(.init(path: path, message: "'${\(name)}' is not a variable reference; expected ${NAME} or ${secret:NAME} with NAME of letters, digits and _"))
            } else if let value = environment[String(name)] {
                out += value
            } else {
                issues.append(.init(path: path, message: "environment variable \(name) is not set (referenced as ${\(name)})"))
            }
            rest = after[after.index(after: close)...]
        }
        out += rest
        return out
    }
}
