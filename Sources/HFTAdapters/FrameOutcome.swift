public import HFTCore

/// What a frame turned out to be. `kind` is the spec's message kind name (`aggTrade`, `book_update`), a
/// static string: producing the outcome of a data or control frame allocates nothing (a failed frame's outcome
/// boxes its ``FrameFailure``).
public struct FrameOutcome: Sendable, CustomStringConvertible {
    public enum Disposition: Sendable, Equatable {
        /// Market data: `events` normalized events were delivered to the sink.
        case data
        /// A control message of the protocol.
        case control(ControlKind)
        /// No routing rule matched.
        case unrecognized
        /// A rule matched but the frame could not be parsed. Indirect (boxed, allocated when a frame fails): an
        /// outcome is returned for every frame, and without the 41-byte failure inline it is 40 bytes instead of 80.
        indirect case failed(FrameFailure)
    }

    public let kind: StaticString
    public let disposition: Disposition
    public let events: Int

    @inlinable
    public init(kind: StaticString, disposition: Disposition, events: Int = 0) {
        self.kind = kind
        self.disposition = disposition
        self.events = events
    }

    @inlinable
    public static func unrecognized() -> FrameOutcome { FrameOutcome(kind: "unrecognized", disposition: .unrecognized) }

    public var description: String {
        switch disposition {
        case .data: return "\(kind): \(events) event(s)"
        case .control(let c): return "\(kind): control (\(c.rawValue))"
        case .unrecognized: return "unrecognized"
        case .failed(let f): return "\(kind): failed: \(f)"
        }
    }
}

/// The protocol messages that carry no market data.
public enum ControlKind: String, Sendable, Hashable {
    /// A subscription (or unsubscription) was confirmed.
    case ack
    /// The exchange reports an error (e.g. a refused subscription).
    case error
    /// A server heartbeat.
    case heartbeat
    /// Answer to our ping.
    case pong
    /// Connection or system status / info.
    case status
    /// History sent on subscribe (recent trades); recognized, deliberately not emitted as events.
    case history
}

/// Why a recognized frame could not be parsed: the field (JSON path in the spec) and the reason.
public struct FrameFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case json(JSONScanError)
        case decimal(DecimalError)
        case timestamp(TimestampError)
        case missingField
        case unknownSymbol
        case invalidValue
    }

    public let field: StaticString
    public let reason: Reason

    @inlinable
    public init(field: StaticString, reason: Reason) {
        self.field = field
        self.reason = reason
    }

    public static func == (a: FrameFailure, b: FrameFailure) -> Bool {
        a.field.description == b.field.description && a.reason == b.reason
    }

    public var description: String {
        switch reason {
        case .json(let e): return "\(field): malformed JSON: \(e)"
        case .decimal(let e): return "\(field): \(e)"
        case .timestamp(let e): return "\(field): \(e)"
        case .missingField: return "\(field): missing"
        case .unknownSymbol: return "\(field): symbol not subscribed"
        case .invalidValue: return "\(field): unexpected value"
        }
    }
}
