/// The error convention of HFTKit: a value that says what went wrong and where.
///
/// Every error that crosses a module boundary is an `HFTError` (or wraps its cause in one), so that logs and
/// health events can always name the exchange, the connection, the channel, the message kind and the field.
/// Low-level parsers throw small enums (``DecimalError``, ``TimestampError``) that allocate nothing; the layer
/// that knows the context wraps them with ``HFTError/init(_:_:context:underlying:sample:)``.
public struct HFTError: Error, Sendable, CustomStringConvertible {
    /// The broad class of a failure; decides how callers react (retry, resync, fix configuration, …).
    public enum Kind: String, Sendable, Hashable {
        /// Input that does not follow the expected format (a frame, a field, a number).
        case parse
        /// A peer broke its protocol (unexpected reply, subscription refused).
        case protocolViolation = "protocol"
        /// Data integrity failed (sequence gap, checksum mismatch); the book must resync.
        case integrity
        /// Connecting, reading or writing failed.
        case connection
        /// A configuration, spec or command-line value is wrong; fixing it is up to the user.
        case configuration
        /// A bounded queue overflowed.
        case overflow
        /// An operating-system or C-library call failed.
        case system
    }

    public var kind: Kind
    /// What went wrong and, where possible, what to do about it.
    public var message: String
    public var context: ErrorContext
    /// The lower-level error, if any (a ``DecimalError``, an errno, …).
    public var underlying: (any Error & Sendable)?
    /// A short excerpt of the offending input (at most ``ErrorContext/maxSampleLength`` bytes).
    public var sample: String?

    public init(
        _ kind: Kind, _ message: String, context: ErrorContext = ErrorContext(),
        underlying: (any Error & Sendable)? = nil, sample: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.context = context
        self.underlying = underlying
        self.sample = sample.map { ErrorContext.truncate($0) }
    }

    /// `[parse] binance conn=2 channel=trade kind=aggTrade field=$.data.p: <message>: <underlying> | sample: …`
    public var description: String {
        var text = "[\(kind.rawValue)]"
        let where_ = context.description
        if !where_.isEmpty { text += " " + where_ }
        text += ": " + message
        if let underlying { text += ": \(underlying)" }
        if let sample { text += " | sample: \(sample)" }
        return text
    }
}

/// Where an error happened. Every field is optional; fill in what the reporting layer knows.
public struct ErrorContext: Sendable, Hashable, CustomStringConvertible {
    public static let maxSampleLength = 200

    public var exchange: ExchangeID?
    /// The connection's name within its stream (e.g. `trade#2`).
    public var connection: String?
    public var channel: Channel?
    /// The routed message kind (e.g. `aggTrade`, `book_snapshot`).
    public var messageKind: String?
    /// A JSON path into the message (e.g. `$.data[0].px`).
    public var fieldPath: String?

    public init(
        exchange: ExchangeID? = nil, connection: String? = nil, channel: Channel? = nil,
        messageKind: String? = nil, fieldPath: String? = nil
    ) {
        self.exchange = exchange
        self.connection = connection
        self.channel = channel
        self.messageKind = messageKind
        self.fieldPath = fieldPath
    }

    public var description: String {
        var parts: [String] = []
        if let exchange { parts.append(exchange.rawValue) }
        if let connection { parts.append("conn=\(connection)") }
        if let channel { parts.append("channel=\(channel)") }
        if let messageKind { parts.append("kind=\(messageKind)") }
        if let fieldPath { parts.append("field=\(fieldPath)") }
        return parts.joined(separator: " ")
    }

    /// Shortens `text` to ``maxSampleLength`` characters, marking the cut.
    public static func truncate(_ text: String) -> String {
        guard text.count > maxSampleLength else { return text }
        return String(text.prefix(maxSampleLength)) + "…(\(text.utf8.count) bytes)"
    }
}
