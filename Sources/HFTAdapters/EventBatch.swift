public import HFTCore

/// The events a parser produced from one frame (or a few), in order.
///
/// A concrete type on purpose: generated parsers are not generic over their output, so they run fully
/// specialized whoever calls them. Reuse one batch per connection and call ``removeAll()`` after handing the
/// events on: once its capacity has grown to the largest frame, parsing ticker and trade frames allocates nothing.
///
/// Thread safety: owned by the thread that parses (the connection's service thread).
public struct EventBatch {
    @usableFromInline var storage: [MarketEvent]

    /// The events, in the order the frames produced them.
    public var events: [MarketEvent] { storage }

    public init(capacity: Int = 16) {
        storage = []
        storage.reserveCapacity(capacity)
    }

    /// Appends an event. `consuming`: a freshly built event moves into the batch without a copy.
    @inlinable
    public mutating func receive(_ event: consuming MarketEvent) {
        storage.append(event)
    }

    /// Empties the batch, keeping its capacity. Most frames give one event or a few: popping them costs a
    /// tenth of `removeAll(keepingCapacity:)`, which goes through the generic `replaceSubrange`.
    @inlinable
    public mutating func removeAll() {
        if storage.count <= 8 {
            while storage.popLast() != nil {}
        } else {
            storage.removeAll(keepingCapacity: true)
        }
    }

    public var count: Int { storage.count }
}
