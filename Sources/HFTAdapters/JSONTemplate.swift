/// A JSON value with placeholders, from a spec's subscribe/unsubscribe message templates. Rendered to compact
/// JSON text when a connection (re)subscribes; not on the message hot path.
///
/// String values that are exactly `"{name}"` are replaced by the named value (which may be an array, a
/// number, …); placeholders inside longer strings are replaced by text.
public indirect enum JSONTemplate: Sendable, Hashable {
    case object([Member])
    case array([JSONTemplate])
    /// A string, possibly containing `{placeholders}`.
    case string(String)
    /// A number, `true`, `false` or `null`, as JSON text.
    case literal(String)

    public struct Member: Sendable, Hashable {
        public let key: String
        public let value: JSONTemplate

        public init(_ key: String, _ value: JSONTemplate) {
            self.key = key
            self.value = value
        }
    }

    /// A value substituted for a placeholder.
    public enum Value: Sendable {
        case string(String)
        case integer(Int)
        case strings([String])
        /// Already-rendered JSON values (e.g. OKX `args` objects).
        case json([String])

        var json: String {
            switch self {
            case .string(let s): return JSONTemplate.quote(s)
            case .integer(let i): return String(i)
            case .strings(let list): return "[" + list.map(JSONTemplate.quote).joined(separator: ",") + "]"
            case .json(let list): return "[" + list.joined(separator: ",") + "]"
            }
        }

        var text: String {
            switch self {
            case .string(let s): return s
            case .integer(let i): return String(i)
            case .strings(let list): return list.joined(separator: ",")
            case .json(let list): return list.joined(separator: ",")
            }
        }
    }

    /// Compact JSON text with `values` substituted. Unknown placeholders are left as text (the generator
    /// rejects them at build time).
    public func render(_ values: [String: Value]) -> String {
        switch self {
        case .object(let members):
            return "{" + members.map { JSONTemplate.quote($0.key) + ":" + $0.value.render(values) }.joined(separator: ",") + "}"
        case .array(let items):
            return "[" + items.map { $0.render(values) }.joined(separator: ",") + "]"
        case .literal(let text):
            return text
        case .string(let s):
            if s.hasPrefix("{"), s.hasSuffix("}"), s.dropFirst().dropLast().allSatisfy({ $0 != "{" && $0 != "}" }),
               let v = values[String(s.dropFirst().dropLast())] {
                return v.json
            }
            return JSONTemplate.quote(JSONTemplate.substitute(s, values))
        }
    }

    /// `text` with every `{name}` replaced by the value's text form.
    public static func substitute(_ text: String, _ values: [String: Value]) -> String {
        var out = text
        for (name, value) in values {
            out = out.replacingAll("{\(name)}", with: value.text)
        }
        return out
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
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
