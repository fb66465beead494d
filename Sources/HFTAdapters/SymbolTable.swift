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
    /// Every native symbol's bytes, back to back (entry i at `spans[i]`), so a lookup touches one buffer.
    private var storage: [UInt8] = []
    private var spans: [(start: Int, count: Int)] = []
    // Open addressing: slot → entry index + 1 (0 = empty). Capacity is a power of two ≥ 2 × entries.
    private var slots: [Int32] = []

    public init(_ pairs: [(native: String, instrument: Instrument)]) {
        for pair in pairs where !entries.contains(where: { $0.native == pair.native }) {
            entries.append(Entry(native: pair.native, instrument: pair.instrument))
            spans.append((storage.count, pair.native.utf8.count))
            storage.append(contentsOf: pair.native.utf8)
        }
        var capacity = 8
        while capacity < entries.count * 2 { capacity *= 2 }
        slots = [Int32](repeating: 0, count: capacity)
        storage.withUnsafeBufferPointer { bytes in
            for (i, span) in spans.enumerated() {
                var slot = Self.hash(bytes.baseAddress! + span.start, span.count) & (capacity - 1)
                while slots[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
                slots[slot] = Int32(i + 1)
            }
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
        return storage.withUnsafeBufferPointer { bytes -> Int? in
            while true {
                let e = Int(slots[slot])
                if e == 0 { return nil }
                let candidate = spans[e - 1]
                if candidate.count == span.count {
                    let p = bytes.baseAddress! + candidate.start
                    // Exchanges write a symbol the same way almost always: compare words first, fold case after.
                    if ByteSpan.same(p, span.base, span.count) || Self.equalFolded(p, span) { return e - 1 }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// A hash of the bytes with ASCII case folded (`| 0x20` on every byte: it also maps a few punctuation pairs
    /// together, which only costs a compare). Symbols of 4 bytes or more are read as two overlapping words.
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        let raw = UnsafeRawPointer(p)
        var h = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
        switch n {
        case 8...:
            h ^= (raw.loadUnaligned(as: UInt64.self) | 0x2020_2020_2020_2020) &* 0xBF58_476D_1CE4_E5B9
            h ^= (raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) | 0x2020_2020_2020_2020) &* 0x94D0_49BB_1331_11EB
            if n > 16 {
                for i in 8..<(n - 8) { h = (h ^ UInt64(p[i] | 0x20)) &* 0x100_0000_01b3 }
            }
        case 4...7:
            let a = UInt64(raw.loadUnaligned(as: UInt32.self) | 0x2020_2020)
            let b = UInt64(raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) | 0x2020_2020)
            h ^= (a << 32 | b) &* 0xBF58_476D_1CE4_E5B9
        default:
            for i in 0..<n { h = (h ^ UInt64(p[i] | 0x20)) &* 0x100_0000_01b3 }
        }
        return Int(truncatingIfNeeded: (h ^ (h >> 29)) >> 1)
    }

    static func equalFolded(_ a: UnsafePointer<UInt8>, _ b: ByteSpan) -> Bool {
        for i in 0..<b.count {
            let x = a[i]
            let y = b.base[i]
            if x == y { continue }
            let lx = x | 0x20
            guard lx == y | 0x20, lx >= UInt8(ascii: "a"), lx <= UInt8(ascii: "z") else { return false }
        }
        return true
    }
}
