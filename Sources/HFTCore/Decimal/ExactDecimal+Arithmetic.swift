/// Exact arithmetic and comparison. Results that do not fit 38 digits throw instead of rounding.
extension ExactDecimal {
    /// `lhs + rhs`, exact. The result's scale is the larger of the two scales.
    public static func + (lhs: ExactDecimal, rhs: ExactDecimal) throws(DecimalError) -> ExactDecimal {
        if let sum = alignedSum(lhs, rhs) { return sum }
        // Trailing zeros may be what overflowed: retry on the normalized values.
        if let sum = alignedSum(lhs.normalized, rhs.normalized) { return sum }
        throw .overflow
    }

    /// `lhs - rhs`, exact.
    public static func - (lhs: ExactDecimal, rhs: ExactDecimal) throws(DecimalError) -> ExactDecimal {
        try lhs + (-rhs)
    }

    /// `lhs × rhs`, exact. The result's scale is the sum of the scales (reduced when that exceeds 38 and
    /// trailing zeros allow).
    public static func * (lhs: ExactDecimal, rhs: ExactDecimal) throws(DecimalError) -> ExactDecimal {
        if let product = product(lhs, rhs) { return product }
        let a = lhs.normalized
        let b = rhs.normalized
        if let product = product(a, b) { return product }
        if Int(a.scale) + Int(b.scale) > Int(maxScale) { throw .excessPrecision }
        throw .overflow
    }

    public static prefix func - (value: ExactDecimal) -> ExactDecimal {
        ExactDecimal(unchecked: -value.mantissa, scale: value.scale)
    }

    /// The absolute value.
    public var magnitude: ExactDecimal {
        ExactDecimal(unchecked: mantissa < 0 ? -mantissa : mantissa, scale: scale)
    }

    /// This value with `newScale` fractional digits, when that is exact (adding zeros, or removing zeros).
    public func rescaled(to newScale: Int) throws(DecimalError) -> ExactDecimal {
        guard newScale >= 0, newScale <= Int(Self.maxScale) else { throw .excessPrecision }
        let current = Int(scale)
        if newScale >= current {
            let (m, overflow) = mantissa.multipliedReportingOverflow(by: Pow10.int(newScale - current))
            guard !overflow, m.magnitude < Pow10.bound else { throw .overflow }
            return ExactDecimal(unchecked: m, scale: UInt8(newScale))
        }
        let divisor = Pow10.int(current - newScale)
        guard mantissa % divisor == 0 else { throw .excessPrecision }
        return ExactDecimal(unchecked: mantissa / divisor, scale: UInt8(newScale))
    }

    private static func alignedSum(_ a: ExactDecimal, _ b: ExactDecimal) -> ExactDecimal? {
        let scale = max(a.scale, b.scale)
        guard let am = a.mantissa(atScale: scale), let bm = b.mantissa(atScale: scale) else { return nil }
        let (sum, overflow) = am.addingReportingOverflow(bm)
        guard !overflow, sum.magnitude < Pow10.bound else { return nil }
        return ExactDecimal(unchecked: sum, scale: scale)
    }

    private static func product(_ a: ExactDecimal, _ b: ExactDecimal) -> ExactDecimal? {
        var scale = Int(a.scale) + Int(b.scale)
        var (m, overflow) = a.mantissa.multipliedReportingOverflow(by: b.mantissa)
        guard !overflow else { return nil }
        // Drop trailing fractional zeros while the scale or the digit count is out of range.
        while scale > 0, scale > Int(maxScale) || m.magnitude >= Pow10.bound, m % 10 == 0 {
            m /= 10
            scale -= 1
        }
        guard scale <= Int(maxScale), m.magnitude < Pow10.bound else { return nil }
        return ExactDecimal(unchecked: m, scale: UInt8(scale))
    }

    /// The mantissa expressed at a larger or equal scale, or nil when it would not fit in `Int128`.
    fileprivate func mantissa(atScale target: UInt8) -> Int128? {
        if target == scale { return mantissa }
        let (m, overflow) = mantissa.multipliedReportingOverflow(by: Pow10.int(Int(target - scale)))
        return overflow ? nil : m
    }
}

extension ExactDecimal: Comparable, Hashable {
    public static func == (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        compare(lhs, rhs) == 0
    }

    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// Hashes the value, so that equal values (`1.5`, `1.50`) hash alike.
    public func hash(into hasher: inout Hasher) {
        let n = normalized
        hasher.combine(n.mantissa)
        hasher.combine(n.scale)
    }

    /// -1, 0 or 1. Exact for every pair of values in range.
    static func compare(_ a: ExactDecimal, _ b: ExactDecimal) -> Int {
        if a.scale == b.scale { return a.mantissa < b.mantissa ? -1 : (a.mantissa == b.mantissa ? 0 : 1) }
        if (a.mantissa < 0) != (b.mantissa < 0) { return a.mantissa < 0 ? -1 : 1 }
        let scale = max(a.scale, b.scale)
        // If scaling one side overflows Int128 (> 1.7e38), its magnitude exceeds the other's (< 1e38).
        guard let am = a.mantissa(atScale: scale) else { return a.mantissa < 0 ? -1 : 1 }
        guard let bm = b.mantissa(atScale: scale) else { return b.mantissa < 0 ? 1 : -1 }
        return am < bm ? -1 : (am == bm ? 0 : 1)
    }
}
