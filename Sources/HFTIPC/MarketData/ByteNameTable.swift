#if canImport(Glibc)
import Glibc
#endif

/// Names seen on the wire (exchange ids, instruments) resolved by their bytes, without creating `String`s: an
/// open-addressing table of byte keys (FNV-1a hash, linear probing), grown as names are added.
///
/// Only names that the slow path validated are added (``MarketDataCodec/NameCache``), so a hit is a valid name.
///
/// Thread and ownership rules: a plain value; confined to the decoding thread.
struct ByteNameTable<Value> {
    private var keys: [[UInt8]] = []
    private var values: [Value] = []
    // slot → entry index + 1 (0: empty); capacity a power of two ≥ 2 × entries.
    private var slots = [Int32](repeating: 0, count: 16)

    var count: Int { keys.count }

    /// The value of `bytes`, or nil when they were never added.
    @inline(__always)
    func value(_ bytes: UnsafeRawBufferPointer) -> Value? {
        let mask = slots.count - 1
        var slot = Self.hash(bytes) & mask
        while true {
            let e = Int(slots[slot])
            if e == 0 { return nil }
            let same = keys[e - 1].withUnsafeBytes { key in
                key.count == bytes.count && (key.count == 0 || memcmp(key.baseAddress!, bytes.baseAddress!, key.count) == 0)
            }
            if same { return values[e - 1] }
            slot = (slot + 1) & mask
        }
    }

    /// Adds `key` (not present yet).
    mutating func add(_ key: [UInt8], _ value: Value) {
        keys.append(key)
        values.append(value)
        if keys.count * 2 > slots.count {
            slots = [Int32](repeating: 0, count: slots.count * 2)
            for i in keys.indices { place(i) }
        } else {
            place(keys.count - 1)
        }
    }

    private mutating func place(_ index: Int) {
        let mask = slots.count - 1
        var slot = keys[index].withUnsafeBytes { Self.hash($0) } & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(index + 1)
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return Int(truncatingIfNeeded: h >> 1)
    }
}
