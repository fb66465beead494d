public import HFTCore

/// Converters from scanned JSON scalars to typed field values, used by generated parsers. Each names the
/// spec field it reads, so a failure says where it happened. None allocates (except ``tradeID(_:_:)`` for
/// ids that are neither numbers nor UUIDs).
public enum FieldValues {
    /// A decimal sent as a string (`"65083.67"`) or a JSON number (`65083.67`).
    @inlinable @inline(__always)
    public static func decimal(_ v: JSONScalar, _ field: StaticString) throws(FrameFailure) -> ExactDecimal {
        guard v.kind == .string || v.kind == .number else { throw FrameFailure(field: field, reason: .invalidValue) }
        do {
            return try v.span.decimal()
        } catch {
            throw FrameFailure(field: field, reason: .decimal(error))
        }
    }

    /// An unsigned integer sent as a string or a number.
    @inlinable
    public static func unsigned(_ v: JSONScalar, _ field: StaticString) throws(FrameFailure) -> UInt64 {
        guard v.kind == .string || v.kind == .number, let n = v.span.unsigned() else {
            throw FrameFailure(field: field, reason: .invalidValue)
        }
        return n
    }

    /// A 32-bit checksum sent as an unsigned or a signed integer (OKX sends CRC32 as a signed int32).
    @inlinable
    public static func checksum(_ v: JSONScalar, _ field: StaticString) throws(FrameFailure) -> UInt32 {
        guard v.kind == .string || v.kind == .number, let n = v.span.signed() else {
            throw FrameFailure(field: field, reason: .invalidValue)
        }
        if n < 0, n >= Int64(Int32.min) { return UInt32(bitPattern: Int32(n)) }
        guard n >= 0, n <= Int64(UInt32.max) else { throw FrameFailure(field: field, reason: .invalidValue) }
        return UInt32(n)
    }

    /// The forms a timestamp field can take.
    public enum TimeFormat: Sendable {
        /// An integer in a unit (as a string or a number).
        case integer(Timestamp.Unit)
        /// Decimal seconds (`"1617736789.306871"`), exact.
        case decimalSeconds
        /// RFC 3339 text.
        case rfc3339
    }

    @inlinable
    public static func timestamp(_ v: JSONScalar, _ format: TimeFormat, _ field: StaticString) throws(FrameFailure) -> Timestamp {
        guard v.kind == .string || v.kind == .number else { throw FrameFailure(field: field, reason: .invalidValue) }
        do {
            switch format {
            case .integer(let unit): return try Timestamp(parsingInteger: v.span.raw, unit: unit)
            case .decimalSeconds: return try Timestamp(parsingDecimalSeconds: v.span.raw)
            case .rfc3339: return try Timestamp(parsingRFC3339: v.span.raw)
            }
        } catch {
            throw FrameFailure(field: field, reason: .timestamp(error))
        }
    }

    /// A trade id: decimal digits become `.number`, a UUID `.uuid`, anything else `.text`.
    @inlinable
    public static func tradeID(_ v: JSONScalar, _ field: StaticString) throws(FrameFailure) -> TradeID {
        guard v.kind == .string || v.kind == .number else { throw FrameFailure(field: field, reason: .invalidValue) }
        if let n = v.span.unsigned() { return .number(n) }
        if let bits = UUIDText.parse(v.span.raw) { return .uuid(bits) }
        return .text(v.span.string)
    }

    /// A boolean sent as `true`/`false` or as the strings `"true"`/`"false"`.
    @inlinable
    public static func bool(_ v: JSONScalar, _ field: StaticString) throws(FrameFailure) -> Bool {
        if v.span.equals("true") { return true }
        if v.span.equals("false") { return false }
        throw FrameFailure(field: field, reason: .invalidValue)
    }

    /// The instrument of a native symbol, which must be subscribed.
    @inlinable
    public static func instrument(_ v: JSONScalar, _ symbols: SymbolTable, _ field: StaticString) throws(FrameFailure) -> Instrument {
        guard v.kind == .string, let i = symbols.instrument(for: v.span) else {
            throw FrameFailure(field: field, reason: .unknownSymbol)
        }
        return i
    }
}
