/// Names an exchange (or one market of it) as its spec does: `binance`, `binance_futures`, `okx_swap`.
///
/// Identifiers are lower-case ASCII letters, digits and `_`.
///
/// Thread safety: a plain value, usable from any thread. Identifiers are interned (``InternTable``): the value is
/// a 4-byte id, so events carrying it are copied without reference counting; `==` and hashing compare ids.
/// Reading ``rawValue`` takes a short lock (not for per-message hot paths).
public struct ExchangeID: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    static let table = InternTable<String>()

    /// The identifier's id in this process (dense, from 0; not stable across processes: use ``rawValue``).
    public let id: UInt32

    public var rawValue: String { Self.table.value(id) }

    /// Accepts a valid identifier; `nil` otherwise (use ``validate(_:)`` for the reason).
    public init?(rawValue: String) {
        guard Self.validate(rawValue) == nil else { return nil }
        self.id = Self.table.intern(rawValue)
    }

    /// Why `name` is not a valid identifier, or nil when it is.
    public static func validate(_ name: String) -> String? {
        if name.isEmpty { return "exchange identifier is empty" }
        if name.utf8.count > 32 { return "exchange identifier '\(name)' is longer than 32 characters" }
        for b in name.utf8 {
            let ok = (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b &- 48 < 10) || b == UInt8(ascii: "_")
            if !ok { return "exchange identifier '\(name)' may only contain a-z, 0-9 and '_'" }
        }
        if name.utf8.first! &- 48 < 10 { return "exchange identifier '\(name)' must start with a letter" }
        return nil
    }

    public var description: String { rawValue }

    public static func < (lhs: ExchangeID, rhs: ExchangeID) -> Bool { lhs.rawValue < rhs.rawValue }

    // Explicit, so that RawRepresentable's defaults (which compare and hash `rawValue`, read under the intern
    // table's lock) are not used: one id is one name in this process.
    @inlinable
    public static func == (lhs: ExchangeID, rhs: ExchangeID) -> Bool { lhs.id == rhs.id }

    @inlinable
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
