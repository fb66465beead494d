/// Something that happened to a stream's connections or queues, delivered to observers next to market events
/// (a feed that goes quiet or loses data must be visible to the code trading on it, not only in the log).
public struct HealthEvent: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A connection attempt started (`attempt` 1 is the first since the last success).
        case connecting(attempt: Int)
        /// The WebSocket handshake completed.
        case connected
        /// Subscriptions were sent (and acknowledged, where the exchange acknowledges them).
        case subscribed
        /// The exchange rejected a subscription or reported an error frame.
        case exchangeError(String)
        /// The connection closed or could not be opened.
        case disconnected(reason: String)
        /// A new attempt will start after `delayNanoseconds`.
        case reconnecting(delayNanoseconds: Int64, attempt: Int)
        /// Nothing arrived for `silentNanoseconds` on an open connection: it is closed and replaced.
        case stale(silentNanoseconds: Int64)
        /// The connection reached its maximum lifetime: a replacement opens before it closes.
        case plannedReconnect
        /// The stream's book of `instrument` became invalid (`reason`: a sequence gap, a checksum mismatch, a
        /// crossed book, …; starts with the fault's short name, `gap: …`): it resynchronizes, and no valid book
        /// view is published until ``bookResynced(instrument:)``. Also sent to one observer alone when its own
        /// queue dropped book events of `instrument` (`overflow: …`): its view of that book is stale.
        case bookInvalid(instrument: Instrument, reason: String)
        /// The book of `instrument` is valid again (a new snapshot after a resync).
        case bookResynced(instrument: Instrument)
        /// An observer's queue was full: events of `channel` were dropped (`count` so far).
        case overflow(channel: Channel, dropped: Int)
        /// Frames that could not be parsed (`count` so far; the first sample is logged).
        case badFrames(count: Int, sample: String)
        /// The stream stopped (no more events).
        case stopped
    }

    public let exchange: ExchangeID
    /// The connection's name (`trade`, `book#2`), or empty for stream-wide events.
    public let connection: String
    public let kind: Kind
    public let time: Timestamp

    public init(exchange: ExchangeID, connection: String, kind: Kind, time: Timestamp) {
        self.exchange = exchange
        self.connection = connection
        self.kind = kind
        self.time = time
    }

    public var description: String {
        "\(exchange.rawValue)/\(connection.isEmpty ? "-" : connection) \(kind)"
    }
}
