public import HFTCore
import SwiftProtobuf

/// Encodes ``MarketEvent``s as `hftkit.marketdata.MarketEvent` protobuf bytes (proto/hftkit/market_data.proto)
/// into one reused buffer: tickers and trades, the hot kinds, by hand with no allocation; the other kinds through
/// SwiftProtobuf (``MarketDataCodec/message(_:exchange:instrument:sequence:publishTime:)``).
///
/// The bytes are exactly SwiftProtobuf's serialization of the same message (fields in number order, proto3
/// defaults omitted, `optional` and oneof fields written when set even when zero); the tests compare both on every
/// capture event and on random values.
///
/// Thread and ownership rules: one thread at a time (the publisher's); the returned bytes are valid until the next
/// call.
public final class MarketDataEncoder {
    /// The names of one (exchange, instrument) pair and their fields 1 and 2, encoded once (keep one per instrument).
    public struct Names: Sendable {
        let exchange: String
        let instrument: String
        let prefix: [UInt8]

        public init(exchange: String, instrument: String) {
            self.exchange = exchange
            self.instrument = instrument
            var p: [UInt8] = []
            for (field, text) in [(UInt8(0x0A), exchange), (0x12, instrument)] where !text.isEmpty {
                p.append(field)
                var n = text.utf8.count
                while n >= 0x80 {
                    p.append(UInt8(truncatingIfNeeded: n) | 0x80)
                    n >>= 7
                }
                p.append(UInt8(n))
                p.append(contentsOf: text.utf8)
            }
            prefix = p
        }
    }

    @exclusivity(unchecked) private var writer = ProtobufWriter()  // one thread at a time (the rules above)

    public init() {}

    deinit { writer.deallocate() }

    /// The serialized message of `event`; valid until the next call. Empty when SwiftProtobuf fails to
    /// serialize one of the other kinds (it does not for valid values).
    public func encode(_ event: MarketEvent, names: Names, sequence: UInt64, publishTime: Timestamp) -> UnsafeRawBufferPointer {
        switch event {
        case .ticker(let t): return encode(t, names: names, sequence: sequence, publishTime: publishTime)
        case .trade(let t): return encode(t, names: names, sequence: sequence, publishTime: publishTime)
        default:
            writer.count = 0
            let message = MarketDataCodec.message(
                event, exchange: names.exchange, instrument: names.instrument, sequence: sequence, publishTime: publishTime)
            guard let bytes: [UInt8] = try? message.serializedBytes() else { return UnsafeRawBufferPointer(start: nil, count: 0) }
            writer.reserve(bytes.count)
            bytes.withUnsafeBytes { writer.raw($0) }
            return writer.bytes
        }
    }

    /// The serialized message of a ticker event; valid until the next call.
    public func encode(_ t: Ticker, names: Names, sequence: UInt64, publishTime: Timestamp) -> UnsafeRawBufferPointer {
        names.prefix.withUnsafeBytes { encode(t, prefix: $0, sequence: sequence, publishTime: publishTime) }
    }

    /// ``encode(_:names:sequence:publishTime:)`` with ``Names/prefix``'s bytes kept by the caller (the publisher's
    /// table): no reference counting per message.
    @inline(__always)
    func encode(_ t: Ticker, prefix: UnsafeRawBufferPointer, sequence: UInt64, publishTime: Timestamp) -> UnsafeRawBufferPointer {
        // A local copy (the same memory) written back once: one exclusivity check per message instead of per write.
        var w = writer
        defer { writer = w }
        w.count = 0
        // Bounds: names, 4 varint fields, the field key and length, 5 decimals, 8 bytes of word-store slack.
        w.reserve(prefix.count + 4 * 11 + 3 + 5 * 24 + 8)
        Self.envelope(&w, prefix, sequence, t.receiveTime, t.exchangeTime, publishTime)
        let at = w.beginMessage(8)
        Self.decimal(&w, 1, t.bidPrice)
        if let v = t.bidSize { Self.decimal(&w, 2, v) }
        Self.decimal(&w, 3, t.askPrice)
        if let v = t.askSize { Self.decimal(&w, 4, v) }
        if let v = t.lastPrice { Self.decimal(&w, 5, v) }
        w.endMessage(at)
        return w.bytes
    }

    /// The serialized message of a trade event; valid until the next call.
    public func encode(_ t: Trade, names: Names, sequence: UInt64, publishTime: Timestamp) -> UnsafeRawBufferPointer {
        names.prefix.withUnsafeBytes { encode(t, prefix: $0, sequence: sequence, publishTime: publishTime) }
    }

    /// ``encode(_:names:sequence:publishTime:)`` with ``Names/prefix``'s bytes kept by the caller.
    @inline(__always)
    func encode(_ t: Trade, prefix: UnsafeRawBufferPointer, sequence: UInt64, publishTime: Timestamp) -> UnsafeRawBufferPointer {
        var w = writer
        defer { writer = w }
        w.count = 0
        var textCount = 0
        if case .text(let s) = t.tradeID { textCount = s.utf8.count }
        w.reserve(prefix.count + 4 * 11 + 3 + 2 * 24 + 2 + 11 + 18 + textCount + 10 + 8)
        Self.envelope(&w, prefix, sequence, t.receiveTime, t.exchangeTime, publishTime)
        let at = w.beginMessage(9)
        Self.decimal(&w, 1, t.price)
        Self.decimal(&w, 2, t.size)
        w.byte(0x18)
        w.byte(t.side == .buy ? 1 : 2)
        switch t.tradeID {
        case .none: break
        case .number(let n):
            w.byte(0x20)
            w.varint(n)
        case .uuid(let bits):
            w.byte(0x2A)
            w.byte(16)
            Self.bigEndian(&w, bits)
        case .text(let s):
            w.byte(0x32)
            w.varint(UInt64(s.utf8.count))
            var s = s
            s.withUTF8 { w.raw(UnsafeRawBufferPointer($0)) }
        }
        w.endMessage(at)
        return w.bytes
    }

    /// Fields 1 to 6 of `MarketEvent` (7 is unused; the event follows).
    @inline(__always)
    private static func envelope(
        _ writer: inout ProtobufWriter, _ prefix: UnsafeRawBufferPointer, _ sequence: UInt64, _ receiveTime: Timestamp,
        _ exchangeTime: Timestamp?, _ publishTime: Timestamp
    ) {
        writer.raw(prefix)
        if sequence != 0 {
            writer.byte(0x18)
            writer.varint(sequence)
        }
        if receiveTime.nanosecondsSinceEpoch != 0 {
            writer.byte(0x20)
            writer.varint(UInt64(bitPattern: receiveTime.nanosecondsSinceEpoch))
        }
        if let x = exchangeTime {  // proto3 `optional`: written when set, zero included
            writer.byte(0x28)
            writer.varint(UInt64(bitPattern: x.nanosecondsSinceEpoch))
        }
        if publishTime.nanosecondsSinceEpoch != 0 {
            writer.byte(0x30)
            writer.varint(UInt64(bitPattern: publishTime.nanosecondsSinceEpoch))
        }
    }

    /// A `Decimal` message field (at most 22 bytes with its key and length): the mantissa when it fits in 64 bits,
    /// otherwise 16 big-endian bytes in `wide_mantissa`.
    @inline(__always)
    static func decimal(_ w: inout ProtobufWriter, _ field: UInt8, _ value: ExactDecimal) {
        w.byte(field << 3 | 2)
        let scale = value.scale
        let scaleSize = scale != 0 ? 2 : 0
        if let m = value.mantissa64 {
            let zigzag = ProtobufWriter.zigzag(m)
            let mantissaSize = m != 0 ? 1 + ProtobufWriter.varintSize(zigzag) : 0
            w.byte(UInt8(mantissaSize + scaleSize))
            if m != 0 {
                w.byte(0x08)
                w.varint(zigzag)
            }
            if scale != 0 {
                w.byte(0x10)
                w.byte(scale)  // ≤ 38: one varint byte
            }
        } else {
            w.byte(UInt8(scaleSize + 18))
            if scale != 0 {
                w.byte(0x10)
                w.byte(scale)
            }
            w.byte(0x1A)
            w.byte(16)
            bigEndian(&w, UInt128(bitPattern: value.mantissa))
        }
    }

    @inline(__always)
    static func bigEndian(_ w: inout ProtobufWriter, _ bits: UInt128) {
        for i in 0..<16 { w.byte(UInt8(truncatingIfNeeded: bits >> (8 * (15 - i)))) }
    }
}
