/// Parsing decimal text: exchange strings (`"0.00001234"`, `"6195.00000000"`) and JSON numbers
/// (`-12`, `1e-8`, `5.5E+3`), straight from bytes.
///
/// Grammar: `-? digit+ ( . digit+ )? ( (e|E) (+|-)? digit+ )?`. Leading zeros are accepted (some exchanges pad);
/// a leading `+`, a bare `.5` or `5.`, whitespace and anything else are rejected with the byte offset.
extension ExactDecimal {
    /// Parses the bytes `[base, base + count)`. Allocates nothing and creates no `String`.
    @inlinable
    public init(parsing base: UnsafePointer<UInt8>, count: Int) throws(DecimalError) {
        self = try Self.parse(base, count)
    }

    /// Parses a buffer of UTF-8 bytes. Allocates nothing and creates no `String`.
    @inlinable
    public init(parsing bytes: UnsafeRawBufferPointer) throws(DecimalError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { throw .empty }
        self = try Self.parse(base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    /// Parses text (convenience for configuration, tests and tools; not for hot paths).
    public init(_ text: String) throws(DecimalError) {
        var text = text
        let result: Result<ExactDecimal, DecimalError> = text.withUTF8 { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return .failure(.empty) }
            do throws(DecimalError) {
                return .success(try Self.parse(base, buffer.count))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    @inlinable
    static func parse(_ p: UnsafePointer<UInt8>, _ n: Int) throws(DecimalError) -> ExactDecimal {
        #if _endian(little)
        if let value = parseWordwise(p, n) { return value }
        #endif
        // Fast path: plain text of at most 18 digits (leading zeros included), the form of nearly every price
        // and size. Anything else (exponents, more digits, malformed text) takes the general path below.
        if n > 0, n <= 20 {
            var i = p[0] == UInt8(ascii: "-") ? 1 : 0
            let negative = i == 1
            var value: UInt64 = 0
            var digits = 0
            var fraction = -1
            while i < n {
                #if _endian(little)
                // Eight digits at once (SWAR): the fraction of "29345.67000000", most sizes.
                if i &+ 8 <= n {
                    let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                    if Self.areEightDigits(word) {
                        value = value &* 100_000_000 &+ Self.valueOfEightDigits(word)
                        digits &+= 8
                        if fraction >= 0 { fraction &+= 8 }
                        i &+= 8
                        continue
                    }
                }
                #endif
                let c = p[i]
                let d = c &- 48
                if d < 10 {
                    value = value &* 10 &+ UInt64(d)
                    digits += 1
                    if fraction >= 0 { fraction += 1 }
                } else if c == UInt8(ascii: "."), fraction < 0, digits > 0 {
                    fraction = 0
                } else {
                    break
                }
                i += 1
            }
            if i == n, digits > 0, digits <= 18, fraction != 0 {
                // value < 10^18, so the 128-bit mantissa is value (or its negation) sign-extended.
                let negate = negative && value != 0
                return ExactDecimal(low: negate ? 0 &- value : value, high: negate ? -1 : 0, scale: UInt8(max(fraction, 0)))
            }
        }
        return try parseGeneral(p, n)
    }

    /// The common exchange form without a loop or data-dependent branches: `-?d{1,7}(.d{1,8})?` or `-?d{8}`, at most 16
    /// bytes after the sign (`"0.35210000"`, `"30247.5"`, `"1123.00000000"`). The first bytes and the last 8 are
    /// read as words (overlapping loads inside the span, never past it), the dot is found by a word compare,
    /// and both digit runs are right-aligned in a word padded with `'0'`s and converted in one step.
    /// nil for anything else (longer integers, exponents, malformed text): the callers' other paths decide.
    @inlinable @inline(__always)
    static func parseWordwise(_ p: UnsafePointer<UInt8>, _ n: Int) -> ExactDecimal? {
        guard n > 0 else { return nil }
        let negative = p[0] == UInt8(ascii: "-")
        let s = negative ? 1 : 0
        let length = n &- s
        guard length > 0, length <= 17 else { return nil }
        let q = UnsafeRawPointer(p + s)
        // The first min(length, 8) bytes; zeros above.
        let head = ByteWords.loadPrefix(q, length)
        // The last 8 bytes, ending at the span's end (for short spans: the head moved up).
        let tail = length >= 8 ? q.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self) : head << UInt64(8 &* (8 &- length))
        let dots = ByteWords.bytesEqual(head, 0x2E2E_2E2E_2E2E_2E2E)
        let k = dots == 0 ? length : dots.trailingZeroBitCount >> 3  // digits before the dot
        let m = dots == 0 ? 0 : length &- k &- 1                       // digits after it
        guard k >= 1, k <= 8, m <= 8, dots == 0 || m >= 1 else { return nil }
        let integerWord = Self.digitsWord(prefix: head, count: k)   // digits [0, k) of head
        let fractionWord = Self.digitsWord(suffix: tail, count: m)  // the top m bytes of tail (m = 0: all '0's)
        guard Self.areEightDigits(integerWord), Self.areEightDigits(fractionWord) else { return nil }
        let value = Self.valueOfEightDigits(integerWord) &* Self.powerOfTen(m) &+ Self.valueOfEightDigits(fractionWord)
        let negate = negative && value != 0
        return ExactDecimal(low: negate ? 0 &- value : value, high: negate ? -1 : 0, scale: UInt8(truncatingIfNeeded: m))
    }

    /// 10^m for m in 0…8 (a constant table after optimization; no global to initialize).
    @inlinable @inline(__always)
    static func powerOfTen(_ m: Int) -> UInt64 {
        switch m {
        case 0: return 1
        case 1: return 10
        case 2: return 100
        case 3: return 1_000
        case 4: return 10_000
        case 5: return 100_000
        case 6: return 1_000_000
        case 7: return 10_000_000
        default: return 100_000_000
        }
    }

    /// The first `count` (1…8) digits of a word read from their start (`ByteWords.loadPrefix`), moved to its top
    /// bytes with `'0'`s below: a word of eight digits with the same value (for ``valueOfEightDigits(_:)``).
    @inlinable @inline(__always)
    static func digitsWord(prefix head: UInt64, count: Int) -> UInt64 {
        (head << UInt64(8 &* (8 &- count))) | (count == 8 ? 0 : 0x3030_3030_3030_3030 >> UInt64(8 &* count))
    }

    /// The last `count` (0…8) bytes of a word that ends where the digits end (its top bytes), with `'0'`s below.
    @inlinable @inline(__always)
    static func digitsWord(suffix tail: UInt64, count: Int) -> UInt64 {
        let keep: UInt64 = count == 0 ? 0 : ~0 << UInt64(8 &* (8 &- count))
        return (tail & keep) | (0x3030_3030_3030_3030 & ~keep)
    }

    /// The plain decimal `-?digit+(.digit+)?` of at most 18 digits that starts at `p` and ends at a quote (`"`),
    /// the form of prices and sizes inside JSON strings; `end` is set to the quote's offset from `p`. nil for
    /// anything else (callers then take ``init(parsing:count:)``, which reads the same bytes to the same value).
    ///
    /// For readers that find the string's end while converting it (book level rows): one loop over the bytes,
    /// with eight fraction digits at a time when they are there (`"0.00899172"`, `"2.50700000"`). The caller
    /// guarantees that the 30 bytes from `p` are readable, wherever the quote is.
    @inlinable @inline(__always)
    public static func parsingQuoted(_ p: UnsafePointer<UInt8>, end: inout Int) -> ExactDecimal? {
        let negative = p[0] == UInt8(ascii: "-")
        let first = negative ? 1 : 0
        let limit = first &+ 20
        var i = first
        var dot = -1
        var value: UInt64 = 0
        while i < limit {
            let c = p[i]
            let d = c &- 48
            if d < 10 {
                value = value &* 10 &+ UInt64(d)
            } else if c == UInt8(ascii: "."), dot < 0, i > first {
                dot = i
                #if _endian(little)
                let word = UnsafeRawPointer(p + (i &+ 1)).loadUnaligned(as: UInt64.self)
                if areEightDigits(word) {
                    value = value &* 100_000_000 &+ valueOfEightDigits(word)
                    i &+= 9
                    continue
                }
                #endif
            } else {
                break
            }
            i &+= 1
        }
        let digits = dot < 0 ? i &- first : i &- first &- 1
        guard p[i] == UInt8(ascii: "\""), digits >= 1, digits <= 18, dot != i &- 1 else { return nil }
        end = i
        let negate = negative && value != 0
        return ExactDecimal(low: negate ? 0 &- value : value, high: negate ? -1 : 0, scale: UInt8(truncatingIfNeeded: dot < 0 ? 0 : i &- dot &- 1))
    }

    /// True when the 8 bytes of `word` are all ASCII digits: high nibbles are 3, and adding 6 keeps them 3.
    @inlinable @inline(__always)
    static func areEightDigits(_ word: UInt64) -> Bool {
        let high = word & 0xF0F0_F0F0_F0F0_F0F0
        let carried = ((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4
        return high | carried == 0x3333_3333_3333_3333
    }

    /// The value of eight ASCII digits loaded little-endian (first digit in the low byte), by pairwise
    /// combination in three multiplications (the method of simdjson's `parse_eight_digits_unrolled`).
    @inlinable @inline(__always)
    static func valueOfEightDigits(_ word: UInt64) -> UInt64 {
        var v = word &- 0x3030_3030_3030_3030
        v = (v &* 10) &+ (v >> 8)  // each even byte: two digits
        let pairs = v & 0x0000_00FF_0000_00FF
        let pairs2 = (v >> 16) & 0x0000_00FF_0000_00FF
        return (pairs &* (100 &+ (1_000_000 << 32)) &+ pairs2 &* (1 &+ (10_000 << 32))) >> 32
    }

    @inlinable
    static func parseGeneral(_ p: UnsafePointer<UInt8>, _ n: Int) throws(DecimalError) -> ExactDecimal {
        guard n > 0 else { throw .empty }
        var i = 0
        let negative = p[0] == UInt8(ascii: "-")
        if negative { i = 1 }

        var accumulator = DigitAccumulator()
        let integerStart = i
        while i < n, case let d = p[i] &- 48, d < 10 {
            guard accumulator.push(d) else { throw .overflow }
            i += 1
        }
        if i == integerStart {
            if i < n { throw .unexpectedCharacter(offset: i, byte: p[i]) }
            throw .missingDigits(offset: i)
        }

        var fractionDigits = 0
        if i < n, p[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < n, case let d = p[i] &- 48, d < 10 {
                guard accumulator.push(d) else { throw .excessPrecision }
                i += 1
            }
            fractionDigits = i - fractionStart
            if fractionDigits == 0 {
                if i < n { throw .unexpectedCharacter(offset: i, byte: p[i]) }
                throw .missingDigits(offset: i)
            }
        }

        var exponent = 0
        if i < n, p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < n, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") {
                exponentNegative = p[i] == UInt8(ascii: "-")
                i += 1
            }
            let exponentStart = i
            while i < n, case let d = p[i] &- 48, d < 10 {
                if exponent < 100_000 { exponent = exponent * 10 + Int(d) }
                i += 1
            }
            if i == exponentStart {
                if i < n { throw .unexpectedCharacter(offset: i, byte: p[i]) }
                throw .missingDigits(offset: i)
            }
            if exponentNegative { exponent = -exponent }
        }
        guard i == n else { throw .unexpectedCharacter(offset: i, byte: p[i]) }

        var magnitude = accumulator.value
        var scale = fractionDigits - exponent
        if scale < 0 {
            // A positive exponent beyond the fraction: shift the digits left.
            let shift = -scale
            if magnitude != 0 {
                guard accumulator.significantDigits + shift <= ExactDecimal.maxDigits else { throw .overflow }
                magnitude *= Pow10.table[shift]
            }
            scale = 0
        } else if scale > Int(ExactDecimal.maxScale) {
            throw .excessPrecision
        }
        let mantissa = negative ? -Int128(magnitude) : Int128(magnitude)
        return ExactDecimal(unchecked: mantissa, scale: UInt8(scale))
    }
}

/// Collects decimal digits: in a `UInt64` for the first 19 significant digits (the common case, cheap),
/// then in a `UInt128` up to ``ExactDecimal/maxDigits``.
@usableFromInline
struct DigitAccumulator {
    @usableFromInline var small: UInt64 = 0
    @usableFromInline var wide: UInt128 = 0
    @usableFromInline var isWide = false
    @usableFromInline var significantDigits = 0

    @inlinable
    init() {}

    /// Appends one digit (0…9). Returns false when the value would exceed 38 significant digits.
    @inlinable
    mutating func push(_ digit: UInt8) -> Bool {
        if significantDigits == 0 {
            if digit == 0 { return true }  // a leading zero changes nothing
        }
        if significantDigits < 19 {
            small = small &* 10 &+ UInt64(digit)
        } else if significantDigits < ExactDecimal.maxDigits {
            if !isWide {
                wide = UInt128(small)
                isWide = true
            }
            wide = wide &* 10 &+ UInt128(digit)
        } else {
            return false
        }
        significantDigits += 1
        return true
    }

    @inlinable
    var value: UInt128 { isWide ? wide : UInt128(small) }
}

/// The value of a run of ASCII digits, read as words: ids and integer timestamps (`"338476375"`,
/// `"1652459235576"`) without a loop per digit.
public enum DecimalDigits {
    /// The value of the `count` bytes at `p` when they are 1 to 16 ASCII digits; nil otherwise (other bytes, or
    /// a longer or empty run: callers take their general path). Reads only inside `[p, p + count)`.
    @inlinable @inline(__always)
    public static func value(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt64? {
        #if _endian(little)
        guard count > 0, count <= 16 else { return nil }
        let q = UnsafeRawPointer(p)
        if count <= 8 {
            let word = ExactDecimal.digitsWord(prefix: ByteWords.loadPrefix(q, count), count: count)
            guard ExactDecimal.areEightDigits(word) else { return nil }
            return ExactDecimal.valueOfEightDigits(word)
        }
        // Eight digits, then the last count - 8 (the top bytes of the word that ends the run).
        let high = q.loadUnaligned(as: UInt64.self)
        let rest = count &- 8
        let low = ExactDecimal.digitsWord(suffix: q.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self), count: rest)
        guard ExactDecimal.areEightDigits(high), ExactDecimal.areEightDigits(low) else { return nil }
        return ExactDecimal.valueOfEightDigits(high) &* ExactDecimal.powerOfTen(rest) &+ ExactDecimal.valueOfEightDigits(low)
        #else
        return nil
        #endif
    }
}
