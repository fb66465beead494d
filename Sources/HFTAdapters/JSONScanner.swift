public import CJSONMarks
public import HFTCore

/// A zero-allocation pull scanner over one JSON frame, the base of every generated message parser.
///
/// It never builds a document: callers walk objects and arrays, compare keys against byte literals and
/// read scalars as byte spans, which they parse in place (``ExactDecimal``, integers, timestamps). Keys and
/// strings are returned raw (escapes are not decoded; exchange keys and values that matter contain none).
///
/// Thread safety: a value confined to the thread that parses the frame; the bytes must outlive it.
public struct JSONScanner {
    public let base: UnsafePointer<UInt8>
    public let count: Int
    /// Offset of the next unread byte.
    public var offset: Int

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) {
        // A zero-length buffer may have no base address; use a constant non-null one instead.
        self.base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? JSONScanner.emptyBase
        self.count = bytes.count
        self.offset = 0
    }

    @inlinable
    public init(base: UnsafePointer<UInt8>, count: Int, offset: Int) {
        self.base = base
        self.count = count
        self.offset = offset
    }

    /// The base of a zero-length buffer that has none: never read (every read is below `count`), so any non-null
    /// address does; a constant, where a global would cost a lazy-initialization check per frame.
    @usableFromInline
    static var emptyBase: UnsafePointer<UInt8> {
        @inline(__always) get { UnsafePointer(bitPattern: 1).unsafelyUnwrapped }
    }

    @_transparent
    public mutating func skipWhitespace() {
        while offset < count {
            let b = base[offset]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            offset += 1
        }
    }

    /// The next non-whitespace byte, without consuming it (0 at the end).
    @_transparent
    public mutating func peek() -> UInt8 {
        // Exchanges send compact JSON: the next byte is almost never whitespace (one compare in that case).
        if offset < count {
            let b = base[offset]
            if b > 0x20 { return b }
        }
        skipWhitespace()
        return offset < count ? base[offset] : 0
    }

    @inlinable @inline(__always)
    public func failure(_ reason: JSONScanError.Reason) -> FrameFailure {
        FrameFailure(field: "$", reason: .json(JSONScanError(reason: reason, offset: offset)))
    }

    // MARK: objects

    /// Consumes `{`. Throws when the next value is not an object.
    @inlinable @inline(__always)
    public mutating func beginObject() throws(FrameFailure) {
        guard peek() == UInt8(ascii: "{") else { throw failure(.expectedObject) }
        offset += 1
    }

    /// The next member's key (consuming it and the `:`), or nil after consuming the closing `}`.
    /// `first` is true for the first member (no comma expected before it).
    @inlinable @inline(__always)
    public mutating func nextKey(first: inout Bool) throws(FrameFailure) -> ByteSpan? {
        var key = ByteSpan(base: base, count: 0)
        guard try nextKeyCode(first: &first, key: &key) != nil else { return nil }
        return key
    }

    /// The code of a key that ``nextKeyCode(first:key:)`` does not encode (longer than 7 bytes, or escaped).
    public static let longKeyCode: UInt64 = .max

    /// The next member's key as a code, its bytes in `key`, consuming it and the `:`; nil after the closing `}`.
    ///
    /// A key of at most 7 bytes is coded as a word: its bytes, then the closing quote, little-endian, zero
    /// above. Distinct keys have distinct codes, so generated parsers dispatch on wanted keys with one `switch`
    /// over constants, found from one 8-byte load without scanning the key. Longer keys (and keys with a
    /// backslash) are scanned as strings and coded ``longKeyCode``; callers compare `key` for those.
    @_transparent
    public mutating func nextKeyCode(first: inout Bool, key: inout ByteSpan) throws(FrameFailure) -> UInt64? {
        var b = peek()
        if b == UInt8(ascii: "}") {
            offset += 1
            return nil
        }
        if !first {
            guard b == UInt8(ascii: ",") else { throw failure(.expectedCommaOrEnd) }
            offset += 1
            b = peek()
        }
        first = false
        guard b == UInt8(ascii: "\"") else { throw failure(.expectedKey) }
        var code = Self.longKeyCode
        #if _endian(little)
        if offset &+ 9 <= count {
            let word = UnsafeRawPointer(base + (offset &+ 1)).loadUnaligned(as: UInt64.self)
            let quotes = ByteWords.bytesEqual(word, 0x2222_2222_2222_2222)
            let slashes = ByteWords.bytesEqual(word, 0x5C5C_5C5C_5C5C_5C5C)
            let end = quotes.trailingZeroBitCount  // 8 × (key length) + 7, or 64: no quote in the word
            if end < slashes.trailingZeroBitCount {
                let length = end >> 3
                code = Self.shortKeyCode(word, length: length)
                key = ByteSpan(base: base + (offset &+ 1), count: length)
                offset &+= length &+ 2
            }
        }
        #endif
        if code == Self.longKeyCode {
            key = try stringSpan()
            code = Self.code(of: key)  // a short key near the frame's end, or a key with a backslash
        }
        guard peek() == UInt8(ascii: ":") else { throw failure(.expectedColon) }
        offset += 1
        return code
    }

    /// The code of a key read byte-wise: its bytes and the closing quote when it has at most 7 and no backslash.
    @inlinable
    static func code(of key: ByteSpan) -> UInt64 {
        guard key.count <= 7 else { return longKeyCode }
        var code = UInt64(0x22) << UInt64(8 &* key.count)
        for i in 0..<key.count {
            let b = key.base[i]
            if b == UInt8(ascii: "\\") { return longKeyCode }
            code |= UInt64(b) << UInt64(8 &* i)
        }
        return code
    }

    /// The code of a key of `length` (0…7) bytes from the word loaded at its first byte: the key and its closing
    /// quote, the bytes above cleared.
    @inlinable @inline(__always)
    static func shortKeyCode(_ word: UInt64, length: Int) -> UInt64 {
        length == 7 ? word : word & ((1 &<< UInt64((length &+ 1) &* 8)) &- 1)
    }

    /// Asks for the bytes `distance` past the next unread one to be brought into the cache (a hint, no read:
    /// past the frame's end it does nothing). For loops over long arrays (book snapshots of thousands of levels,
    /// megabytes that are not in any cache), so the loads of later elements do not wait on memory.
    @inlinable @inline(__always)
    public func prefetch(_ distance: Int) {
        hft_prefetch(UnsafeRawPointer(base) + (offset &+ distance))
    }

    // MARK: arrays

    /// Consumes `[`. Throws when the next value is not an array.
    @inlinable @inline(__always)
    public mutating func beginArray() throws(FrameFailure) {
        guard peek() == UInt8(ascii: "[") else { throw failure(.expectedArray) }
        offset += 1
    }

    /// True when another element follows (consuming the comma before it), false after consuming `]`.
    @_transparent
    public mutating func nextElement(first: inout Bool) throws(FrameFailure) -> Bool {
        let b = peek()
        if b == UInt8(ascii: "]") {
            offset += 1
            return false
        }
        if !first {
            guard b == UInt8(ascii: ",") else { throw failure(.expectedCommaOrEnd) }
            offset += 1
        }
        first = false
        return true
    }

    // MARK: scalars

    /// Reads a string's raw contents (between the quotes, escapes not decoded). Scans 8 bytes at a time for a
    /// quote or a backslash (SWAR), then finishes byte by byte.
    @_transparent
    public mutating func stringSpan() throws(FrameFailure) -> ByteSpan {
        offset += 1  // opening quote
        let start = offset
        #if _endian(little)
        while offset &+ 8 <= count {
            let word = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
            let found = ByteWords.bytesEqual(word, 0x2222_2222_2222_2222) | ByteWords.bytesEqual(word, 0x5C5C_5C5C_5C5C_5C5C)
            if found != 0 {
                offset &+= found.trailingZeroBitCount >> 3  // the first quote or backslash (little-endian)
                break
            }
            offset &+= 8
        }
        #endif
        while offset < count {
            let b = base[offset]
            if b == UInt8(ascii: "\"") {
                let span = ByteSpan(base: base + start, count: offset - start)
                offset += 1
                return span
            }
            offset += b == UInt8(ascii: "\\") ? 2 : 1
        }
        throw failure(.unterminatedString)
    }

    /// Reads a scalar: a string (its raw contents) or a number, `true`, `false`, `null` (their text).
    /// A number or literal must be followed by something (`,` `}` `]` or whitespace): one that runs to the end of
    /// the frame was cut short and throws ``JSONScanError/Reason/unterminatedContainer``.
    @_transparent
    public mutating func scalar() throws(FrameFailure) -> JSONScalar {
        let b = peek()
        if b == UInt8(ascii: "\"") { return JSONScalar(span: try stringSpan(), kind: .string) }
        let start = offset
        #if _endian(little)
        // Numbers are mostly digits: pass over 8 digits at a time.
        while offset &+ 8 <= count {
            let word = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
            // All eight bytes are '0'…'9': high nibbles are 3, and adding 6 keeps them 3.
            let high = word & 0xF0F0_F0F0_F0F0_F0F0
            let carried = ((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4
            guard high | carried == 0x3333_3333_3333_3333 else { break }
            offset &+= 8
        }
        #endif
        while offset < count {
            let c = base[offset]
            if c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c <= 0x20 { break }
            offset += 1
        }
        guard offset > start else { throw failure(.expectedValue) }
        // A frame is an object or an array: a number or literal running to its end was cut short.
        guard offset < count else { throw failure(.unterminatedContainer) }
        let span = ByteSpan(base: base + start, count: offset - start)
        switch b {
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return JSONScalar(span: span, kind: .bool)
        case UInt8(ascii: "n"): return JSONScalar(span: span, kind: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return JSONScalar(span: span, kind: .number)
        default: throw failure(.expectedValue)
        }
    }

    /// Skips one value of any type (objects and arrays with everything inside). Containers are skipped 8 bytes
    /// at a time: a word without a quote or bracket is passed over whole (SWAR); strings inside are skipped
    /// by the same word-wise scan for their closing quote.
    /// Inlined: skipping a member's string or number is the most frequent step of a walk; containers call out.
    @inlinable @inline(__always)
    public mutating func skipValue() throws(FrameFailure) {
        let b = peek()
        if b == UInt8(ascii: "\"") {
            _ = try stringSpan()
            return
        }
        guard b == UInt8(ascii: "{") || b == UInt8(ascii: "[") else {
            _ = try scalar()
            return
        }
        try skipNested(depth: 0)
    }

    /// Where the value of the member `key` starts when that member comes right after the value ending at `offset`
    /// (`,"key":`, compact, the key without escapes); nil otherwise. The parser of Binance's depth updates finds
    /// the asks (`"a"`) after reading the bids, where the routing walk stopped.
    @inlinable
    public func valueOfMember(_ key: StaticString, at offset: Int) -> Int? {
        let n = key.utf8CodeUnitCount
        let end = offset &+ n &+ 4  // `,"` key `":`
        guard offset >= 0, end <= count, base[offset] == UInt8(ascii: ","), base[offset &+ 1] == UInt8(ascii: "\""),
              base[offset &+ n &+ 2] == UInt8(ascii: "\""), base[offset &+ n &+ 3] == UInt8(ascii: ":"),
              ByteSpan(base: base + (offset &+ 2), count: n).equals(key)
        else { return nil }
        return end
    }

    /// Skips the rest of the `levels` innermost containers being read, through their closing brackets: a walk
    /// that has read every member it needs passes over the others without looking at their keys.
    @inlinable
    public mutating func skipRest(levels: Int = 1) throws(FrameFailure) {
        // Most often the member read last was the container's last: only its closing bracket is left.
        if levels == 1, offset < count, base[offset] == UInt8(ascii: "}") || base[offset] == UInt8(ascii: "]") {
            offset &+= 1
            return
        }
        try skipNested(depth: levels)
    }

    /// Skips bytes until `depth` more containers close than open (`depth` 0: one whole container from here).
    ///
    /// 32 bytes at a time while they hold no backslash: one classification gives quotes and brackets, the quotes'
    /// prefix XOR marks the bytes inside strings, and only the brackets outside strings are visited (a book level
    /// costs two bit steps instead of a walk over its strings). A block with a backslash, and the frame's last
    /// bytes, are walked byte by byte.
    @inlinable
    mutating func skipNested(depth initial: Int) throws(FrameFailure) {
        var depth = initial
        var i = offset
        let n = count
        let p = base
        var inString: UInt32 = 0  // all ones while a string is open across blocks
        while i &+ 32 <= n {
            let m = hft_json_nesting32(p + i)
            if m.slashes != 0 { break }
            var strings = m.quotes  // prefix XOR: bit k set when byte k is inside a string (or its opening quote)
            strings ^= strings << 1
            strings ^= strings << 2
            strings ^= strings << 4
            strings ^= strings << 8
            strings ^= strings << 16
            strings ^= inString
            inString = 0 &- (strings >> 31)
            var events = (m.opens | m.closes) & ~strings
            while events != 0 {
                let k = events.trailingZeroBitCount
                if m.closes & (1 &<< UInt32(k)) != 0 {
                    depth -= 1
                    if depth == 0 {
                        offset = i &+ k &+ 1
                        return
                    }
                } else {
                    depth += 1
                }
                events &= events &- 1
            }
            i &+= 32
        }
        if inString != 0 {
            // The block walk stopped inside a string: finish it as a string. `stringSpan` passes over one byte as
            // the opening quote; the byte before `i` ends a block without backslashes, so it escapes nothing.
            offset = i &- 1
            _ = try stringSpan()
            i = offset
        }
        while i < n {
            #if _endian(little)
            if i &+ 8 <= n {
                let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                if Self.interesting(word) == 0 {
                    i &+= 8
                    continue
                }
            }
            #endif
            let c = p[i]
            i += 1
            if c == 34 {
                offset = i - 1
                _ = try stringSpan()
                i = offset
            } else if c == 91 || c == 123 {
                depth += 1
            } else if c == 93 || c == 125 {
                depth -= 1
                if depth == 0 {
                    offset = i
                    return
                }
            }
        }
        offset = n
        throw failure(.unterminatedContainer)
    }

    /// Nonzero when the 8 bytes of `word` contain a quote or a bracket (`[`, `]`, `{`, `}`).
    @inlinable @inline(__always)
    static func interesting(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ 0x2222_2222_2222_2222
        let folded = word | 0x2020_2020_2020_2020  // '[' → '{', ']' → '}'
        let open = folded ^ 0x7B7B_7B7B_7B7B_7B7B
        let close = folded ^ 0x7D7D_7D7D_7D7D_7D7D
        return ((quote &- ones) & ~quote | (open &- ones) & ~open | (close &- ones) & ~close) & 0x8080_8080_8080_8080
    }

    /// Counts the elements of the array that starts here, consuming it.
    @inlinable
    public mutating func countElements() throws(FrameFailure) -> Int {
        try beginArray()
        var first = true
        var n = 0
        while try nextElement(first: &first) {
            try skipValue()
            n += 1
        }
        return n
    }

    /// True when nothing but whitespace is left.
    @inlinable
    public mutating func atEnd() -> Bool {
        skipWhitespace()
        return offset >= count
    }
}

/// A JSON syntax problem at a byte offset of the frame.
public struct JSONScanError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        case expectedObject = "expected an object"
        case expectedArray = "expected an array"
        case expectedKey = "expected a member name"
        case expectedColon = "expected ':'"
        case expectedCommaOrEnd = "expected ',' or the end of the container"
        case expectedValue = "expected a value"
        case unterminatedString = "unterminated string"
        case unterminatedContainer = "unterminated object or array"
    }

    public let reason: Reason
    public let offset: Int

    @inlinable
    public init(reason: Reason, offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String { "\(reason.rawValue) at byte \(offset)" }
}
