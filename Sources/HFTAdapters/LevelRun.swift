public import HFTCore

/// Book levels of one side gathered in caller-provided (stack) memory and appended to the side's array a run at
/// a time, for generated level readers.
///
/// Appending a 41-byte ``BookLevel`` to an `Array` one by one goes through a call that takes the level in memory
/// just written, and reads it back with wider loads than the stores that wrote it: a store-forwarding stall per
/// level. Gathering levels first and appending them in one copy avoids it, and reserves the array's memory for
/// the levels read (one allocation for a typical update instead of a reserve and a growth).
///
/// Memory comes from `withUnsafeTemporaryAllocation` in the generated reader; ``BookLevel`` is a trivial type, so
/// levels left in it when a reader throws need no cleanup.
///
/// Thread safety: a value confined to the thread that parses the frame.
@frozen
public struct LevelRun {
    /// Levels of memory a generated reader takes from the stack: 20 levels, 960 bytes. Below 1 KiB,
    /// `withUnsafeTemporaryAllocation` always uses the stack; above, it checks the stack's size or allocates.
    public static let stackLevels = 20

    @usableFromInline let base: UnsafeMutablePointer<BookLevel>
    @usableFromInline let capacity: Int
    @usableFromInline var count: Int

    /// A run over `capacity` levels of `buffer`, from level `offset`.
    @inlinable @inline(__always)
    public init(_ buffer: UnsafeMutableBufferPointer<BookLevel>, offset: Int = 0, capacity: Int) {
        precondition(offset >= 0 && capacity > 0 && buffer.count >= offset + capacity, "LevelRun outside its buffer")
        base = buffer.baseAddress.unsafelyUnwrapped + offset
        self.capacity = capacity
        count = 0
    }

    /// Adds a level; appends the run to `array` first when it is full.
    @inlinable @inline(__always)
    public mutating func append(_ level: BookLevel, to array: inout [BookLevel]) {
        if count == capacity { flush(to: &array) }
        (base + count).initialize(to: level)
        count &+= 1
    }

    /// The levels read into `array`, leaving it empty: the event takes the array's storage without a retain of
    /// its own and a release when the parser's state is destroyed.
    @inlinable @inline(__always)
    public static func take(_ array: inout [BookLevel]) -> [BookLevel] {
        var out: [BookLevel] = []
        swap(&out, &array)
        return out
    }

    /// Appends the levels gathered so far to `array`, in order, and empties the run.
    @inlinable @inline(__always)
    public mutating func flush(to array: inout [BookLevel]) {
        guard count > 0 else { return }
        // A first run reserves a power of two, at least 16 levels: allocations of a few sizes are the allocator's
        // cheapest (its per-thread caches), and most updates then need no growth.
        if array.capacity == 0 { array.reserveCapacity(max(16, 1 << (Int.bitWidth &- (count &- 1).leadingZeroBitCount))) }
        // One or two levels (most updates' sides): appended one by one, cheaper than the copy's call.
        if count <= 2 {
            array.append(base.pointee)
            if count == 2 { array.append(base[1]) }
        } else {
            array.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
        }
        base.deinitialize(count: count)
        count = 0
    }
}
