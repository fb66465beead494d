public import Atomics

/// The shared words of one ``EventQueue``: ring indices, statistics counters and the wake-up flags.
///
/// They live in one separately allocated block, grouped by writer, each group on its own 128-byte stretch (two
/// cache lines, as adjacent-line prefetchers move lines in pairs). The producer's writes (tail, counters) then
/// never invalidate the line the consumer writes (head), and the reverse: false sharing would cost more than the
/// atomic operations themselves.
///
/// Counters with a single writer are advanced with a relaxed load and store (``bump(_:by:)``), not a
/// read-modify-write instruction; readers on other threads see a recent value.
///
/// Ownership: created and deallocated by the queue; the plain (non-atomic) words are each confined to one side.
@usableFromInline
struct QueueCounters {
    /// Bytes between groups of words written by different threads.
    static let groupStride = 128

    private let block: UnsafeMutableRawPointer

    // Producer group: written by the producer only (the side counters under the conflation lock, which only the
    // producer writes while holding it).

    /// Index of the next slot the producer fills (monotonic; the slot is `tail & mask`).
    @usableFromInline let tail: UnsafeAtomic<Int>
    /// Events offered to `push` while the queue was open.
    @usableFromInline let pushed: UnsafeAtomic<Int>
    /// Events discarded because the queue was full.
    @usableFromInline let dropped: UnsafeAtomic<Int>
    /// Tickers replaced in the conflation set before delivery.
    @usableFromInline let conflated: UnsafeAtomic<Int>
    /// Largest depth the producer saw, measured when it found the ring full.
    @usableFromInline let producerHighWater: UnsafeAtomic<Int>
    /// The producer's last view of `head` (plain word, producer only): refreshed only when the ring looks full.
    @usableFromInline let cachedHead: UnsafeMutablePointer<Int>

    // Consumer group: written by the consumer only.

    /// Index of the next slot the consumer reads.
    @usableFromInline let head: UnsafeAtomic<Int>
    /// Events handed to the consumer.
    @usableFromInline let delivered: UnsafeAtomic<Int>
    /// Largest depth the consumer saw when it fetched the producer's new tail.
    @usableFromInline let consumerHighWater: UnsafeAtomic<Int>
    /// The consumer's last view of `tail` (plain word, consumer only): refreshed only when the ring looks empty.
    @usableFromInline let cachedTail: UnsafeMutablePointer<Int>
    /// Conflated events in the consumer's batch not delivered yet (plain word, consumer only): lets `pop` skip
    /// the batch without touching the array.
    @usableFromInline let batchPending: UnsafeMutablePointer<Int>

    // Shared group: rarely written (once per parked batch, on overflow, on close).

    /// Who is parked (see ``Waiter``). Set by the consumer, cleared by whoever wakes it.
    @usableFromInline let waiter: UnsafeAtomic<Int>
    /// 1 once `close()` was called.
    @usableFromInline let closed: UnsafeAtomic<Int>
    /// 1 while the conflation set holds events (written under the conflation lock only).
    @usableFromInline let overflowActive: UnsafeAtomic<Int>
    /// Conflated tickers not delivered yet: in the conflation set or in the consumer's batch (two writers:
    /// read-modify-write, on the overflow path only).
    @usableFromInline let heldAside: UnsafeAtomic<Int>

    /// Who is parked waiting for events, as the value of `waiter`: ``none``, ``thread``, or the continuation of
    /// the parked task itself (its bits: a task pointer, never 0 or 1). Keeping the continuation in the atomic word,
    /// rather than in a property next to a flag, means the waker takes it with the same exchange that claims the
    /// wake-up, and no plain memory is shared between the two sides.
    @usableFromInline
    enum Waiter {
        /// Nobody is parked.
        @usableFromInline static let none = 0
        /// A consumer thread sleeps in `waitForEvents`.
        @usableFromInline static let thread = 1

        /// The word announcing that the task of `continuation` is parked.
        static func announcing(_ continuation: UnsafeContinuation<Void, Never>) -> Int {
            let word = unsafeBitCast(continuation, to: Int.self)
            precondition(word != none && word != thread, "a continuation is a task pointer")
            return word
        }

        /// The continuation a word from ``announcing(_:)`` holds.
        static func continuation(_ word: Int) -> UnsafeContinuation<Void, Never> {
            unsafeBitCast(word, to: UnsafeContinuation<Void, Never>.self)
        }
    }

    init() {
        let stride = Self.groupStride
        let block = UnsafeMutableRawPointer.allocate(byteCount: 5 * stride, alignment: stride)
        block.initializeMemory(as: UInt8.self, repeating: 0, count: 5 * stride)
        self.block = block
        // Five groups: each index alone (the other side reads it), each side's private words, the shared flags.
        let tailGroup = block, producer = block + stride, headGroup = block + 2 * stride
        let consumer = block + 3 * stride, shared = block + 4 * stride
        tail = Self.atomic(tailGroup, 0)
        pushed = Self.atomic(producer, 0)
        dropped = Self.atomic(producer, 1)
        conflated = Self.atomic(producer, 2)
        producerHighWater = Self.atomic(producer, 3)
        cachedHead = Self.plain(producer, 4)
        head = Self.atomic(headGroup, 0)
        delivered = Self.atomic(consumer, 0)
        consumerHighWater = Self.atomic(consumer, 1)
        cachedTail = Self.plain(consumer, 2)
        batchPending = Self.plain(consumer, 3)
        waiter = Self.atomic(shared, 0)
        closed = Self.atomic(shared, 1)
        overflowActive = Self.atomic(shared, 2)
        heldAside = Self.atomic(shared, 3)
    }

    /// Frees the block. The queue calls it once, from `deinit`.
    func deallocate() {
        block.deallocate()
    }

    /// Advances a counter that only the calling thread writes.
    @inlinable @inline(__always)
    func bump(_ counter: UnsafeAtomic<Int>, by amount: Int = 1) {
        counter.store(counter.load(ordering: .relaxed) &+ amount, ordering: .relaxed)
    }

    /// Raises a high-water mark that only the calling thread writes.
    @inlinable @inline(__always)
    func raise(_ mark: UnsafeAtomic<Int>, to value: Int) {
        if value > mark.load(ordering: .relaxed) { mark.store(value, ordering: .relaxed) }
    }

    private static func atomic(_ group: UnsafeMutableRawPointer, _ slot: Int) -> UnsafeAtomic<Int> {
        let size = MemoryLayout<UnsafeAtomic<Int>.Storage>.stride
        let word = (group + slot * size).bindMemory(to: UnsafeAtomic<Int>.Storage.self, capacity: 1)
        word.initialize(to: UnsafeAtomic<Int>.Storage(0))
        return UnsafeAtomic(at: word)
    }

    private static func plain(_ group: UnsafeMutableRawPointer, _ slot: Int) -> UnsafeMutablePointer<Int> {
        let word = (group + slot * MemoryLayout<Int>.stride).bindMemory(to: Int.self, capacity: 1)
        word.initialize(to: 0)
        return word
    }
}
