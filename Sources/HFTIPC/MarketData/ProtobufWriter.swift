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

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            base[count] = UInt8(truncatingIfNeeded: v) | 0x80
            count &+= 1
            v >>= 7
        }
        base[count] = UInt8(truncatingIfNeeded: v)
        count &+= 1
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

    /// A length-delimited field whose body `body` writes: one byte is kept for the length, and the body moved when
    /// its length needs more (bodies of 128 bytes and more; rare for tickers and trades). Reserve first.
    @inline(__always)
    mutating func message(_ field: UInt64, _ body: (inout ProtobufWriter) -> Void) {
        key(field, 2)
        let lengthAt = count
        count &+= 1
        body(&self)
        let length = count - lengthAt - 1
        if length < 0x80 {
            base[lengthAt] = UInt8(truncatingIfNeeded: length)
            return
        }
        let extra = Self.varintSize(UInt64(length)) - 1
        memmove(base + lengthAt + 1 + extra, base + lengthAt + 1, length)  // overlapping
        let end = count + extra
        count = lengthAt
        varint(UInt64(length))
        count = end
    }

    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        // 1 byte per 7 significant bits, at least one.
        (64 - (value | 1).leadingZeroBitCount + 6) / 7
    }

    @inline(__always)
    static func zigzag(_ n: Int64) -> UInt64 { UInt64(bitPattern: (n << 1) ^ (n >> 63)) }
}
