/// Reads protobuf wire primitives straight from received bytes (a ZeroMQ frame), for ``MarketDataDecoder``.
/// Every read checks the bounds and returns nil on truncated or malformed input (never reads outside the bytes).
///
/// Thread and ownership rules: a view of memory someone else owns, valid while that memory is; one thread.
struct ProtobufReader {
    let base: UnsafePointer<UInt8>
    var position: Int
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer) {
        // An empty buffer may have no address: read nothing from a dummy one.
        base = bytes.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? ProtobufReader.empty
        position = 0
        end = bytes.count
    }

    init(base: UnsafePointer<UInt8>, from start: Int, to end: Int) {
        self.base = base
        position = start
        self.end = end
    }

    nonisolated(unsafe) private static let empty: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    var isAtEnd: Bool { position >= end }

    /// A varint of at most 10 bytes (the 10th contributing its lowest bit, as SwiftProtobuf's decoder accepts).
    /// With 8 bytes left, reads them as one word: the first byte without a continuation bit ends the varint, and
    /// the 7-bit groups are packed by masks and shifts instead of a loop per byte.
    @inline(__always)
    mutating func varint() -> UInt64? {
        guard position < end else { return nil }
        let first = base[position]
        if first < 0x80 {
            position &+= 1
            return UInt64(first)
        }
        guard end - position >= 8 else { return slowVarint() }
        let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
        let stops = ~word & 0x8080_8080_8080_8080
        if stops != 0 {
            let length = (stops.trailingZeroBitCount &+ 1) >> 3  // bytes, the last one included
            position &+= length
            let kept = length == 8 ? word : word & ((1 << UInt64(length &* 8)) &- 1)
            return Self.pack(kept)
        }
        // 9 or 10 bytes: 56 bits from the word, then up to two more bytes.
        var value = Self.pack(word)
        position &+= 8
        guard position < end else { return nil }
        let ninth = base[position]
        position &+= 1
        value |= UInt64(ninth & 0x7F) << 56
        if ninth < 0x80 { return value }
        guard position < end else { return nil }
        let tenth = base[position]
        position &+= 1
        guard tenth < 0x80 else { return nil }
        return value | UInt64(tenth) << 63
    }

    /// The 7-bit groups of up to 8 little-endian varint bytes, packed into 56 bits.
    @inline(__always)
    static func pack(_ bytes: UInt64) -> UInt64 {
        var x = bytes & 0x7F7F_7F7F_7F7F_7F7F
        x = (x & 0x007F_007F_007F_007F) | ((x & 0x7F00_7F00_7F00_7F00) >> 1)
        x = (x & 0x0000_3FFF_0000_3FFF) | ((x & 0x3FFF_0000_3FFF_0000) >> 2)
        x = (x & 0x0000_0000_0FFF_FFFF) | ((x & 0x0FFF_FFFF_0000_0000) >> 4)
        return x
    }

    /// Byte by byte, near the end of the buffer.
    private mutating func slowVarint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < end, shift < 64 {
            let b = base[position]
            position &+= 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift &+= 7
        }
        return nil
    }

    /// A field key: (field number, wire type); nil at a malformed key or field number 0.
    @inline(__always)
    mutating func key() -> (field: UInt64, wireType: UInt64)? {
        guard let k = varint(), k >> 3 != 0, k <= UInt64(UInt32.max) else { return nil }
        return (k >> 3, k & 7)
    }

    /// The bounds of a length-delimited value (after its key), moving past it.
    @inline(__always)
    mutating func lengthDelimited() -> Range<Int>? {
        guard let n = varint(), n <= UInt64(end - position) else { return nil }
        let start = position
        position &+= Int(n)
        return start..<position
    }

    /// Skips a value of `wireType` (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32); false for groups or bad
    /// input.
    mutating func skip(_ wireType: UInt64) -> Bool {
        switch wireType {
        case 0: return varint() != nil
        case 1:
            guard end - position >= 8 else { return false }
            position &+= 8
            return true
        case 2: return lengthDelimited() != nil
        case 5:
            guard end - position >= 4 else { return false }
            position &+= 4
            return true
        default: return false
        }
    }

    /// A reader of the bytes in `range` (a nested message).
    func nested(_ range: Range<Int>) -> ProtobufReader {
        ProtobufReader(base: base, from: range.lowerBound, to: range.upperBound)
    }

    func equals(_ range: Range<Int>, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard range.count == bytes.count else { return false }
        guard let other = bytes.baseAddress, range.count > 0 else { return true }
        return memcmp(base + range.lowerBound, other, range.count) == 0
    }
}

#if canImport(Glibc)
import Glibc
#endif
