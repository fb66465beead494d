import Atomics

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
struct QueueCounters {
    /// Bytes between groups of words written by different threads.
    static let groupStride = 128

    private let block: UnsafeMutableRawPointer

    // Producer group: written by the producer only (the side counters under the conflation lock, which only the
    // producer writes while holding it).

    /// Index of the next slot the producer fills (monotonic; the slot is `tail & mask`).
    let tail: UnsafeAtomic<Int>
    /// Events offered to `push` while the queue was open.
    let pushed: UnsafeAtomic<Int>
    /// Events discarded because the queue was full.
    let dropped: UnsafeAtomic<Int>
    /// Tickers replaced in the conflation set before delivery.
    let conflated: UnsafeAtomic<Int>
    /// Largest depth the producer saw, measured when it found the ring full.
    let producerHighWater: UnsafeAtomic<Int>
    /// The producer's last view of `head` (plain word, producer only): refreshed only when the ring looks full.
    let cachedHead: UnsafeMutablePointer<Int>

    // Consumer group: written by the consumer only.

    /// Index of the next slot the consumer reads.
    let head: UnsafeAtomic<Int>
    /// Events handed to the consumer.
    let delivered: UnsafeAtomic<Int>
    /// Largest depth the consumer saw when it fetched the producer's new tail.
    let consumerHighWater: UnsafeAtomic<Int>
    /// The consumer's last view of `tail` (plain word, consumer only): refreshed only when the ring looks empty.
    let cachedTail: UnsafeMutablePointer<Int>

    // Shared group: rarely written (once per parked batch, on overflow, on close).

    /// Who is parked: ``Waiter`` raw values. Set by the consumer, cleared by whoever wakes it.
    let waiter: UnsafeAtomic<Int>
    /// 1 once `close()` was called.
    let closed: UnsafeAtomic<Int>
    /// 1 while the conflation set holds events (written under the conflation lock only).
    let overflowActive: UnsafeAtomic<Int>

    /// Who is parked waiting for events.
    enum Waiter: Int {
        case none = 0
        /// An async consumer: its continuation is stored in the queue.
        case task = 1
        /// A consumer thread blocked in `waitForEvents`.
        case thread = 2
    }

    init() {
        let stride = Self.groupStride
        let block = UnsafeMutableRawPointer.allocate(byteCount: 3 * stride, alignment: stride)
        block.initializeMemory(as: UInt8.self, repeating: 0, count: 3 * stride)
        self.block = block
        let producer = block, consumer = block + stride, shared = block + 2 * stride
        tail = Self.atomic(producer, 0)
        pushed = Self.atomic(producer, 1)
        dropped = Self.atomic(producer, 2)
        conflated = Self.atomic(producer, 3)
        producerHighWater = Self.atomic(producer, 4)
        cachedHead = Self.plain(producer, 5)
        head = Self.atomic(consumer, 0)
        delivered = Self.atomic(consumer, 1)
        consumerHighWater = Self.atomic(consumer, 2)
        cachedTail = Self.plain(consumer, 3)
        waiter = Self.atomic(shared, 0)
        closed = Self.atomic(shared, 1)
        overflowActive = Self.atomic(shared, 2)
    }

    /// Frees the block. The queue calls it once, from `deinit`.
    func deallocate() {
        block.deallocate()
    }

    /// Advances a counter that only the calling thread writes.
    @inline(__always)
    func bump(_ counter: UnsafeAtomic<Int>, by amount: Int = 1) {
        counter.store(counter.load(ordering: .relaxed) &+ amount, ordering: .relaxed)
    }

    /// Raises a high-water mark that only the calling thread writes.
    @inline(__always)
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
