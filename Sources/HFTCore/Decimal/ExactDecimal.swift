/// An exact base-10 number for prices and sizes: `mantissa × 10^-scale`.
///
/// - **Range.** Up to 38 significant digits (`|mantissa| < 10^38`) and up to 38 fractional digits
///   (`scale ≤ 38`). Every operation that would leave this range, or that would need rounding, throws a
///   ``DecimalError`` instead of rounding silently.
/// - **Text fidelity.** The scale is kept as received: `"6195.00000000"` parses to mantissa `619500000000`,
///   scale 8, and ``plainText`` prints it back unchanged. This is what exchange checksums need (Kraken and OKX
///   checksum the exact strings). ``description`` prints the canonical form (`"6195"`).
/// - **Equality is by value**: `1.5 == 1.50`. Use ``isIdentical(to:)`` to compare representations.
/// - **Cost.** A 17-byte value (stride 24), no heap, no Foundation. Parsing from bytes (``init(parsing:)``) creates no
///   `String` and allocates nothing; it is meant for the message-parsing hot path.
///
/// Thread safety: a plain value; share and copy freely.
@frozen
public struct ExactDecimal: Sendable {
    /// Largest number of significant digits (and of fractional digits) a value may carry.
    public static let maxDigits = 38
    /// Largest value of ``scale``.
    public static let maxScale: UInt8 = 38
    /// Longest text ``plainText`` or ``writePlain(into:)`` produce: sign, `0.`, 38 digits.
    public static let maxTextLength = 41

    // The mantissa is stored as two 64-bit halves so the value needs 8-byte alignment (stride 24) instead of
    // Int128's 16 (stride 32): books and events hold many decimals.
    @usableFromInline let low: UInt64
    @usableFromInline let high: Int64
    /// The number of digits after the decimal point, as received (trailing zeros included).
    public let scale: UInt8

    /// The integer digits of the value; `|mantissa| < 10^38`.
    @inlinable
    public var mantissa: Int128 { Int128(high) << 64 | Int128(low) }

    /// Creates `mantissa × 10^-scale` without checks. Callers guarantee the invariants.
    @inlinable
    init(unchecked mantissa: Int128, scale: UInt8) {
        self.low = UInt64(truncatingIfNeeded: mantissa)
        self.high = Int64(truncatingIfNeeded: mantissa >> 64)
        self.scale = scale
    }

    /// Creates a value from the two's-complement halves of its mantissa, without checks.
    @inlinable
    init(low: UInt64, high: Int64, scale: UInt8) {
        self.low = low
        self.high = high
        self.scale = scale
    }

    /// Creates `mantissa × 10^-scale` from a 64-bit mantissa, for values taken apart and put back together
    /// (books store `mantissa64` and `scale`). `scale` must be at most ``maxScale``.
    @inlinable
    public init(mantissa64: Int64, scale: UInt8) {
        precondition(scale <= Self.maxScale, "scale above ExactDecimal.maxScale")
        self.init(low: UInt64(bitPattern: mantissa64), high: mantissa64 >> 63, scale: scale)
    }

    /// Creates `mantissa × 10^-scale`, checking the documented range.
    public init(mantissa: Int128, scale: Int) throws(DecimalError) {
        guard scale >= 0, scale <= Int(Self.maxScale) else { throw .excessPrecision }
        guard mantissa.magnitude < Pow10.bound else { throw .overflow }
        self.init(unchecked: mantissa, scale: UInt8(scale))
    }

    /// An integer value (scale 0).
    public init(_ value: Int64) {
        self.init(unchecked: Int128(value), scale: 0)
    }

    public static let zero = ExactDecimal(unchecked: 0, scale: 0)

    public var isZero: Bool { mantissa == 0 }

    /// The mantissa when it fits in 64 bits (nearly every price and size), without 128-bit arithmetic.
    @inlinable
    public var mantissa64: Int64? {
        let l = Int64(bitPattern: low)
        return high == l >> 63 ? l : nil
    }
    public var isNegative: Bool { mantissa < 0 }

    /// The same value without trailing fractional zeros (`6195.000` → `6195`).
    public var normalized: ExactDecimal {
        var m = mantissa
        var s = scale
        while s > 0 && m % 10 == 0 {
            m /= 10
            s -= 1
        }
        return ExactDecimal(unchecked: m, scale: s)
    }

    /// True when both values have the same mantissa and scale (`1.5` is not identical to `1.50`).
    public func isIdentical(to other: ExactDecimal) -> Bool {
        mantissa == other.mantissa && scale == other.scale
    }

    /// The nearest `Double`, for display and analytics only (never for book keys or money).
    public var doubleValue: Double {
        Double(mantissa) / Pow10.double(Int(scale))
    }
}

extension ExactDecimal: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) {
        self.init(value)
    }
}

/// Powers of ten used by decimal arithmetic and parsing.
@usableFromInline
enum Pow10 {
    /// 10^38: the exclusive bound of a mantissa's magnitude.
    @usableFromInline
    static let bound: UInt128 = table[38]

    /// 10^0 … 10^38 as `UInt128`.
    @usableFromInline
    static let table: [UInt128] = {
        var values: [UInt128] = []
        values.reserveCapacity(39)
        var v: UInt128 = 1
        for _ in 0...38 {
            values.append(v)
            v = v &* 10
        }
        return values
    }()

    /// 10^n as `Int128` for `0 ≤ n ≤ 38`.
    @inlinable
    static func int(_ n: Int) -> Int128 { Int128(table[n]) }

    static func double(_ n: Int) -> Double {
        var d = 1.0
        for _ in 0..<n { d *= 10 }
        return d
    }
}
