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
    @inlinable @inline(__always)
    static func same(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ byteCount: Int) -> Bool {
        var i = 0
        while i < byteCount {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }


    /// The bytes as a `String` (allocates when longer than 15 bytes; for errors, samples and tools).
    public var string: String {
        String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self)
    }

    /// A decimal parsed in place.
    @inlinable
    public func decimal() throws(DecimalError) -> ExactDecimal {
        try ExactDecimal(parsing: base, count: count)
    }

    /// An unsigned integer parsed in place (digits only); nil when it is not one or overflows.
    @inlinable
    public func unsigned() -> UInt64? {
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
@frozen
public struct JSONScalar {
    public enum Kind: Sendable {
        case string, number, bool, null
    }

    public let span: ByteSpan
    public let kind: Kind

    @inlinable
    public init(span: ByteSpan, kind: Kind) {
        self.span = span
        self.kind = kind
    }
}

