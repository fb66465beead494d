/// A tradable instrument in HFTKit's normalized notation (that of the original Python design and cryptofeed):
///
/// | notation | kind |
/// |---|---|
/// | `BTC-USDT` | spot |
/// | `BTC-USDT-PERP` | perpetual swap |
/// | `BTC-USD-22K27` | dated future expiring 2022-05-27 (year, month code F…Z, day) |
/// | `BTC-USD-30000-22K27-C` | option: strike, expiry, `C`all or `P`ut |
///
/// Parsing also accepts lower case and the Python design's `btc/usdt` (spot). Exchange-native names
/// (`BTCUSDT`, `XBT/USD`, `PI_XBTUSD`) are mapped by each exchange's spec, not here.
///
/// Thread safety: a plain value, usable from any thread. An instrument is interned: it holds a 4-byte id into a
/// process-wide table (``InternTable``), so events that carry it are copied without reference counting, and
/// `==` and hashing compare ids. Reading ``base``, ``quote``, ``kind`` or ``description`` takes a short lock:
/// fine for tools, configuration and formatting, not meant for per-message hot paths.
public struct Instrument: Sendable, Hashable, Comparable, CustomStringConvertible, LosslessStringConvertible {
    /// What the table stores for each instrument; the notation is made once.
    struct Parts: Hashable, Sendable {
        let base: String
        let quote: String
        let kind: MarketKind
        let notation: String
    }

    static let table = InternTable<Parts>()

    /// The instrument's id in this process (dense, from 0; not stable across processes: use ``description``).
    public let id: UInt32

    public var base: String { Self.table.value(id).base }
    public var quote: String { Self.table.value(id).quote }
    public var kind: MarketKind { Self.table.value(id).kind }

    /// Creates an instrument from upper-case asset codes (A–Z, 0–9).
    public init(base: String, quote: String, kind: MarketKind = .spot) throws(InstrumentError) {
        try Self.checkAsset(base, role: "base")
        try Self.checkAsset(quote, role: "quote")
        self.id = Self.table.intern(Parts(base: base, quote: quote, kind: kind, notation: Self.notation(base, quote, kind)))
    }

    /// Parses the normalized notation or `base/quote`; `nil` when it is neither (see ``init(parsing:)``).
    public init?(_ description: String) {
        guard let parsed = try? Instrument(parsing: description) else { return nil }
        self = parsed
    }

    /// Parses the normalized notation or `base/quote`, reporting what is wrong.
    public init(parsing text: String) throws(InstrumentError) {
        let upper = text.uppercased()
        if upper.contains("/") {
            let parts = upper.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw InstrumentError(text: text, reason: "expected 'base/quote'") }
            try self.init(base: String(parts[0]), quote: String(parts[1]), kind: .spot)
            return
        }
        let parts = upper.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 2:
            try self.init(base: parts[0], quote: parts[1], kind: .spot)
        case 3 where parts[2] == "PERP":
            try self.init(base: parts[0], quote: parts[1], kind: .perpetual)
        case 3:
            guard let expiry = ExpiryDate(code: parts[2]) else {
                throw InstrumentError(text: text, reason: "third part '\(parts[2])' is neither PERP nor an expiry like 22K27")
            }
            try self.init(base: parts[0], quote: parts[1], kind: .future(expiry: expiry))
        case 5:
            guard let strike = try? ExactDecimal(parts[2]), strike > .zero else {
                throw InstrumentError(text: text, reason: "option strike '\(parts[2])' is not a positive decimal")
            }
            guard let expiry = ExpiryDate(code: parts[3]) else {
                throw InstrumentError(text: text, reason: "option expiry '\(parts[3])' is not like 22K27")
            }
            guard let right = OptionRight(rawValue: parts[4]) else {
                throw InstrumentError(text: text, reason: "option type '\(parts[4])' must be C or P")
            }
            try self.init(base: parts[0], quote: parts[1], kind: .option(expiry: expiry, strike: strike, right: right))
        default:
            throw InstrumentError(
                text: text,
                reason: "expected BASE-QUOTE, BASE-QUOTE-PERP, BASE-QUOTE-YYMDD, BASE-QUOTE-STRIKE-YYMDD-C|P or base/quote"
            )
        }
    }

    /// The normalized notation (`BTC-USD-22K27`).
    public var description: String { Self.table.value(id).notation }

    private static func notation(_ base: String, _ quote: String, _ kind: MarketKind) -> String {
        switch kind {
        case .spot: return "\(base)-\(quote)"
        case .perpetual: return "\(base)-\(quote)-PERP"
        case .future(let expiry): return "\(base)-\(quote)-\(expiry)"
        case .option(let expiry, let strike, let right): return "\(base)-\(quote)-\(strike)-\(expiry)-\(right.rawValue)"
        }
    }

    public static func < (lhs: Instrument, rhs: Instrument) -> Bool { lhs.description < rhs.description }

    private static func checkAsset(_ asset: String, role: String) throws(InstrumentError) {
        guard !asset.isEmpty else { throw InstrumentError(text: asset, reason: "\(role) asset is empty") }
        guard asset.utf8.count <= 15 else { throw InstrumentError(text: asset, reason: "\(role) asset longer than 15 characters") }
        for b in asset.utf8 where !((b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || b &- 48 < 10) {
            throw InstrumentError(text: asset, reason: "\(role) asset '\(asset)' may only contain A-Z and 0-9")
        }
    }
}

/// What kind of market an instrument trades in.
public enum MarketKind: Sendable, Hashable {
    case spot
    case perpetual
    case future(expiry: ExpiryDate)
    case option(expiry: ExpiryDate, strike: ExactDecimal, right: OptionRight)
}

/// Call or put.
public enum OptionRight: String, Sendable, Hashable {
    case call = "C"
    case put = "P"
}

/// A contract's expiry day, written `YY` + month code + day: `22K27` is 2022-05-27.
/// Month codes are the futures convention: F G H J K M N Q U V X Z for January … December.
public struct ExpiryDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int { Int(storedYear) }
    public var month: Int { Int(storedMonth) }
    public var day: Int { Int(storedDay) }
    private let storedYear: UInt16
    private let storedMonth: UInt8
    private let storedDay: UInt8

    static let monthCodes: [Character] = ["F", "G", "H", "J", "K", "M", "N", "Q", "U", "V", "X", "Z"]

    /// A calendar date between 2000-01-01 and 2099-12-31; nil otherwise.
    public init?(year: Int, month: Int, day: Int) {
        guard (2000...2099).contains(year), (1...12).contains(month),
              day >= 1, day <= CivilDate.daysInMonth(year: year, month: month) else { return nil }
        self.storedYear = UInt16(year)
        self.storedMonth = UInt8(month)
        self.storedDay = UInt8(day)
    }

    /// Parses `22K27` (also `22K7` with a one-digit day, as cryptofeed writes them).
    public init?(code: String) {
        let chars = Array(code)
        guard chars.count == 4 || chars.count == 5,
              let yy = Int(String(chars[0...1])), chars[0].isASCII, chars[1].isASCII,
              let monthIndex = Self.monthCodes.firstIndex(of: chars[2]),
              chars[3...].allSatisfy({ $0.isASCII && $0.isNumber }),
              let day = Int(String(chars[3...]))
        else { return nil }
        self.init(year: 2000 + yy, month: monthIndex + 1, day: day)
    }

    /// `22K27`: two-digit year, month code, two-digit day.
    public var description: String {
        let yy = year % 100
        return (yy < 10 ? "0" : "") + "\(yy)" + String(Self.monthCodes[month - 1]) + (day < 10 ? "0" : "") + "\(day)"
    }

    public static func < (lhs: ExpiryDate, rhs: ExpiryDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

/// Why a text is not an instrument.
public struct InstrumentError: Error, Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public let reason: String

    public var description: String { "invalid instrument '\(text)': \(reason)" }
}
