/// Why text could not become an ``ExactDecimal``, or why an operation had no exact result in range.
/// A plain enum (no payload allocation), so parsers can throw it on hot paths.
public enum DecimalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input had no bytes.
    case empty
    /// A byte that the decimal grammar does not allow at this position (offset from the start of the input).
    case unexpectedCharacter(offset: Int, byte: UInt8)
    /// Digits were required at this offset (after `-`, `.`, `e` or at the end).
    case missingDigits(offset: Int)
    /// The magnitude is 10^38 or more.
    case overflow
    /// More than 38 significant or fractional digits: representing it would need rounding.
    case excessPrecision

    public var description: String {
        switch self {
        case .empty:
            return "empty decimal text"
        case .unexpectedCharacter(let offset, let byte):
            let shown = (32..<127).contains(byte) ? "'\(Character(UnicodeScalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
            return "unexpected \(shown) at offset \(offset) in decimal text"
        case .missingDigits(let offset):
            return "digits expected at offset \(offset) in decimal text"
        case .overflow:
            return "decimal overflow: magnitude must be below 10^38"
        case .excessPrecision:
            return "decimal needs more than 38 significant or fractional digits; refusing to round"
        }
    }
}
