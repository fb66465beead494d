/// A JSON document parsed with source positions, for the spec compiler: every value remembers its line and
/// column so that diagnostics can point at them. Not for hot paths (exchange messages are parsed by
/// generated scanners, never by this).
public indirect enum JSONValue: Sendable, Equatable {
    case object([Member])
    case array([Node])
    case string(String)
    /// A number as its source text, so that decimals stay exact.
    case number(String)
    case bool(Bool)
    case null

    /// A key and its value inside an object, in source order.
    public struct Member: Sendable, Equatable {
        public let key: String
        public let keyPosition: SourcePosition
        public let value: Node
    }

    /// A value with the position where it starts.
    public struct Node: Sendable, Equatable {
        public let value: JSONValue
        public let position: SourcePosition
    }

    /// A short name of the value's JSON type, for messages ("an object", "a string").
    public var typeName: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }
}

/// A 1-based line and column in a source file.
public struct SourcePosition: Sendable, Equatable, Comparable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }

    public static func < (a: SourcePosition, b: SourcePosition) -> Bool { (a.line, a.column) < (b.line, b.column) }
}

/// A JSON syntax error at a position.
public struct JSONSyntaxError: Error, Sendable, Equatable {
    public let position: SourcePosition
    public let message: String
}
