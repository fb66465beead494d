import HFTCore

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

    /// The case's name.
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

    /// The case's name.
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

    /// The case's name.
    public var description: String {
        switch self {
        case .ready: return "ready"
        case .closed: return "closed"
        case .timedOut: return "timedOut"
        }
    }
}

/// The side path of a ``OverflowPolicy/conflateBySymbol`` queue: the latest undelivered ticker of every
/// instrument that did not fit into the ring, in the order the instruments first overflowed.
///
/// A newer ticker of an instrument already held replaces it in place, so an instrument that updates often
/// cannot push the others back, and the set never holds more than one event per instrument (its size is bounded
/// by the number of instruments of the stream, not by the rate of updates).
///
/// Ownership: a property of the queue used only under its overflow lock, touched only by the producer (inserting on overflow) and by the
/// consumer (taking everything once the ring is empty). Storage is kept between rounds: after the first overflow
/// of each instrument, inserting and taking allocate nothing.
struct ConflationBuffer {
    /// What conflates: the same instrument on the same exchange.
    struct Key: Hashable {
        let exchange: ExchangeID
        let instrument: Instrument
    }

    /// The held events, one per key, in first-overflow order.
    private(set) var events: [MarketEvent] = []
    /// Index in `events` of each key's event.
    private var slots: [Key: Int] = [:]

    var isEmpty: Bool { events.isEmpty }
    var count: Int { events.count }

    /// Reserves room for `instruments` distinct instruments.
    init(reservingCapacity instruments: Int) {
        events.reserveCapacity(instruments)
        slots.reserveCapacity(instruments)
    }

    /// Holds `ticker` as the latest of its instrument. Returns true when it replaced an older, undelivered one.
    mutating func hold(_ ticker: Ticker) -> Bool {
        let key = Key(exchange: ticker.exchange, instrument: ticker.instrument)
        if let slot = slots[key] {
            events[slot] = .ticker(ticker)
            return true
        }
        slots[key] = events.count
        events.append(.ticker(ticker))
        return false
    }

    /// Moves every held event into `batch`, which must be empty; `batch`'s storage is kept for the next round.
    mutating func takeAll(into batch: inout [MarketEvent]) {
        precondition(batch.isEmpty, "the consumer's batch must be delivered before taking the next one")
        swap(&events, &batch)
        slots.removeAll(keepingCapacity: true)
    }
}
