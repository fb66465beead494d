/// Condition tests used by generated routers on captured scalars. Allocation-free.
public enum RouteTest {
    /// The value is the string `literal`.
    @inlinable
    public static func string(_ v: JSONScalar?, _ literal: StaticString) -> Bool {
        guard let v, v.kind == .string else { return false }
        return v.span.equals(literal)
    }

    /// The value is the number, boolean or null whose JSON text is `literal` (compared as text).
    @inlinable
    public static func literal(_ v: JSONScalar?, _ literal: StaticString) -> Bool {
        guard let v, v.kind != .string else { return false }
        return v.span.equals(literal)
    }

    @inlinable
    public static func prefix(_ v: JSONScalar?, _ literal: StaticString) -> Bool {
        guard let v, v.kind == .string else { return false }
        return v.span.hasPrefix(literal)
    }

    @inlinable
    public static func suffix(_ v: JSONScalar?, _ literal: StaticString) -> Bool {
        guard let v, v.kind == .string else { return false }
        return v.span.hasSuffix(literal)
    }

    /// The whole frame is exactly `literal` (non-JSON text frames such as `pong`).
    @inlinable
    public static func frame(_ frame: UnsafeRawBufferPointer, equals literal: StaticString) -> Bool {
        guard let base = frame.baseAddress, frame.count == literal.utf8CodeUnitCount else { return false }
        return ByteSpan(base: base.assumingMemoryBound(to: UInt8.self), count: frame.count).equals(literal)
    }
}

/// The scalars of one book level while it is being read.
public struct LevelScalars {
    public var price: JSONScalar?
    public var size: JSONScalar?
    public var side: JSONScalar?

    @inlinable
    public init() {}
}
