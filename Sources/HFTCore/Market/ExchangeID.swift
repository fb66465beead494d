/// Names an exchange (or one market of it) as its spec does: `binance`, `binance_futures`, `okx_swap`.
///
/// Identifiers are lower-case ASCII letters, digits and `_`. Short names are stored inline by `String`
/// (no heap, no reference counting), so copying an `ExchangeID` into every event is cheap.
public struct ExchangeID: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// Accepts a valid identifier; `nil` otherwise (use ``validate(_:)`` for the reason).
    public init?(rawValue: String) {
        guard Self.validate(rawValue) == nil else { return nil }
        self.rawValue = rawValue
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
}
