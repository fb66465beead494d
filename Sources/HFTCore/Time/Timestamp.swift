#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time with nanosecond resolution: nanoseconds since the Unix epoch (UTC), as `Int64`
/// (range 1677-09-21 … 2262-04-11).
///
/// Built from exchange data in every common form: integer seconds/milliseconds/microseconds/nanoseconds,
/// decimal seconds (`"1617736789.306871"`, exact), `Double` seconds (rounded to the microsecond, the most a
/// `Double` carries for current dates) and RFC 3339 text with up to 9 fractional digits.
///
/// Thread safety: a plain value.
@frozen
public struct Timestamp: Sendable, Hashable, Comparable {
    public var nanosecondsSinceEpoch: Int64

    @inlinable
    public init(nanosecondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
    }

    /// The unit of an integer timestamp.
    public enum Unit: Sendable, Hashable, CaseIterable {
        case seconds, milliseconds, microseconds, nanoseconds

        @inlinable
        public var nanosecondsPerUnit: Int64 {
            switch self {
            case .seconds: return 1_000_000_000
            case .milliseconds: return 1_000_000
            case .microseconds: return 1_000
            case .nanoseconds: return 1
            }
        }
    }

    /// `value` units since the epoch. Throws ``TimestampError/outOfRange`` when it does not fit.
    @inlinable
    public init(_ value: Int64, unit: Unit) throws(TimestampError) {
        let (ns, overflow) = value.multipliedReportingOverflow(by: unit.nanosecondsPerUnit)
        guard !overflow else { throw .outOfRange }
        self.nanosecondsSinceEpoch = ns
    }

    /// Seconds since the epoch as a `Double`, rounded to the nearest microsecond (a `Double` holds about
    /// 16 significant digits: beyond microseconds its digits are noise for current dates).
    public init(secondsSinceEpoch seconds: Double) throws(TimestampError) {
        guard seconds.isFinite, abs(seconds) < 9.2e9 else { throw .outOfRange }
        let micros = (seconds * 1_000_000).rounded()
        self.nanosecondsSinceEpoch = Int64(micros) * 1_000
    }

    /// Decimal seconds since the epoch (`1617736789.306871`), exactly; at most 9 fractional digits.
    public init(seconds: ExactDecimal) throws(TimestampError) {
        guard seconds.scale <= 9 else { throw .excessPrecision }
        let factor = Pow10.int(9 - Int(seconds.scale))
        let (ns, overflow) = seconds.mantissa.multipliedReportingOverflow(by: factor)
        guard !overflow, let value = Int64(exactly: ns) else { throw .outOfRange }
        self.nanosecondsSinceEpoch = value
    }

    /// The current wall-clock time (`CLOCK_REALTIME`). Cheap: one vDSO call, no allocation.
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(nanosecondsSinceEpoch: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }

    /// Whole seconds since the epoch, rounded toward negative infinity.
    public var secondsSinceEpoch: Int64 {
        let (q, r) = nanosecondsSinceEpoch.quotientAndRemainder(dividingBy: 1_000_000_000)
        return r < 0 ? q - 1 : q
    }

    /// The nanoseconds within the second, 0 … 999 999 999.
    public var nanosecondOfSecond: Int64 {
        let r = nanosecondsSinceEpoch % 1_000_000_000
        return r < 0 ? r + 1_000_000_000 : r
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    /// `rhs` nanoseconds later (wrapping arithmetic is not used: overflow traps, as for `Int64`).
    public static func + (lhs: Timestamp, nanoseconds: Int64) -> Timestamp {
        Timestamp(nanosecondsSinceEpoch: lhs.nanosecondsSinceEpoch + nanoseconds)
    }

    /// The signed distance `lhs - rhs` in nanoseconds.
    public static func - (lhs: Timestamp, rhs: Timestamp) -> Int64 {
        lhs.nanosecondsSinceEpoch - rhs.nanosecondsSinceEpoch
    }
}

/// Why a value could not become a ``Timestamp``.
public enum TimestampError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text does not follow the expected form; `offset` is the first byte that does not fit.
    case malformed(offset: Int)
    /// A field is outside its range (month 13, hour 24, …), or the instant is outside 1677…2262.
    case outOfRange
    /// More than 9 fractional digits of a second: nanoseconds cannot hold it without rounding.
    case excessPrecision

    public var description: String {
        switch self {
        case .malformed(let offset): return "malformed timestamp at offset \(offset)"
        case .outOfRange: return "timestamp out of range (1677-09-21 … 2262-04-11, valid calendar fields)"
        case .excessPrecision: return "timestamp has more than 9 fractional digits of a second"
        }
    }
}
