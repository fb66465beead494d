import HFTCore

/// The side path of a ``OverflowPolicy/conflateBySymbol`` queue: the latest undelivered ticker of every
/// instrument that did not fit into the ring, in the order the instruments first overflowed.
///
/// A newer ticker of an instrument already held replaces it in place, so an instrument that updates often
/// cannot push the others back, and the set never holds more than one event per instrument (its size is bounded
/// by the number of instruments of the stream, not by the rate of updates).
///
/// Ownership: lives inside the queue's `Mutex`, touched only by the producer (inserting on overflow) and by the
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
