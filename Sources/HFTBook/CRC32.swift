/// CRC-32 as zlib and the exchanges compute it (IEEE 802.3, reflected polynomial `0xEDB88320`, initial value and
/// final XOR `0xFFFFFFFF`), eight bytes per step (slicing-by-8).
///
/// Incremental: feed any number of byte runs with ``update(_:count:)`` then read ``value``. Book checksums hash
/// each level's text once, when it changes, and combine the levels' CRCs (``CRC32Combine``). Thread safety: a
/// plain value.
public struct CRC32: Sendable {
    @usableFromInline var state: UInt32 = 0xFFFF_FFFF

    @inlinable
    public init() {}

    /// The checksum of everything fed so far.
    @inlinable
    public var value: UInt32 { state ^ 0xFFFF_FFFF }

    /// The checksum of `bytes` alone.
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        if let base = bytes.baseAddress { crc.update(base.assumingMemoryBound(to: UInt8.self), count: bytes.count) }
        return crc.value
    }

    /// Feeds `count` bytes at `p`.
    @inlinable
    public mutating func update(_ p: UnsafePointer<UInt8>, count: Int) {
        state = Self.advance(state, p, count: count)
    }

    /// The register after feeding `count` bytes at `p` to the register `state` (no conditioning: `advance(0, …)`
    /// is the `R(0, text)` that ``ChecksumCache`` keeps per level).
    @inlinable
    static func advance(_ state: UInt32, _ p: UnsafePointer<UInt8>, count: Int) -> UInt32 {
        var crc = state
        var i = 0
        CRC32Tables.table.withUnsafeBufferPointer { t in
            #if _endian(little)
            while i &+ 8 <= count {
                let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) ^ UInt64(crc)
                crc = t[7 &* 256 &+ Int(word & 0xFF)] ^ t[6 &* 256 &+ Int((word >> 8) & 0xFF)]
                    ^ t[5 &* 256 &+ Int((word >> 16) & 0xFF)] ^ t[4 &* 256 &+ Int((word >> 24) & 0xFF)]
                    ^ t[3 &* 256 &+ Int((word >> 32) & 0xFF)] ^ t[2 &* 256 &+ Int((word >> 40) & 0xFF)]
                    ^ t[1 &* 256 &+ Int((word >> 48) & 0xFF)] ^ t[Int(word >> 56)]
                i &+= 8
            }
            #endif
            while i < count {
                crc = t[Int((crc ^ UInt32(p[i])) & 0xFF)] ^ (crc >> 8)
                i &+= 1
            }
        }
        return crc
    }

    /// ``advance(_:_:count:)`` over an array.
    static func advance(_ state: UInt32, _ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { b in b.isEmpty ? state : advance(state, b.baseAddress!, count: b.count) }
    }
}

/// The eight 256-entry tables of slicing-by-8, made once.
@usableFromInline
enum CRC32Tables {
    @usableFromInline
    static let table: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[n] = c
        }
        for n in 0..<256 {
            var c = t[n]
            for k in 1..<8 {
                c = t[Int(c & 0xFF)] ^ (c >> 8)
                t[k * 256 + n] = c
            }
        }
        return t
    }()
}
