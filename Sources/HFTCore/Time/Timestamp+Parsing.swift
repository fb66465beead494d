/// Parsing timestamps from bytes, without creating `String`s.
extension Timestamp {
    /// An integer in `unit` since the epoch, from ASCII digits (optionally negative).
    public init(parsingInteger bytes: UnsafeRawBufferPointer, unit: Unit) throws(TimestampError) {
        var i = 0
        let n = bytes.count
        guard n > 0 else { throw .malformed(offset: 0) }
        let negative = bytes[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        guard i < n else { throw .malformed(offset: i) }
        if let v = DecimalDigits.value(bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + i, n - i) {
            try self.init(negative ? -Int64(v) : Int64(v), unit: unit)  // up to 16 digits: no overflow
            return
        }
        var value: Int64 = 0
        if n - i <= 18 {
            // Up to 18 digits cannot overflow Int64: no per-digit overflow checks. Eight at a time first (SWAR):
            // millisecond times have 13 digits.
            #if _endian(little)
            while n - i >= 8 {
                let word = UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self)
                guard ExactDecimal.areEightDigits(word) else { break }
                value = value &* 100_000_000 &+ Int64(ExactDecimal.valueOfEightDigits(word))
                i &+= 8
            }
            #endif
            while i < n {
                let d = bytes[i] &- 48
                guard d < 10 else { throw .malformed(offset: i) }
                value = value &* 10 &+ Int64(d)
                i += 1
            }
            try self.init(negative ? -value : value, unit: unit)
            return
        }
        while i < n {
            let d = bytes[i] &- 48
            guard d < 10 else { throw .malformed(offset: i) }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { throw .outOfRange }
            value = a
            i += 1
        }
        try self.init(negative ? -value : value, unit: unit)
    }

    /// Decimal seconds since the epoch (`1617736789.306871`, also a JSON number), exactly.
    public init(parsingDecimalSeconds bytes: UnsafeRawBufferPointer) throws(TimestampError) {
        let seconds: ExactDecimal
        do {
            seconds = try ExactDecimal(parsing: bytes)
        } catch .unexpectedCharacter(let offset, _) {
            throw .malformed(offset: offset)
        } catch .missingDigits(let offset) {
            throw .malformed(offset: offset)
        } catch .empty {
            throw .malformed(offset: 0)
        } catch .excessPrecision {
            throw .excessPrecision
        } catch {
            throw .outOfRange
        }
        try self.init(seconds: seconds)
    }

    /// RFC 3339 text: `2026-08-09T21:05:48.228568804Z`, `2021-04-17T16:48:52+02:00`, with `T`, `t` or a space
    /// between date and time, 0–9 fractional digits, `Z`/`z` or a `±hh:mm` offset. A leap second (`:60`) is
    /// read as the first instant of the next minute.
    public init(parsingRFC3339 bytes: UnsafeRawBufferPointer) throws(TimestampError) {
        #if _endian(little)
        if let fast = Self.canonicalUTC(bytes) {
            self = fast
            return
        }
        #endif
        var reader = FixedFieldReader(bytes: bytes)
        let year = try reader.digits(4)
        try reader.expect(UInt8(ascii: "-"))
        let month = try reader.digits(2)
        try reader.expect(UInt8(ascii: "-"))
        let day = try reader.digits(2)
        try reader.expectAny(UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " "))
        let hour = try reader.digits(2)
        try reader.expect(UInt8(ascii: ":"))
        let minute = try reader.digits(2)
        try reader.expect(UInt8(ascii: ":"))
        let second = try reader.digits(2)
        var nanos: Int64 = 0
        if reader.peek == UInt8(ascii: ".") {
            reader.offset += 1
            var count = 0
            while let b = reader.peek, b &- 48 < 10 {
                count += 1
                guard count <= 9 else { throw .excessPrecision }
                nanos = nanos * 10 + Int64(b &- 48)
                reader.offset += 1
            }
            guard count > 0 else { throw .malformed(offset: reader.offset) }
            for _ in count..<9 { nanos *= 10 }
        }
        var offsetSeconds: Int64 = 0
        switch reader.peek {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            reader.offset += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = reader.peek == UInt8(ascii: "-") ? -1 : 1
            reader.offset += 1
            let oh = try reader.digits(2)
            try reader.expect(UInt8(ascii: ":"))
            let om = try reader.digits(2)
            guard oh < 24, om < 60 else { throw .outOfRange }
            offsetSeconds = sign * Int64(oh * 3600 + om * 60)
        default:
            throw .malformed(offset: reader.offset)
        }
        guard reader.offset == bytes.count else { throw .malformed(offset: reader.offset) }
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(year: year, month: month),
              hour < 24, minute < 60, second <= 60
        else { throw .outOfRange }
        let days = CivilDate.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - offsetSeconds
        try self.init(seconds, unit: .seconds)
        let (total, overflow) = nanosecondsSinceEpoch.addingReportingOverflow(nanos)
        guard !overflow else { throw .outOfRange }
        nanosecondsSinceEpoch = total
    }

    #if _endian(little)
    /// The form exchanges send, `YYYY-MM-DDTHH:MM:SS[.f…]Z` (uppercase `T` and `Z`, 0–9 fraction digits), read
    /// as words: separators and digits checked eight bytes at a time. nil for anything else, even valid RFC 3339
    /// text, which the general parser then reads (and reports errors of).
    @inline(__always)
    static func canonicalUTC(_ bytes: UnsafeRawBufferPointer) -> Timestamp? {
        let n = bytes.count
        guard n >= 20, n <= 30, let base = bytes.baseAddress, bytes[n - 1] == UInt8(ascii: "Z") else { return nil }
        let raw = UnsafeRawPointer(base)
        // "YYYY-MM-" and "DDTHH:MM" with '0' put in place of each separator must be eight digits.
        let date = raw.loadUnaligned(as: UInt64.self)  // bytes 0...7
        let time = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)  // bytes 8...15
        let dateSeparators: UInt64 = 0xFF00_00FF_0000_0000  // bytes 4 and 7
        let timeSeparators: UInt64 = 0x0000_FF00_00FF_0000  // bytes 10 ('T') and 13 (':')
        guard date & dateSeparators == 0x2D00_002D_0000_0000,
              time & timeSeparators == 0x0000_3A00_0054_0000,
              ExactDecimal.areEightDigits(date & ~dateSeparators | 0x3000_0030_0000_0000),
              ExactDecimal.areEightDigits(time & ~timeSeparators | 0x0000_3000_0030_0000)
        else { return nil }
        let s16 = bytes[16], s17 = bytes[17], s18 = bytes[18]
        guard s16 == UInt8(ascii: ":"), s17 &- 48 < 10, s18 &- 48 < 10 else { return nil }
        func digit(_ word: UInt64, _ i: Int) -> Int { Int((word >> (8 * i)) & 0xFF) - 48 }
        let year = digit(date, 0) * 1000 + digit(date, 1) * 100 + digit(date, 2) * 10 + digit(date, 3)
        let month = digit(date, 5) * 10 + digit(date, 6)
        let day = digit(time, 0) * 10 + digit(time, 1)
        let hour = digit(time, 3) * 10 + digit(time, 4)
        let minute = digit(time, 6) * 10 + digit(time, 7)
        let second = Int(s17 &- 48) * 10 + Int(s18 &- 48)
        var nanos: Int64 = 0
        if n > 20 {
            // ".f…Z": 1–9 digits.
            guard bytes[19] == UInt8(ascii: "."), n >= 22 else { return nil }
            var i = 20
            if n - 1 - i >= 8 {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                guard ExactDecimal.areEightDigits(word) else { return nil }
                nanos = Int64(ExactDecimal.valueOfEightDigits(word))
                i += 8
            }
            while i < n - 1 {
                let d = bytes[i] &- 48
                guard d < 10 else { return nil }
                nanos = nanos * 10 + Int64(d)
                i += 1
            }
            for _ in (n - 21)..<9 { nanos *= 10 }
        }
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(year: year, month: month),
              hour < 24, minute < 60, second <= 60
        else { return nil }
        let days = CivilDate.daysFromCivil(year: year, month: month, day: day)
        // Years 0…9999: far inside Int64 nanoseconds' range only up to 2262; let the general path judge beyond.
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        guard seconds >= -9_223_372_036, seconds < 9_223_372_036 - 1 else { return nil }
        let (total, overflow) = (seconds * 1_000_000_000).addingReportingOverflow(nanos)
        return overflow ? nil : Timestamp(nanosecondsSinceEpoch: total)
    }
    #endif

    /// Parses RFC 3339 text (convenience for configuration and tests).
    public init(rfc3339 text: String) throws(TimestampError) {
        var text = text
        let result: Result<Timestamp, TimestampError> = text.withUTF8 { buffer in
            do throws(TimestampError) {
                return .success(try Timestamp(parsingRFC3339: UnsafeRawBufferPointer(buffer)))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }
}

/// Reads fixed-width fields of ASCII digits and separators, reporting the offset of the first mismatch.
struct FixedFieldReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    var peek: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    mutating func digits(_ count: Int) throws(TimestampError) -> Int {
        var value = 0
        for _ in 0..<count {
            guard let b = peek, b &- 48 < 10 else { throw .malformed(offset: offset) }
            value = value * 10 + Int(b &- 48)
            offset += 1
        }
        return value
    }

    mutating func expect(_ byte: UInt8) throws(TimestampError) {
        guard peek == byte else { throw .malformed(offset: offset) }
        offset += 1
    }

    mutating func expectAny(_ a: UInt8, _ b: UInt8, _ c: UInt8) throws(TimestampError) {
        guard let p = peek, p == a || p == b || p == c else { throw .malformed(offset: offset) }
        offset += 1
    }
}
