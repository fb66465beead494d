public import HFTCore

/// Maps exchange-native symbols, as bytes inside a frame, to instruments, without creating `String`s.
///
/// Built once per stream from the subscribed instruments and the spec's symbol formats. Lookups fold ASCII
/// case (exchanges write the same symbol as `BTCUSDT` in payloads and `btcusdt` in stream names; Kraken
/// Futures mixes `PI_XBTUSD` and `pi_xbtusd`).
///
/// Thread safety: immutable after creation; share freely.
public struct SymbolTable: Sendable {
    public struct Entry: Sendable, Hashable {
        public let native: String
        public let instrument: Instrument
    }

    public private(set) var entries: [Entry] = []
    private var bytes: [[UInt8]] = []
    // Open addressing: slot → entry index + 1 (0 = empty). Capacity is a power of two ≥ 2 × entries.
    private var slots: [Int32] = []

    public init(_ pairs: [(native: String, instrument: Instrument)]) {
        for pair in pairs where !entries.contains(where: { $0.native == pair.native }) {
            entries.append(Entry(native: pair.native, instrument: pair.instrument))
            bytes.append(Array(pair.native.utf8))
        }
        var capacity = 8
        while capacity < entries.count * 2 { capacity *= 2 }
        slots = [Int32](repeating: 0, count: capacity)
        for (i, b) in bytes.enumerated() {
            var slot = b.withUnsafeBufferPointer { Self.hash($0.baseAddress!, $0.count) } & (capacity - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
            slots[slot] = Int32(i + 1)
        }
    }

    /// The instrument whose native symbol equals `span` (ASCII case folded), or nil.
    @inlinable
    public func instrument(for span: ByteSpan) -> Instrument? {
        guard let i = index(of: span) else { return nil }
        return entries[i].instrument
    }

    /// The entry index of `span`, or nil.
    public func index(of span: ByteSpan) -> Int? {
        let mask = slots.count - 1
        var slot = Self.hash(span.base, span.count) & mask
        while true {
            let e = Int(slots[slot])
            if e == 0 { return nil }
            let candidate = bytes[e - 1]
            if candidate.count == span.count && Self.equalFolded(candidate, span) { return e - 1 }
            slot = (slot + 1) & mask
        }
    }

    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<n {
            h ^= UInt64(p[i] | 0x20)  // fold ASCII case (also maps a few punctuation pairs together; harmless)
            h = h &* 0x100_0000_01b3
        }
        return Int(truncatingIfNeeded: h >> 1)
    }

    static func equalFolded(_ a: [UInt8], _ b: ByteSpan) -> Bool {
        for i in 0..<a.count {
            let x = a[i]
            let y = b.base[i]
            if x == y { continue }
            let lx = x | 0x20
            guard lx == y | 0x20, lx >= UInt8(ascii: "a"), lx <= UInt8(ascii: "z") else { return false }
        }
        return true
    }
}
