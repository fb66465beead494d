/// A validating JSON scanner that builds nothing: it checks a value's syntax (the same rules as ``JSONParser``:
/// RFC 8259, `\uXXXX` escapes with paired surrogates, 64 levels) and reports where values are, so a command
/// envelope is read in one pass without a `JSONValue` tree and its payload is kept as bytes until asked for.
///
/// Thread safety: a value over borrowed bytes; use it where the bytes live.
struct CommandJSONScanner {
    let bytes: UnsafeRawBufferPointer
    var index: Int
    /// Whether the last string read by ``string()`` had escapes.
    private var lastStringEscaped = false

    init(_ bytes: UnsafeRawBufferPointer, at index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    func error(_ message: String) -> JSONParseError { JSONParseError(message: message, offset: index) }

    @inline(__always) var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    @inline(__always) mutating func skipSpace() {
        while index < bytes.count {
            let c = bytes[index]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            index += 1
        }
    }

    /// Calls `member` with each top-level member's key range (without quotes; `escaped` when it has a `\`) and
    /// value range of the object at `index` (`valueEscaped`: the value is a string with a `\`); the whole object is
    /// validated. `member` may not move the scanner.
    mutating func members(_ member: (_ key: Range<Int>, _ escaped: Bool, _ value: Range<Int>, _ valueEscaped: Bool) throws(JSONParseError) -> Void) throws(JSONParseError) {
        skipSpace()
        guard peek == UInt8(ascii: "{") else { throw error("expected an object") }
        index += 1
        skipSpace()
        if peek == UInt8(ascii: "}") { index += 1; return }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let (key, escaped) = try string()
            skipSpace()
            guard peek == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipSpace()
            let start = index
            lastStringEscaped = false
            try skipValue(depth: 1)
            try member(key, escaped, start..<index, lastStringEscaped)
            skipSpace()
            if peek == UInt8(ascii: ",") { index += 1; continue }
            if peek == UInt8(ascii: "}") { index += 1; return }
            throw error("expected ',' or '}'")
        }
    }

    /// Skips (and validates) one value.
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        guard depth < JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth)") }
        guard let c = peek else { throw error("expected a value, found the end") }
        switch c {
        case UInt8(ascii: "{"):
            try members { (_, _, _, _) throws(JSONParseError) in }
        case UInt8(ascii: "["):
            index += 1
            skipSpace()
            if peek == UInt8(ascii: "]") { index += 1; return }
            while true {
                skipSpace()
                try skipValue(depth: depth + 1)
                skipSpace()
                if peek == UInt8(ascii: ",") { index += 1; continue }
                if peek == UInt8(ascii: "]") { index += 1; return }
                throw error("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            var cursor = JSONParser.Cursor(bytes: bytes, index: index)
            try cursor.skipNumber()
            index = cursor.index
        default: throw error("unexpected character")
        }
    }

    mutating func literal(_ text: StaticString) throws(JSONParseError) {
        var cursor = JSONParser.Cursor(bytes: bytes, index: index)
        try cursor.expect(text)
        index = cursor.index
    }

    /// Validates the string at `index` (its opening quote); returns its content range and whether it has escapes.
    mutating func string() throws(JSONParseError) -> (Range<Int>, escaped: Bool) {
        index += 1
        let start = index
        // 8 bytes at a time while none is a quote, a backslash or a control character (then byte by byte).
        let ones: UInt64 = 0x0101_0101_0101_0101
        while index + 8 <= bytes.count {
            let w = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let quote = w ^ (ones &* 0x22)
            let backslash = w ^ (ones &* 0x5C)
            let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((w &- ones &* 0x20) & ~w)
            if special & (ones &* 0x80) != 0 { break }
            index += 8
        }
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                index += 1
                lastStringEscaped = false
                return (start..<index - 1, false)
            }
            if c == UInt8(ascii: "\\") { break }
            guard c >= 0x20 else { throw error("control character in string") }
            index += 1
        }
        // Escapes (rare): the parser validates and decodes; only the range is kept.
        var cursor = JSONParser.Cursor(bytes: bytes, index: start - 1)
        _ = try cursor.string()
        index = cursor.index
        lastStringEscaped = true
        return (start..<index - 1, true)
    }

    /// The string whose content is `range` (as returned by ``string()``).
    static func text(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, escaped: Bool) -> String {
        if !escaped { return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
        var cursor = JSONParser.Cursor(bytes: bytes, index: range.lowerBound - 1)
        return (try? cursor.string()) ?? ""
    }

    /// Whether the key `range` (unescaped) equals `key`.
    static func key(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, escaped: Bool, equals key: StaticString) -> Bool {
        if escaped { return text(bytes, range, escaped: true).utf8.elementsEqual(UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)) }
        guard range.count == key.utf8CodeUnitCount else { return false }
        return memcmp(bytes.baseAddress! + range.lowerBound, key.utf8Start, range.count) == 0
    }

    /// The integer whose text is `range` (no fraction or exponent, in range), else nil.
    static func int64(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int64? {
        guard !range.isEmpty else { return nil }
        var i = range.lowerBound
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard i < range.upperBound else { return nil }
        var value: Int64 = 0
        while i < range.upperBound {
            let d = bytes[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            value = s
            i += 1
        }
        return value
    }
}

#if canImport(Glibc)
import Glibc
#endif
