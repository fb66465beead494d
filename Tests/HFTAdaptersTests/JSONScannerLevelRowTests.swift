import HFTAdapters
import HFTCore
import Testing

/// `decimalPairRow` reads a `["price","size",…]` level in one step, or declines and leaves the scanner where it
/// was. When it reads, it must give what the general path gives (the plain walk, then `ExactDecimal(_:)` on the
/// first two strings), to the same representation, and end where that walk ends.
@Suite struct JSONScannerLevelRowTests {
    static let decimals = [
        "30238.8", "0.00000500", "2", "0", "672.00000000", "12345678.12345678", "99999999", "0.1", "1582905487.684110",
        "123456789", "1.", ".5", "-1.5", "-0", "1e5", "00012.50", "1.2.3", "", "1 ", "12a", "0.123456789", "\\u0031",
    ]

    static func randomRow(_ rng: inout some RandomNumberGenerator) -> String {
        let price = "\"\(decimals.randomElement(using: &rng)!)\""
        let size = "\"\(decimals.randomElement(using: &rng)!)\""
        var elements = [Int.random(in: 0..<10, using: &rng) == 0 ? "30238.8" : price, size]
        if Int.random(in: 0..<10, using: &rng) == 0 { elements.removeLast() }
        elements += (0..<Int.random(in: 0...4, using: &rng)).map { _ in JSONScannerRowTests.randomElement(&rng) }
        let spaced = Int.random(in: 0..<8, using: &rng) == 0
        return "[" + elements.joined(separator: spaced ? ", " : ",") + "]"
    }

    @Test func readsWhatTheGeneralPathReadsOrDeclines() throws {
        var rng = SystemRandomNumberGenerator()
        var taken = 0
        for _ in 0..<20_000 {
            var text = Self.randomRow(&rng)
            text += String(repeating: Bool.random(using: &rng) ? " " : "]", count: Int.random(in: 0...80, using: &rng))
            let bytes = Array(text.utf8)
            try bytes.withUnsafeBytes { buffer in
                let (reference, end) = try JSONScannerRowTests.plainWalk(buffer)
                var s = JSONScanner(buffer)
                guard let level = s.decimalPairRow() else {
                    #expect(s.offset == 0, "declining consumes nothing: \(text)")
                    return
                }
                taken += 1
                #expect(!reference.contains(nil), "a level row holds scalars only: \(text)")
                #expect(s.offset == end, "\(text)")
                guard reference.count >= 2, let p = reference[0], let q = reference[1],
                      p.hasPrefix("string:"), q.hasPrefix("string:") else {
                    Issue.record("read a row whose first two elements are not strings: \(text)")
                    return
                }
                let price = try ExactDecimal(String(p.dropFirst("string:".count)))
                let size = try ExactDecimal(String(q.dropFirst("string:".count)))
                #expect(level.price.isIdentical(to: price), "\(text)")
                #expect(level.size.isIdentical(to: size), "\(text)")
            }
        }
        // About one row in sixteen has two decimals of the common form and no whitespace: the fast path must
        // actually be exercised.
        #expect(taken > 500)
    }

    /// Levels as exchanges send them; the values written out by hand from the text.
    @Test func readsRecordedLevels() throws {
        let pad = String(repeating: " ", count: 64)
        let cases: [(String, (Int128, UInt8), (Int128, UInt8))] = [
            (#"["30238.8","2","0","1"],["30249.5","50","0","1"]]"#, (302388, 1), (2, 0)),                   // OKX
            (#"["0.35210000","672.00000000"]],"asks":[]}"#, (35_210_000, 8), (67_200_000_000, 8)),          // Binance
            (#"["0.05005","0.00000500","1582905487.684110","r"],"#, (5005, 5), (500, 8)),                    // Kraken v1
            (#"["1234567.12345678","99999999"]"#, (123_456_712_345_678, 8), (99_999_999, 0)),
            (#"["-123456789.123456789","0.00000000000000001"]"#, (-123_456_789_123_456_789, 9), (1, 17)),          // 18 digits
        ]
        for (text, price, size) in cases {
            let bytes = Array((text + pad).utf8)
            try expectRow(bytes, price, size, used: try #require(bytes.firstIndex(of: UInt8(ascii: "]"))) + 1)
        }
    }

    /// `decimalPairRow()` on `bytes` reads the level (mantissa, scale) × 2 and stands `used` bytes further.
    func expectRow(_ bytes: [UInt8], _ price: (Int128, UInt8), _ size: (Int128, UInt8), used: Int) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        try bytes.withUnsafeBytes { buffer in
            var s = JSONScanner(buffer)
            let read = s.decimalPairRow()
            let level = try #require(read, "\(text)")
            #expect(level.price.mantissa == price.0 && level.price.scale == price.1, "\(text)")
            #expect(level.size.mantissa == size.0 && level.size.scale == size.1, "\(text)")
            #expect(s.offset == used, "\(text)")
        }
    }

    /// Rows that start less than 64 bytes before the frame's end (read from a padded copy): the last rows of small
    /// updates. The row must still end within the frame (cut ones: ``declinesOtherForms()``).
    @Test func readsRowsNearTheFramesEnd() throws {
        let cases: [(String, (Int128, UInt8), (Int128, UInt8), Int)] = [
            (#"["1","2"]"#, (1, 0), (2, 0), 9),
            (#"["354.15000000","5.00000000","1618678133.365913"]],"c":"2583817756"},"book-1000","XMR/USD"]"#,
             (35_415_000_000, 8), (500_000_000, 8), 49),                                                             // Kraken v1 update
            (#"["7.6220","3284"]]}}"#, (76220, 4), (3284, 0), 17),                                                    // Binance USD-M
        ]
        for (text, price, size, used) in cases { try expectRow(Array(text.utf8), price, size, used: used) }
    }

    /// Rows the general path must read (or reject): other forms of the decimals (more than 18 digits), whitespace,
    /// numbers instead of strings, escapes, rows cut by the frame's end.
    @Test func declinesOtherForms() {
        let pad = String(repeating: " ", count: 64)
        for text in [
            #"["1234567890.123456789","1"]"# + pad, #"["1e5","1"]"# + pad, #"[ "1","2"]"# + pad, #"["1", "2"]"# + pad,
            #"[1.5,"2"]"# + pad, #"["1","2","a\"]b"]"# + pad, #"["1",2]"# + pad, #"["1.","2"]"# + pad, #"["1\u0030","2"]"# + pad,
            #"["1e5","1"]"#, #"["1","2","a\"]b"]"#, #"["1","2""#, #"["1","2"#, #"["1","#,
        ] {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBytes { buffer in
                var s = JSONScanner(buffer)
                #expect(s.decimalPairRow() == nil, "\(text)")
                #expect(s.offset == 0)
            }
        }
    }
}

/// `LevelRun` hands levels to the side's array in order, a run at a time, whatever the number of levels.
@Suite struct LevelRunTests {
    @Test func appendsInOrderAcrossRuns() {
        for total in [0, 1, 7, 8, 9, 20, 45, 401] {
            let levels = (0..<total).map { BookLevel(price: ExactDecimal(mantissa64: Int64($0), scale: 1), size: ExactDecimal(Int64($0 % 7))) }
            var array: [BookLevel] = []
            withUnsafeTemporaryAllocation(of: BookLevel.self, capacity: 8) { buffer in
                var run = LevelRun(buffer, capacity: 8)
                for l in levels { run.append(l, to: &array) }
                run.flush(to: &array)
            }
            #expect(array == levels, "\(total) levels")
            if total > 0 { #expect(array.capacity >= 16, "a first run reserves at least 16 levels") }
        }
    }

    @Test func twoRunsShareOneBuffer() {
        var bids: [BookLevel] = []
        var asks: [BookLevel] = []
        let bid = (0..<23).map { BookLevel(price: ExactDecimal(Int64($0)), size: ExactDecimal(1)) }
        let ask = (0..<17).map { BookLevel(price: ExactDecimal(Int64(100 + $0)), size: ExactDecimal(2)) }
        withUnsafeTemporaryAllocation(of: BookLevel.self, capacity: LevelRun.stackLevels) { buffer in
            var bidRun = LevelRun(buffer, capacity: LevelRun.stackLevels / 2)
            var askRun = LevelRun(buffer, offset: LevelRun.stackLevels / 2, capacity: LevelRun.stackLevels / 2)
            for i in 0..<max(bid.count, ask.count) {
                if i < bid.count { bidRun.append(bid[i], to: &bids) }
                if i < ask.count { askRun.append(ask[i], to: &asks) }
            }
            bidRun.flush(to: &bids)
            askRun.flush(to: &asks)
        }
        #expect(bids == bid)
        #expect(asks == ask)
    }
}
