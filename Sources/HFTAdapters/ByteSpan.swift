public import CJSONMarks
public import HFTCore


/// A range of bytes inside a frame being parsed. Valid only while the frame's buffer is.
@frozen
public struct ByteSpan {
    public let base: UnsafePointer<UInt8>
    public let count: Int

    @inlinable
    public init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    @inlinable
    public var raw: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// True when the bytes equal `literal` (a `StaticString`, compared without creating a `String`).
    @inlinable @inline(__always)
    public func equals(_ literal: StaticString) -> Bool {
        guard literal.utf8CodeUnitCount == count else { return false }
        return Self.same(base, literal.utf8Start, count)
    }

    @inlinable
    public func hasPrefix(_ literal: StaticString) -> Bool {
        guard literal.utf8CodeUnitCount <= count else { return false }
        return Self.same(base, literal.utf8Start, literal.utf8CodeUnitCount)
    }

    @inlinable
    public func hasSuffix(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard n <= count else { return false }
        return Self.same(base + (count - n), literal.utf8Start, n)
    }

    /// True when `byteCount` bytes at `a` and `b` are equal.
    /// Compares with at most four loads per side for up to 16 bytes (two overlapping words of the widest size
    /// that fits), never reading outside either range; longer ranges compare 8 bytes at a time.
    @inlinable @inline(__always)
    static func same(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ byteCount: Int) -> Bool {
        let x = UnsafeRawPointer(a)
        let y = UnsafeRawPointer(b)
        switch byteCount {
        case 0: return true
        case 1: return a[0] == b[0]
        case 2...3:
            let t = byteCount - 2
            return (x.loadUnaligned(as: UInt16.self) ^ y.loadUnaligned(as: UInt16.self))
                | (x.loadUnaligned(fromByteOffset: t, as: UInt16.self) ^ y.loadUnaligned(fromByteOffset: t, as: UInt16.self)) == 0
        case 4...7:
            let t = byteCount - 4
            return (x.loadUnaligned(as: UInt32.self) ^ y.loadUnaligned(as: UInt32.self))
                | (x.loadUnaligned(fromByteOffset: t, as: UInt32.self) ^ y.loadUnaligned(fromByteOffset: t, as: UInt32.self)) == 0
        case 8...16:
            let t = byteCount - 8
            return (x.loadUnaligned(as: UInt64.self) ^ y.loadUnaligned(as: UInt64.self))
                | (x.loadUnaligned(fromByteOffset: t, as: UInt64.self) ^ y.loadUnaligned(fromByteOffset: t, as: UInt64.self)) == 0
        default:
            var i = 0
            while i &+ 8 <= byteCount {
                if x.loadUnaligned(fromByteOffset: i, as: UInt64.self) != y.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
                i &+= 8
            }
            let t = byteCount - 8
            return x.loadUnaligned(fromByteOffset: t, as: UInt64.self) == y.loadUnaligned(fromByteOffset: t, as: UInt64.self)
        }
    }


    /// The bytes as a `String` (allocates when longer than 15 bytes; for errors, samples and tools).
    public var string: String {
        String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self)
    }

    /// A decimal parsed in place.
    ///
    /// Inlined, with the general parser out of line: the conversions of a message's fields (each a chain of
    /// dependent vector steps) then overlap instead of waiting on one call after another.
    @inlinable @inline(__always)
    public func decimal() throws(DecimalError) -> ExactDecimal {
        if let value = plainDecimal16() { return value }
        return try generalDecimal()
    }

    /// ``decimal()`` by the general parser, as a call.
    @inline(never) @usableFromInline
    func generalDecimal() throws(DecimalError) -> ExactDecimal {
        try ExactDecimal(parsing: base, count: count)
    }

    /// The decimal `digit+(.digit+)?` of 1…16 bytes (most prices and sizes) with no loop and no branch on its length
    /// (``hft_decimal16``, SSE2), nil for anything else or, `checkingPage`, when the 16 bytes that end with the
    /// span's last byte are not all in that byte's memory page (1 span end in 273): ``decimal()`` then takes the
    /// general parser, which reads the same text to the same value.
    ///
    /// The load may read up to 15 bytes before the span: inside its memory page, so it cannot fault. Callers that
    /// know those bytes are readable (inside the frame: ``JSONScanner/decimalPairRows(_:to:)``) pass
    /// `checkingPage: false`. Their values are masked off.
    @inlinable @inline(__always)
    public func plainDecimal16(checkingPage: Bool = true) -> ExactDecimal? {
        guard count >= 1, count <= 16, !checkingPage || UInt(bitPattern: base + (count &- 1)) & 4095 >= 15 else { return nil }
        var value: UInt64 = 0
        let scale = hft_decimal16(base + count, count, &value)
        guard scale >= 0 else { return nil }
        return ExactDecimal(mantissa64: Int64(bitPattern: value), scale: UInt8(truncatingIfNeeded: scale))
    }

    /// An unsigned integer parsed in place (digits only); nil when it is not one or overflows.
    @inlinable
    public func unsigned() -> UInt64? {
        if let v = DecimalDigits.value(base, count) { return v }  // up to 16 digits, read as words
        guard count > 0, count <= 20 else { return nil }
        var v: UInt64 = 0
        for i in 0..<count {
            let d = base[i] &- 48
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            guard !o1, !o2 else { return nil }
            v = a
        }
        return v
    }

    /// A signed integer parsed in place; nil when it is not one or overflows.
    @inlinable
    public func signed() -> Int64? {
        guard count > 0 else { return nil }
        if base[0] == UInt8(ascii: "-") {
            guard let m = ByteSpan(base: base + 1, count: count - 1).unsigned(), m <= UInt64(Int64.max) + 1 else { return nil }
            return m == UInt64(Int64.max) + 1 ? Int64.min : -Int64(m)
        }
        guard let m = unsigned(), m <= UInt64(Int64.max) else { return nil }
        return Int64(m)
    }
}

/// A scalar JSON value as its bytes: a string's raw contents, or a literal's text.
///
/// Stored as two words (the start, and the length with the kind in its low bits), so that an optional scalar
/// is 16 bytes with no tag byte: parsers keep several in their state and copy them whole, and byte-sized
/// fields next to words made the CPU stall on store forwarding.
@frozen
public struct JSONScalar {
    public enum Kind: UInt8, Sendable {
        case string, number, bool, null
    }

    @usableFromInline let base: UnsafePointer<UInt8>
    /// `count << 2 | kind`.
    @usableFromInline let countAndKind: Int

    @inlinable @inline(__always)
    public init(span: ByteSpan, kind: Kind) {
        base = span.base
        countAndKind = span.count &<< 2 | Int(kind.rawValue)
    }

    @inlinable
    public var span: ByteSpan {
        @inline(__always) get { ByteSpan(base: base, count: countAndKind &>> 2) }
    }

    @inlinable
    public var kind: Kind {
        @inline(__always) get { Kind(rawValue: UInt8(truncatingIfNeeded: countAndKind & 3)).unsafelyUnwrapped }
    }
}

