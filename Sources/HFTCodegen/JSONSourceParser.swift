/// Parses JSON text (RFC 8259) into ``JSONValue`` nodes with positions. Duplicate object keys are kept in
/// order; the spec validator reports them.
public struct JSONSourceParser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue.Node {
        var parser = JSONSourceParser(bytes: Array(text.utf8))
        parser.skipWhitespace()
        let node = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.error("unexpected text after the JSON value") }
        return node
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private var position: SourcePosition { SourcePosition(line: line, column: index - lineStart + 1) }

    private func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(position: position, message: message)
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let b = peek {
            switch b {
            case UInt8(ascii: "\n"):
                index += 1
                line += 1
                lineStart = index
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            default:
                return
            }
        }
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue.Node {
        guard depth < 200 else { throw error("nesting deeper than 200 levels") }
        let start = position
        guard let b = peek else { throw error("expected a value, found the end of the file") }
        switch b {
        case UInt8(ascii: "{"):
            index += 1
            var members: [JSONValue.Member] = []
            skipWhitespace()
            if peek == UInt8(ascii: "}") {
                index += 1
                return JSONValue.Node(value: .object(members), position: start)
            }
            while true {
                skipWhitespace()
                let keyPosition = position
                guard peek == UInt8(ascii: "\"") else { throw error("expected a member name in double quotes") }
                let key = try string()
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else { throw error("expected ':' after member name \"\(key)\"") }
                index += 1
                skipWhitespace()
                let member = try value(depth: depth + 1)
                members.append(JSONValue.Member(key: key, keyPosition: keyPosition, value: member))
                skipWhitespace()
                if peek == UInt8(ascii: ",") { index += 1; continue }
                if peek == UInt8(ascii: "}") { index += 1; break }
                throw error("expected ',' or '}' in object")
            }
            return JSONValue.Node(value: .object(members), position: start)
        case UInt8(ascii: "["):
            index += 1
            var elements: [JSONValue.Node] = []
            skipWhitespace()
            if peek == UInt8(ascii: "]") {
                index += 1
                return JSONValue.Node(value: .array(elements), position: start)
            }
            while true {
                skipWhitespace()
                elements.append(try value(depth: depth + 1))
                skipWhitespace()
                if peek == UInt8(ascii: ",") { index += 1; continue }
                if peek == UInt8(ascii: "]") { index += 1; break }
                throw error("expected ',' or ']' in array")
            }
            return JSONValue.Node(value: .array(elements), position: start)
        case UInt8(ascii: "\""):
            return JSONValue.Node(value: .string(try string()), position: start)
        case UInt8(ascii: "t"):
            try literal("true")
            return JSONValue.Node(value: .bool(true), position: start)
        case UInt8(ascii: "f"):
            try literal("false")
            return JSONValue.Node(value: .bool(false), position: start)
        case UInt8(ascii: "n"):
            try literal("null")
            return JSONValue.Node(value: .null, position: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONValue.Node(value: .number(try number()), position: start)
        default:
            throw error("unexpected character '\(Character(UnicodeScalar(b)))'; expected a JSON value")
        }
    }

    private mutating func literal(_ word: String) throws(JSONSyntaxError) {
        for expected in word.utf8 {
            guard peek == expected else { throw error("invalid literal; expected \(word)") }
            index += 1
        }
    }

    private mutating func number() throws(JSONSyntaxError) -> String {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        func digits(_ p: inout JSONSourceParser) -> Int {
            let s = p.index
            while let b = p.peek, b &- 48 < 10 { p.index += 1 }
            return p.index - s
        }
        guard digits(&self) > 0 else { throw error("expected digits in number") }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw error("expected digits after '.'") }
        }
        if let b = peek, b | 0x20 == UInt8(ascii: "e") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw error("expected exponent digits") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func string() throws(JSONSyntaxError) -> String {
        index += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard let b = peek else { throw error("unterminated string") }
            index += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = peek else { throw error("unterminated escape") }
                index += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard peek == UInt8(ascii: "\\") else { throw error("unpaired surrogate") }
                        index += 1
                        guard peek == UInt8(ascii: "u") else { throw error("unpaired surrogate") }
                        index += 1
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("invalid low surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = UnicodeScalar(scalar) else { throw error("invalid unicode escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default:
                    throw error("invalid escape '\\\(Character(UnicodeScalar(e)))'")
                }
            case 0..<0x20:
                throw error("control character in string; escape it")
            default:
                out.append(b)
            }
        }
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let b = peek else { throw error("short unicode escape") }
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - 55
            default: throw error("invalid hex digit in unicode escape")
            }
            v = v << 4 | UInt32(d)
            index += 1
        }
        return v
    }
}
