#if canImport(Glibc)
import Glibc
#endif

/// The protobuf wire primitives that ``MarketDataEncoder`` writes with: varint keys and values, zigzag `sint64`,
/// length-delimited fields, into a growing buffer the writer owns (allocated once, reused for every message).
///
/// Writes are unchecked: callers ``reserve(_:)`` an upper bound of the message first, then write.
///
/// Thread and ownership rules: a plain value owning raw memory; one thread at a time, and exactly one owner
/// (``MarketDataEncoder``), which calls ``deallocate()`` once.
struct ProtobufWriter {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int = 1024) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    func deallocate() { base.deallocate() }

    /// The bytes written so far (valid until the next write or ``reserve(_:)``).
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Makes room for `n` more bytes.
    @inline(__always)
    mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private mutating func grow(_ needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = size
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        base[count] = b
        count &+= 1
    }

    /// A varint. Values of up to 8 bytes are spread into one word and stored at once, which writes up to 8 bytes
    /// past the varint's end: reserve 8 bytes more than the message needs.
    @inline(__always)
    mutating func varint(_ value: UInt64) {
        if value < 0x80 {
            base[count] = UInt8(truncatingIfNeeded: value)
            count &+= 1
            return
        }
        let size = Self.varintSize(value)
        if size <= 8 {
            let continuation: UInt64 = 0x8080_8080_8080_8080 & ((1 << UInt64((size &- 1) &* 8)) &- 1)
            UnsafeMutableRawPointer(base + count).storeBytes(of: (Self.spread(value) | continuation).littleEndian, as: UInt64.self)
            count &+= size
            return
        }
        UnsafeMutableRawPointer(base + count).storeBytes(of: (Self.spread(value) | 0x8080_8080_8080_8080).littleEndian, as: UInt64.self)
        count &+= 8
        var rest = value >> 56
        while rest >= 0x80 {
            base[count] = UInt8(truncatingIfNeeded: rest) | 0x80
            count &+= 1
            rest >>= 7
        }
        base[count] = UInt8(truncatingIfNeeded: rest)
        count &+= 1
    }

    /// The low 56 bits of `value` as eight 7-bit groups, one per byte (little-endian), continuation bits clear.
    @inline(__always)
    static func spread(_ value: UInt64) -> UInt64 {
        var v = value & 0x00FF_FFFF_FFFF_FFFF
        v = (v & 0x0FFF_FFFF) | ((v & 0x00FF_FFFF_F000_0000) << 4)
        v = (v & 0x0000_3FFF_0000_3FFF) | ((v & 0x0FFF_C000_0FFF_C000) << 2)
        v = (v & 0x007F_007F_007F_007F) | ((v & 0x3F80_3F80_3F80_3F80) << 1)
        return v
    }

    /// The key of a field: `field << 3 | wireType` (0 varint, 2 length-delimited).
    @inline(__always)
    mutating func key(_ field: UInt64, _ wireType: UInt64) { varint(field << 3 | wireType) }

    @inline(__always)
    mutating func raw(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        UnsafeMutableRawPointer(base + count).copyMemory(from: source, byteCount: bytes.count)
        count &+= bytes.count
    }

    /// Starts a length-delimited field: its key and one byte kept for the length; returns where the length goes.
    /// Reserve first.
    @inline(__always)
    mutating func beginMessage(_ field: UInt64) -> Int {
        key(field, 2)
        count &+= 1
        return count &- 1
    }

    /// Ends the field begun at `lengthAt`: writes its length, moving the body when the length needs more than one
    /// byte (bodies of 128 bytes and more; rare for tickers and trades).
    @inline(__always)
    mutating func endMessage(_ lengthAt: Int) {
        let length = count - lengthAt - 1
        if length < 0x80 {
            base[lengthAt] = UInt8(truncatingIfNeeded: length)
            return
        }
        let extra = Self.varintSize(UInt64(length)) - 1
        memmove(base + lengthAt + 1 + extra, base + lengthAt + 1, length)  // overlapping
        // Byte by byte: a word store would overwrite the body just moved.
        var v = length
        var at = lengthAt
        while v >= 0x80 {
            base[at] = UInt8(truncatingIfNeeded: v) | 0x80
            at &+= 1
            v >>= 7
        }
        base[at] = UInt8(truncatingIfNeeded: v)
        count &+= extra
    }

    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        // 1 byte per 7 significant bits, at least one.
        (64 - (value | 1).leadingZeroBitCount + 6) / 7
    }

    @inline(__always)
    static func zigzag(_ n: Int64) -> UInt64 { UInt64(bitPattern: (n << 1) ^ (n >> 63)) }
}
