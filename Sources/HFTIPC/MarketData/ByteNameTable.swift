#if canImport(Glibc)
import Glibc
#endif

/// Names seen on the wire (exchange ids, instruments) resolved by their bytes, without creating `String`s: an
/// open-addressing table (linear probing) over the names' bytes stored end to end in one buffer, grown as names are
/// added. The hash reads the length and the first and last 8 bytes as two words (names are short), then mixes.
///
/// Only names that the slow path validated are added (``MarketDataCodec/NameCache``), so a hit is a valid name.
///
/// Thread and ownership rules: a plain value; confined to the decoding thread.
struct ByteNameTable<Value> {
    private var bytes: [UInt8] = []
    /// Per entry: where its bytes start in `bytes`, their count, and the value.
    private var entries: [(start: Int, count: Int, value: Value)] = []
    // slot → entry index + 1 (0: empty); capacity a power of two ≥ 2 × entries.
    private var slots = [Int32](repeating: 0, count: 16)

    var count: Int { entries.count }

    /// The value of `key`, or nil when it was never added.
    @inline(__always)
    func value(_ key: UnsafeRawBufferPointer) -> Value? {
        slots.withUnsafeBufferPointer { slots in
            entries.withUnsafeBufferPointer { entries in
                bytes.withUnsafeBufferPointer { bytes in
                    let mask = slots.count - 1
                    var slot = Self.hash(key) & mask
                    while true {
                        let e = Int(slots[slot])
                        if e == 0 { return nil }
                        let entry = entries[e - 1]
                        if entry.count == key.count
                            && (key.count == 0 || memcmp(bytes.baseAddress! + entry.start, key.baseAddress!, key.count) == 0) {
                            return entry.value
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    /// Adds `key` (not present yet).
    mutating func add(_ key: [UInt8], _ value: Value) {
        entries.append((bytes.count, key.count, value))
        bytes.append(contentsOf: key)
        if entries.count * 2 > slots.count {
            slots = [Int32](repeating: 0, count: slots.count * 2)
            for i in entries.indices { place(i) }
        } else {
            place(entries.count - 1)
        }
    }

    private mutating func place(_ index: Int) {
        let mask = slots.count - 1
        let entry = entries[index]
        var slot = bytes.withUnsafeBytes { Self.hash(UnsafeRawBufferPointer(rebasing: $0[entry.start..<(entry.start + entry.count)])) } & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(index + 1)
    }

    /// The length and the first and last (up to) 8 bytes, mixed (never reads outside `key`).
    @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer) -> Int {
        let n = key.count
        var first: UInt64 = 0
        var last: UInt64 = 0
        if n >= 8 {
            first = key.loadUnaligned(as: UInt64.self)
            last = key.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        } else {
            for i in 0..<n { first = first << 8 | UInt64(key[i]) }
        }
        var h = (first ^ UInt64(n) &* 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9
        h ^= (last ^ (h >> 29)) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 32
        return Int(truncatingIfNeeded: h >> 1)
    }
}
