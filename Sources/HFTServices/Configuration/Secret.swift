/// A credential or other confidential configuration value: API keys and secrets, and any value a configuration marks
/// secret (`"${secret:VAR}"`). Its `description` (and so every log line, error message and `print`) is `***`; the
/// text is read only through ``revealed``, by the code that signs requests with it.
///
/// Thread safety: an immutable value, `Sendable`.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The confidential text. Use it only where it is needed (signing); never log it.
    public let revealed: String

    public init(_ text: String) { revealed = text }

    public var description: String { "***" }
    public var debugDescription: String { "Secret(***)" }
    /// `dump`, the debugger and `String(reflecting:)` see no text either.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
    public var isEmpty: Bool { revealed.isEmpty }
}
