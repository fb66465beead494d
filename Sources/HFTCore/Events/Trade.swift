/// One public trade (one event per individual trade, even when a frame carries many).
public struct Trade: Sendable, Hashable {
    public var exchange: ExchangeID
    public var instrument: Instrument
    public var price: ExactDecimal
    public var size: ExactDecimal
    /// The aggressor's side: `.buy` when the taker bought (lifted the ask).
    public var side: Side
    public var tradeID: TradeID
    public var exchangeTime: Timestamp?
    public var receiveTime: Timestamp

    @inlinable
    public init(
        exchange: ExchangeID, instrument: Instrument, price: ExactDecimal, size: ExactDecimal, side: Side,
        tradeID: TradeID, exchangeTime: Timestamp?, receiveTime: Timestamp
    ) {
        self.exchange = exchange
        self.instrument = instrument
        self.price = price
        self.size = size
        self.side = side
        self.tradeID = tradeID
        self.exchangeTime = exchangeTime
        self.receiveTime = receiveTime
    }
}

/// A trade identifier in the form the exchange uses, stored without allocation for the common forms.
public enum TradeID: Sendable, Hashable, CustomStringConvertible {
    /// The exchange gives no id (Kraken spot v1).
    case none
    /// A decimal integer id (Binance, OKX, Coinbase).
    case number(UInt64)
    /// A UUID (Kraken Futures `uid`), as its 128 bits.
    case uuid(UInt128)
    /// Any other form.
    case text(String)

    public var description: String {
        switch self {
        case .none: return ""
        case .number(let n): return String(n)
        case .uuid(let bits): return UUIDText.format(bits)
        case .text(let s): return s
        }
    }
}

/// Formatting and parsing of UUID text (`8-4-4-4-12` hex digits) to and from its 128 bits.
public enum UUIDText {
    public static func format(_ bits: UInt128) -> String {
        let hex = String(bits, radix: 16)
        let padded = String(repeating: "0", count: 32 - hex.count) + hex
        var out = ""
        for (i, c) in padded.enumerated() {
            if i == 8 || i == 12 || i == 16 || i == 20 { out.append("-") }
            out.append(c)
        }
        return out
    }

    /// The bits of a 36-byte UUID text (either case); nil when it is not one.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> UInt128? {
        guard bytes.count == 36 else { return nil }
        var value: UInt128 = 0
        for i in 0..<36 {
            let b = bytes[i]
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard b == UInt8(ascii: "-") else { return nil }
                continue
            }
            let nibble: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = b - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = b - 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = b - 55
            default: return nil
            }
            value = value << 4 | UInt128(nibble)
        }
        return value
    }
}
