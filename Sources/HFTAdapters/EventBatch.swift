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
/// Book levels: ``removeAll()`` keeps the level arrays of the book events it empties (up to ``spareArrays`` of at
/// most ``spareArrayLevels`` levels each) and generated parsers start their next book events' sides from them
/// (``spareLevels()``). When nothing else kept those events (the stream's book keeper applies an update and drops
/// it; `hft replay` prints it), reading book messages then allocates nothing either. When something may have
/// (observers of raw updates hold copies in their queues), empty with `removeAll(keepingLevels: false)`: emptying
/// a reused array that is still shared allocates a new one, even for a side that then gets no levels.
///
/// Thread and ownership rules: noncopyable, owned by the thread that parses (the connection's service thread);
/// read the events (``subscript(_:)``, ``forEach(_:)``, ``events``) before the next ``removeAll()``.
public struct EventBatch: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<MarketEvent>
    @usableFromInline var capacity: Int
    @usableFromInline var stored: Int
    /// Level arrays kept by ``removeAll()`` for ``spareLevels()``: `spareCount` of them, at most ``spareArrays``.
    @usableFromInline let spares: UnsafeMutablePointer<[BookLevel]>
    @usableFromInline var spareCount = 0

    /// How many level arrays a batch keeps (two per book event: a frame's bids and asks, or four for two symbols).
    public static let spareArrays = 8
    /// The largest array kept, in levels (of capacity): updates fit; a snapshot's big arrays are freed, so a batch
    /// holds at most 8 × 64 levels (24 KiB).
    public static let spareArrayLevels = 64

    /// The number of events in the batch.
    @inlinable public var count: Int { stored }
    /// How many level arrays the batch keeps for the next book events (``spareLevels()``).
    public var keptLevelArrays: Int { spareCount }
    /// True once an event that holds references (and so must be destroyed) was received since the last
    /// ``removeAll()``.
    @usableFromInline var mustDestroy = false

    public init(capacity: Int = 16) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
        stored = 0
        spares = .allocate(capacity: Self.spareArrays)
    }

    deinit {
        base.deinitialize(count: stored)
        base.deallocate()
        spares.deinitialize(count: spareCount)
        spares.deallocate()
    }

    /// Appends an event. `consuming`: a freshly built event moves into the batch with one copy.
    @inlinable
    public mutating func receive(_ event: consuming MarketEvent) {
        if stored == capacity { grow() }
        if !mustDestroy, Self.holdsReferences(event) { mustDestroy = true }
        (base + stored).initialize(to: event)
        stored &+= 1
    }

    /// Empties the batch, keeping its capacity, and (`keepingLevels`) the level arrays of its book events for the
    /// next ones: pass false when something else may still hold those events.
    @inlinable
    public mutating func removeAll(keepingLevels: Bool = true) {
        if mustDestroy, !keepingLevels {
            base.deinitialize(count: stored)
            mustDestroy = false
        } else if mustDestroy {
            for i in 0..<stored {
                if case .book(var update) = (base + i).move() {
                    keep(LevelRun.take(&update.bids))
                    keep(LevelRun.take(&update.asks))
                }
            }
            mustDestroy = false
        }
        stored = 0
    }

    /// An empty array for one side of a book event, with the capacity of one that ``removeAll()`` kept when there
    /// is one (no allocation when nothing else holds it), or a new empty array.
    @inlinable
    public mutating func spareLevels() -> [BookLevel] {
        guard spareCount > 0 else { return [] }
        spareCount &-= 1
        var levels = (spares + spareCount).move()
        levels.removeAll(keepingCapacity: true)
        return levels
    }

    @usableFromInline
    mutating func keep(_ levels: consuming [BookLevel]) {
        guard spareCount < Self.spareArrays, levels.capacity > 0, levels.capacity <= Self.spareArrayLevels else { return }
        (spares + spareCount).initialize(to: levels)
        spareCount &+= 1
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
