/// ``EventQueue``'s counters, readable from any thread at any time.
extension EventQueue {
    /// What a queue has done so far. Each field is read atomically, but the fields are read one after another
    /// while the producer and consumer go on, so they are not one instantaneous snapshot; once both sides are
    /// quiet, `pushed == delivered + dropped + conflated + depth` holds exactly.
    public struct Statistics: Sendable, Hashable, CustomStringConvertible {
        /// Events waiting for the consumer (ring plus conflated tickers held aside).
        public var depth: Int
        /// The largest depth observed: when the consumer fetched newly pushed events and when the producer found
        /// the ring full. A lower bound of the true maximum, reaching `capacity` (plus held tickers) whenever the
        /// queue overflowed.
        public var highWaterMark: Int
        /// Events offered to `push` while the queue was open.
        public var pushed: Int
        /// Events handed to the consumer.
        public var delivered: Int
        /// Events discarded because the queue was full.
        public var dropped: Int
        /// Tickers replaced by a newer ticker of the same instrument before delivery.
        public var conflated: Int

        public init(depth: Int, highWaterMark: Int, pushed: Int, delivered: Int, dropped: Int, conflated: Int) {
            self.depth = depth
            self.highWaterMark = highWaterMark
            self.pushed = pushed
            self.delivered = delivered
            self.dropped = dropped
            self.conflated = conflated
        }

        public var description: String {
            "depth \(depth) (high \(highWaterMark)), pushed \(pushed), delivered \(delivered), "
                + "dropped \(dropped), conflated \(conflated)"
        }
    }

    /// The queue's counters now. Any thread; a handful of relaxed atomic loads, no lock.
    public var statistics: Statistics {
        // Delivered first: read before `pushed`, the depth can only be over-estimated by events in flight.
        let delivered = counters.delivered.load(ordering: .relaxed)
        let dropped = counters.dropped.load(ordering: .relaxed)
        let conflated = counters.conflated.load(ordering: .relaxed)
        let pushed = counters.pushed.load(ordering: .relaxed)
        let depth = Swift.max(0, pushed - delivered - dropped - conflated)
        let highWater = Swift.max(
            depth,
            counters.consumerHighWater.load(ordering: .relaxed),
            counters.producerHighWater.load(ordering: .relaxed)
        )
        return Statistics(
            depth: depth, highWaterMark: highWater, pushed: pushed, delivered: delivered, dropped: dropped,
            conflated: conflated
        )
    }
}
