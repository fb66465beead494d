/// What an ``EventQueue`` does with an event that does not fit because its consumer is behind.
///
/// Chosen per queue, that is per observer and channel: a ticker observer usually wants the latest prices and can
/// lose intermediate ones, while losing a trade or a book delta must be reported (and, for books, repaired by a
/// resynchronization).
public enum OverflowPolicy: Sendable, Hashable, CustomStringConvertible {
    /// The event that does not fit is discarded and counted; ``EventQueue/push(_:)`` returns
    /// ``PushResult/dropped`` so that the producer reports it (a `HealthEvent.overflow`, and a resync for books).
    /// The default, and the right policy for trades, book updates and the account's own events.
    case dropNewest

    /// For tickers. When the ring is full, the newest ticker of each instrument (exchange + instrument) is kept
    /// aside and delivered as soon as the consumer has emptied the ring; a newer ticker of the same instrument
    /// replaces the kept one, which is counted as conflated. The consumer therefore always ends up seeing the
    /// latest ticker of every instrument, and the tickers of one instrument arrive in the order they were pushed.
    ///
    /// Only `.ticker` events are conflated. Other events pushed into such a queue go into the ring when it has
    /// room and are dropped (as under ``dropNewest``) when it has none.
    case conflateBySymbol

    public var description: String {
        switch self {
        case .dropNewest: return "dropNewest"
        case .conflateBySymbol: return "conflateBySymbol"
        }
    }
}

/// What became of one event given to ``EventQueue/push(_:)``. Nothing is lost silently: every outcome other than
/// ``enqueued`` is also counted in ``EventQueue/Statistics``.
public enum PushResult: Sendable, Hashable, CustomStringConvertible {
    /// Accepted: the consumer will receive it (a conflating queue may hold it aside until the ring has room).
    case enqueued
    /// Accepted, replacing an older ticker of the same instrument that had not been delivered yet; that older
    /// ticker will never be delivered and is counted in ``EventQueue/Statistics/conflated``.
    case conflated
    /// Discarded because the queue was full (``OverflowPolicy/dropNewest``, or a non-ticker event in a conflating
    /// queue); counted in ``EventQueue/Statistics/dropped``. The producer must report it.
    case dropped
    /// Discarded because the queue was closed; not counted (the consumer is gone or finishing).
    case closed

    /// True when the event will not reach the consumer (``dropped`` or ``closed``).
    public var isLoss: Bool { self == .dropped || self == .closed }

    public var description: String {
        switch self {
        case .enqueued: return "enqueued"
        case .conflated: return "conflated"
        case .dropped: return "dropped"
        case .closed: return "closed"
        }
    }
}

/// Why ``EventQueue/waitForEvents(timeout:)`` returned.
public enum WaitResult: Sendable, Hashable, CustomStringConvertible {
    /// At least one event can be taken with ``EventQueue/pop()`` or ``EventQueue/drain(into:max:)``.
    case ready
    /// The queue is closed and every event has been delivered: the consumer is done.
    case closed
    /// The timeout passed with nothing to deliver.
    case timedOut

    public var description: String {
        switch self {
        case .ready: return "ready"
        case .closed: return "closed"
        case .timedOut: return "timedOut"
        }
    }
}
