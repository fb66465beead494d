import HFTCore
import Testing

/// Expected epoch values were computed with Python's `calendar.timegm` (independent of this code).
@Suite struct TimestampTests {
    @Test func integerUnits() throws {
        #expect(try Timestamp(1_786_309_548, unit: .seconds).nanosecondsSinceEpoch == 1_786_309_548_000_000_000)
        #expect(try Timestamp(1_633_998_511_098, unit: .milliseconds).nanosecondsSinceEpoch == 1_633_998_511_098_000_000)
        #expect(try Timestamp(1_633_998_511_098_123, unit: .microseconds).nanosecondsSinceEpoch == 1_633_998_511_098_123_000)
        #expect(try Timestamp(1_633_998_511_098_123_456, unit: .nanoseconds).nanosecondsSinceEpoch == 1_633_998_511_098_123_456)
        #expect(throws: TimestampError.outOfRange) { try Timestamp(Int64.max / 10, unit: .milliseconds) }
    }

    @Test func integerText() throws {
        let t = try "1633998511098".withBytes { try Timestamp(parsingInteger: $0, unit: .milliseconds) }
        #expect(t.nanosecondsSinceEpoch == 1_633_998_511_098_000_000)
        #expect(throws: TimestampError.malformed(offset: 4)) {
            try "1633x".withBytes { try Timestamp(parsingInteger: $0, unit: .milliseconds) }
        }
        #expect(throws: TimestampError.outOfRange) {
            try "99999999999999999999".withBytes { try Timestamp(parsingInteger: $0, unit: .nanoseconds) }
        }
    }

    @Test func decimalSecondsAreExact() throws {
        // Kraken v1 trade time, as text and as a JSON number.
        let t = try "1617736789.306871".withBytes { try Timestamp(parsingDecimalSeconds: $0) }
        #expect(t.nanosecondsSinceEpoch == 1_617_736_789_306_871_000)
        let ns = try "1617736789.123456789".withBytes { try Timestamp(parsingDecimalSeconds: $0) }
        #expect(ns.nanosecondsSinceEpoch == 1_617_736_789_123_456_789)
        #expect(throws: TimestampError.excessPrecision) {
            try "1617736789.1234567891".withBytes { try Timestamp(parsingDecimalSeconds: $0) }
        }
        #expect(throws: TimestampError.malformed(offset: 10)) {
            try "1617736789,5".withBytes { try Timestamp(parsingDecimalSeconds: $0) }
        }
    }

    @Test func doubleSecondsRoundToTheMicrosecond() throws {
        // A capture's local `ts` field.
        let t = try Timestamp(secondsSinceEpoch: 1_633_998_511.132921)
        #expect(t.nanosecondsSinceEpoch == 1_633_998_511_132_921_000)
        #expect(throws: TimestampError.outOfRange) { try Timestamp(secondsSinceEpoch: .nan) }
    }

    @Test(arguments: [
        ("2026-08-09T21:05:48.228568804Z", Int64(1_786_309_548_228_568_804)),
        ("2026-08-09T21:05:48Z", 1_786_309_548_000_000_000),
        ("2026-08-09T21:05:48.2Z", 1_786_309_548_200_000_000),
        ("2026-08-09t21:05:48.228z", 1_786_309_548_228_000_000),
        ("2026-08-09 21:05:48.000001Z", 1_786_309_548_000_001_000),
        ("2021-04-17T16:48:52+02:00", 1_618_670_932_000_000_000),
        ("2021-04-17T12:48:52.5-02:00", 1_618_670_932_500_000_000),
        ("1969-12-31T23:59:59Z", -1_000_000_000),
        ("1969-12-31T23:59:59.5Z", -500_000_000),
        ("2000-02-29T00:00:00Z", 951_782_400_000_000_000),
        ("2016-12-31T23:59:60Z", 1_483_228_800_000_000_000),  // leap second → next minute
    ])
    func rfc3339(text: String, nanoseconds: Int64) throws {
        let t = try text.withBytes { try Timestamp(parsingRFC3339: $0) }
        #expect(t.nanosecondsSinceEpoch == nanoseconds)
    }

    @Test(arguments: [
        ("2026-08-09T21:05:48.2285688041Z", TimestampError.excessPrecision),
        ("2026-08-09T21:05:48", .malformed(offset: 19)),
        ("2026-08-09T21:05:48.Z", .malformed(offset: 20)),
        ("2026-08-09", .malformed(offset: 10)),
        ("2026-13-09T21:05:48Z", .outOfRange),
        ("2026-02-29T21:05:48Z", .outOfRange),
        ("2026-08-09T24:00:00Z", .outOfRange),
        ("2026-08-09T21:05:48Z ", .malformed(offset: 20)),
        ("26-08-09T21:05:48Z", .malformed(offset: 2)),
    ])
    func rejectsMalformedRFC3339(text: String, error: TimestampError) {
        #expect(throws: error) { try text.withBytes { try Timestamp(parsingRFC3339: $0) } }
    }

    /// The word-wise path for `…SS[.f…]Z` against the formatter: random instants 1970–2100 printed with 9
    /// fraction digits, then with fewer (the value truncated to match) and with none.
    @Test func canonicalRFC3339RoundTripsThroughTheFormatter() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let ns = Int64.random(in: 0..<4_102_444_800_000_000_000, using: &generator)
            let text = Timestamp(nanosecondsSinceEpoch: ns).description  // 2026-08-09T21:05:48.228568804Z
            for digits in [9, 8, 6, 3, 1, 0] {
                let unit = Int64([1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000][9 - digits])
                let trimmed = digits == 0 ? String(text.prefix(19)) + "Z" : String(text.prefix(20 + digits)) + "Z"
                let t = try trimmed.withBytes { try Timestamp(parsingRFC3339: $0) }
                #expect(t.nanosecondsSinceEpoch == ns - ns % unit, "\(trimmed)")
            }
        }
    }

    @Test func printsRFC3339WithNanoseconds() throws {
        let text = "2026-08-09T21:05:48.228568804Z"
        #expect(try Timestamp(rfc3339: text).description == text)
        #expect(Timestamp(nanosecondsSinceEpoch: -500_000_000).description == "1969-12-31T23:59:59.500000000Z")
    }

    @Test func nowIsCurrent() throws {
        // After this code was written (2026-11-22) and before 2100.
        let now = Timestamp.now()
        #expect(now > (try Timestamp(rfc3339: "2026-11-22T00:00:00Z")))
        #expect(now < (try Timestamp(rfc3339: "2100-01-01T00:00:00Z")))
    }
}
