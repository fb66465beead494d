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
        var value: Int64 = 0
        if n - i <= 18 {
            // Up to 18 digits cannot overflow Int64: no per-digit overflow checks.
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
