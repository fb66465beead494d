public import HFTCore

/// The events a parser produced from one frame (or a few), in order.
///
/// A concrete type on purpose: generated parsers are not generic over their output, so they run fully
/// specialized whoever calls them. Reuse one batch per connection and call ``removeAll()`` after handing the
/// events on: once its capacity has grown to the largest frame, parsing ticker and trade frames allocates nothing.
///
/// The events live in memory the batch owns (not an `Array`): an event moves in with one copy, and ``removeAll()``
/// only destroys events when one of them holds references (book levels, texts). Tickers and trades with numeric
/// ids hold none, so emptying a batch of them is setting its count to zero.
///
/// Thread and ownership rules: noncopyable, owned by the thread that parses (the connection's service thread);
/// read the events (``subscript(_:)``, ``forEach(_:)``, ``events``) before the next ``removeAll()``.
public struct EventBatch: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<MarketEvent>
    @usableFromInline var capacity: Int
    @usableFromInline var stored: Int

    /// The number of events in the batch.
    @inlinable public var count: Int { stored }
    /// True once an event that holds references (and so must be destroyed) was received since the last
    /// ``removeAll()``.
    @usableFromInline var mustDestroy = false

    public init(capacity: Int = 16) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
        stored = 0
    }

    deinit {
        base.deinitialize(count: stored)
        base.deallocate()
    }

    /// Appends an event. `consuming`: a freshly built event moves into the batch with one copy.
    @inlinable
    public mutating func receive(_ event: consuming MarketEvent) {
        if stored == capacity { grow() }
        if !mustDestroy, Self.holdsReferences(event) { mustDestroy = true }
        (base + stored).initialize(to: event)
        stored &+= 1
    }

    /// Empties the batch, keeping its capacity.
    @inlinable
    public mutating func removeAll() {
        if mustDestroy {
            base.deinitialize(count: stored)
            mustDestroy = false
        }
        stored = 0
    }

    /// The event at `index` (0 ..< ``count``).
    @inlinable
    public subscript(index: Int) -> MarketEvent {
        precondition(index >= 0 && index < count, "EventBatch index out of range")
        return base[index]
    }

    /// Calls `body` with each event, in order.
    @inlinable
    public func forEach(_ body: (MarketEvent) throws -> Void) rethrows {
        for i in 0..<count { try body(base[i]) }
    }

    /// The events, in the order the frames produced them, as a new array (allocates: for tests and tools; hot
    /// paths use ``forEach(_:)`` or the subscript).
    public var events: [MarketEvent] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Whether destroying `event` releases anything: false for tickers and for trades without a text id, whose
    /// fields are plain values, so a batch of them is emptied without visiting each event.
    @inlinable
    static func holdsReferences(_ event: borrowing MarketEvent) -> Bool {
        switch event {
        case .ticker: return !_isPOD(Ticker.self)
        case .trade(let t):
            if case .text = t.tradeID { return true }
            return false
        default: return true
        }
    }

    @usableFromInline
    mutating func grow() {
        let bigger = UnsafeMutablePointer<MarketEvent>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: base, count: stored)
        base.deallocate()
        base = bigger
        capacity *= 2
    }
}
