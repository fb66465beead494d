public import HFTAdapters

/// The reconnect schedule shared by every connection of one exchange.
///
/// A pure value owned by the stream and passed `inout` to each ``ConnectionMachine`` call (all on the service
/// thread). Failures anywhere lengthen the wait for all connections; a success anywhere resets it, and connections
/// waiting in backoff then retry at once (if one channel of an exchange can connect, its others should too).
public struct ReconnectBackoff: Sendable {
    /// Delays in nanoseconds, indexed by consecutive failures (the last entry repeats).
    public let delays: [Int64]
    /// Each delay is lengthened by a random 0…this fraction.
    public let jitter: Double
    public private(set) var consecutiveFailures = 0
    /// When a connection of this exchange last opened (ns since the epoch), or 0.
    public private(set) var lastSuccess: Int64 = 0
    private var random: UInt64

    public init(delays: [Int64], jitter: Double, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) {
        self.delays = delays.isEmpty ? [1_000_000_000] : delays
        self.jitter = max(0, min(jitter, 1))
        self.random = seed
    }

    public init(_ configuration: ReconnectConfiguration, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) {
        self.init(delays: configuration.backoffSeconds.map { Int64(($0 * 1e9).rounded()) }, jitter: configuration.jitter, seed: seed)
    }

    /// Records a failure and returns the wait before the next attempt, and that attempt's number (1-based).
    public mutating func failed() -> (delay: Int64, attempt: Int) {
        let base = delays[min(consecutiveFailures, delays.count - 1)]
        consecutiveFailures += 1
        let spread = nextUnit() * jitter  // 0…+jitter, as the spec language defines it
        let delay = max(0, Int64((Double(base) * (1 + spread)).rounded()))
        return (delay, consecutiveFailures + 1)
    }

    /// Records a successful connection at `now`.
    public mutating func succeeded(now: Int64) {
        consecutiveFailures = 0
        lastSuccess = now
    }

    /// A uniform value in [0, 1) (SplitMix64: deterministic per seed, for tests).
    private mutating func nextUnit() -> Double {
        random &+= 0x9E37_79B9_7F4A_7C15
        var z = random
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}
