public import CJSONMarks

/// Reading a whole member (`"key":value`) in one step: the loop of generated parsers over objects whose wanted
/// members are all scalars (OKX `data[]` entries, Binance `data`, Coinbase trades).
///
/// Walking member by member is a chain of dependent loads: each step's offset comes from the bytes the previous
/// step read (the comma, the key's quote, its closing quote, the colon, the value's quotes). Here one 32-byte
/// read classifies every byte of the member at once (``hft_json_marks32``: quotes, backslashes, number enders,
/// whitespace) and the key's end, the value's start and its end are found from those bits, so each member costs one
/// dependent step. Only compact members without backslashes that end within the 32 bytes take this path;
/// everything else (whitespace, escapes, long values, containers, the object's end, malformed text) goes through
/// ``nextKeyCode(first:key:)`` and ``scalar()``, which decide and report errors exactly as before.
extension JSONScanner {
    /// The next member: its key's code (as ``nextKeyCode(first:key:)`` gives it) with its bytes in `key`, and its
    /// value in `value` when it is a scalar; nil after the closing `}`.
    ///
    /// A scalar value is consumed. An object or an array gives a nil `value` and is skipped, or with
    /// `skipContainers` false left for the caller to read: the scanner then stands at its first byte.
    @_transparent
    public mutating func nextMember(
        first: inout Bool, key: inout ByteSpan, value: inout JSONScalar?, skipContainers: Bool = true
    ) throws(FrameFailure) -> UInt64? {
        // The key's opening quote: here for the first member, after the comma for the others.
        let start = first ? offset : offset &+ 1
        if start &+ 32 <= count, base[offset] == (first ? UInt8(ascii: "\"") : UInt8(ascii: ",")) {
            let marks = hft_json_marks32(base + start)
            let quotes = UInt64(marks.quotes)
            let afterOpen = quotes & (quotes &- 1)               // clear the opening quote (bit 0 when present)
            let keyEnd = afterOpen.trailingZeroBitCount           // the key's closing quote (64: none)
            let valueStart = keyEnd &+ 2                          // compact: `":` then the value
            let afterKey = afterOpen & (afterOpen &- 1)
            let firstByte = valueStart < 32 ? base[start &+ valueStart] : 0
            var valueEnd = 64                                     // one past the value's last byte
            var kind = JSONScalar.Kind.string
            var span = 0
            if firstByte == UInt8(ascii: "\"") {
                let closing = (afterKey & (afterKey &- 1)).trailingZeroBitCount
                valueEnd = closing &+ 1
                span = closing &- valueStart &- 1
            } else if !skipContainers, firstByte == UInt8(ascii: "{") || firstByte == UInt8(ascii: "[") {
                valueEnd = valueStart  // the scanner stops at the container's first byte
            } else if let k = Self.literalKind(firstByte) {
                // A number or a literal runs to the first `,` `}` `]`, with no whitespace before it.
                let enders = UInt64(marks.enders) >> UInt64(valueStart & 63)
                valueEnd = valueStart &+ enders.trailingZeroBitCount
                kind = k
                span = valueEnd &- valueStart
                if UInt64(marks.spaces) >> UInt64(valueStart & 63) & ((1 &<< UInt64(span & 63)) &- 1) != 0 { valueEnd = 64 }
            }
            let covered: UInt64 = valueEnd < 33 ? (1 &<< UInt64(valueEnd)) &- 1 : 0
            if quotes & 1 != 0, valueEnd <= 32, UInt64(marks.slashes) & covered == 0,
               base[start &+ keyEnd &+ 1] == UInt8(ascii: ":") {
                let keyLength = keyEnd &- 1
                let word = UnsafeRawPointer(base + (start &+ 1)).loadUnaligned(as: UInt64.self)
                let code = keyLength > 7 ? Self.longKeyCode : Self.shortKeyCode(word, length: keyLength)
                key = ByteSpan(base: base + (start &+ 1), count: keyLength)
                offset = start &+ valueEnd
                first = false
                if valueEnd == valueStart {
                    value = nil
                    return code
                }
                let valueBase = base + (start &+ valueStart &+ (kind == .string ? 1 : 0))
                value = JSONScalar(span: ByteSpan(base: valueBase, count: span), kind: kind)
                return code
            }
        }
        guard let code = try nextKeyCode(first: &first, key: &key) else { return nil }
        let c = peek()
        if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
            if skipContainers { try skipNested(depth: 0) }
            value = nil
        } else {
            value = try scalar()
        }
        return code
    }

    /// The kind of a number or literal from its first byte, as ``scalar()`` decides it; nil for anything else.
    @inlinable @inline(__always)
    static func literalKind(_ b: UInt8) -> JSONScalar.Kind? {
        switch b {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default: return nil
        }
    }
}
