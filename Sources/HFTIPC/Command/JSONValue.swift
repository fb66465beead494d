/// A JSON value: the payload of an ``IPCCommand``.
///
/// Numbers are kept as their JSON text (`"0.00001234"` stays exactly that; no `Double` rounding); read them with
/// ``doubleValue``/``int64Value`` or parse the text with `ExactDecimal`. Objects print with their keys sorted,
/// so a value always encodes to the same bytes. Literals work: `["status": "running", "workers": 4]`.
///
/// Thread safety: an immutable value, `Sendable`.
public enum JSONValue: Sendable, Hashable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    /// A number as its JSON text (validated when parsed or built with ``number(_:)-(Int64)``).
    case number(String)
    case bool(Bool)
    case null

    /// A number from an integer.
    public static func number(_ value: Int64) -> JSONValue { .number(String(value)) }

    /// The member `key` of an object (nil for other values or a missing key).
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The number's text as an `Int64` when it is an integer in range.
    public var int64Value: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// Compact JSON text (no spaces; object keys sorted).
    public var jsonText: String {
        var out: [UInt8] = []
        JSONWriter.write(self, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses one JSON value (surrounding whitespace allowed; anything else after it is an error).
    public init(parsing text: String) throws(JSONParseError) {
        var bytes = Array(text.utf8)
        self = try bytes.withUnsafeMutableBufferPointer { buffer throws(JSONParseError) in
            try JSONParser.parseDocument(UnsafeRawBufferPointer(buffer))
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .number(String(value)) }
    /// Float literals keep their shortest round-trip text (`0.1` stays `0.1`).
    public init(floatLiteral value: Double) { self = .number("\(value)") }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: CustomStringConvertible {
    public var description: String { jsonText }
}

/// Why a text is not JSON: what was expected and the byte offset.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}
