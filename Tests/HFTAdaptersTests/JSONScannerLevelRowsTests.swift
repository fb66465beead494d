import CJSONMarks
import HFTAdapters
import HFTCore
import Testing

/// `decimalPairRows` reads runs of `["price","size",…]` levels with their quotes found 64 bytes at a time, and stops
/// before any row it does not read. Read the way a generated level reader does (runs first, one row by the general
/// path when a run stops), an array must give the levels that the general path alone gives, and end where it ends.
@Suite struct JSONScannerLevelRowsTests {
    /// Rows of every form: the common one, decimals the runs decline (long, signed, exponents, malformed), spaces,
    /// escapes and numbers among the later elements.
    static func randomRow(_ rng: inout some RandomNumberGenerator) -> String {
        func decimal() -> String {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: return ["12345678901234567", "1e5", "-1.5", "00012.50", "0.123456789012345", "1234567890123456"]
                .randomElement(using: &rng)!
            default:
                let integer = String((0..<Int.random(in: 1...8, using: &rng)).map { _ in "0123456789".randomElement(using: &rng)! })
                let fraction = Int.random(in: 0...8, using: &rng)
                guard fraction > 0 else { return integer }
                return integer + "." + String((0..<fraction).map { _ in "0123456789".randomElement(using: &rng)! })
            }
        }
        var elements = ["\"\(decimal())\"", "\"\(decimal())\""]
        elements += (0..<Int.random(in: 0...3, using: &rng)).map { _ in
            switch Int.random(in: 0..<12, using: &rng) {
            case 0: return "\"a\\\"]b\""
            case 1: return "7"
            case 2: return "\"],[,\""
            default: return "\"\(["0", "1", "13", "1582905487.684110", "r", ""].randomElement(using: &rng)!)\""
            }
        }
        let spaced = Int.random(in: 0..<20, using: &rng) == 0
        return "[" + elements.joined(separator: spaced ? ", " : ",") + "]"
    }

    /// The levels of an array read row by row with the general path (`ExactDecimal(parsing:)` on the first two
    /// strings), and the offset after the array.
    static func generalLevels(_ buffer: UnsafeRawBufferPointer, at start: Int) throws -> ([BookLevel], Int) {
        var s = JSONScanner(base: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: buffer.count, offset: start)
        try s.beginArray()
        var first = true
        var levels: [BookLevel] = []
        while try s.nextElement(first: &first) { levels.append(try generalRow(&s)) }
        return (levels, s.offset)
    }

    static func generalRow(_ s: inout JSONScanner) throws -> BookLevel {
        try s.beginArray()
        var first = true
        var spans: [ByteSpan] = []
        while try s.nextElement(first: &first) { spans.append(try s.scalar().span) }
        return BookLevel(price: try ExactDecimal(parsing: spans[0].raw), size: try ExactDecimal(parsing: spans[1].raw))
    }

    /// Random arrays of 0–60 rows after a frame's first members, followed by 0–80 bytes: read as a generated
    /// reader does, they give the general path's levels, in order, to the same representation.
    @Test func runsReadWhatTheGeneralPathReads() throws {
        var rng = SystemRandomNumberGenerator()
        var general = 0
        var total = 0
        for _ in 0..<3_000 {
            let rows = (0..<Int.random(in: 0...60, using: &rng)).map { _ in Self.randomRow(&rng) }
            let head = #"{"arg":{"channel":"books"},"data":[{"asks":"#
            let text = head + "[" + rows.joined(separator: ",") + "]"
                + String(repeating: "}", count: Int.random(in: 0...80, using: &rng))
            try Array(text.utf8).withUnsafeBytes { buffer in
                let (reference, end) = try Self.generalLevels(buffer, at: head.utf8.count)
                var s = JSONScanner(base: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: buffer.count,
                                    offset: head.utf8.count)
                var levels: [BookLevel] = []
                try withUnsafeTemporaryAllocation(of: BookLevel.self, capacity: LevelRun.stackLevels) { memory in
                    var run = LevelRun(memory, capacity: LevelRun.stackLevels)
                    try s.beginArray()
                    var first = true
                    while try s.nextElement(first: &first) {
                        if s.decimalPairRows(&run, to: &levels) { continue }
                        general += 1
                        run.append(try Self.generalRow(&s), to: &levels)
                    }
                    run.flush(to: &levels)
                }
                total += reference.count
                #expect(s.offset == end, "\(text)")
                #expect(levels.count == reference.count, "\(text)")
                for (a, b) in zip(levels, reference) {
                    #expect(a.price.isIdentical(to: b.price) && a.size.isIdentical(to: b.size), "\(a) vs \(b) in \(text)")
                }
            }
        }
        // Most rows take the common form: the runs must actually read most of them.
        #expect(general < total / 2, "\(general) of \(total) rows read by the general path")
    }

    /// An OKX update from the bundled capture (okx.jsonl, UNI-USD-SWAP, three asks, no bids); the levels written
    /// out by hand from its text.
    @Test func readsARecordedUpdate() throws {
        let text = #"{"arg":{"channel":"books","instId":"UNI-USD-SWAP"},"action":"update","data":[{"asks":[["5.142","0","0","0"],"#
            + #"["5.148","311","0","3"],["5.152","36","0","1"]],"bids":[],"ts":"1652459234826","checksum":-617819834}]}"#
        let expected: [(Int128, UInt8, Int128, UInt8)] = [(5142, 3, 0, 0), (5148, 3, 311, 0), (5152, 3, 36, 0)]
        try Array(text.utf8).withUnsafeBytes { buffer in
            let bytes = buffer.bindMemory(to: UInt8.self)
            let key = Array(#""asks":["#.utf8)
            let asks = try #require((0..<bytes.count - key.count).first { Array(bytes[$0..<$0 + key.count]) == key })
            var s = JSONScanner(base: bytes.baseAddress!, count: bytes.count, offset: asks + key.count)
            var levels: [BookLevel] = []
            withUnsafeTemporaryAllocation(of: BookLevel.self, capacity: LevelRun.stackLevels) { memory in
                var run = LevelRun(memory, capacity: LevelRun.stackLevels)
                #expect(s.decimalPairRows(&run, to: &levels))
                run.flush(to: &levels)
            }
            #expect(levels.count == 3)
            for (level, e) in zip(levels, expected) {
                #expect(level.price.mantissa == e.0 && level.price.scale == e.1)
                #expect(level.size.mantissa == e.2 && level.size.scale == e.3)
            }
            // It stands after the last ask, before the `]` that closes the asks.
            #expect(String(decoding: bytes[s.offset..<s.offset + 9], as: UTF8.self) == #"],"bids":"#)
        }
    }

    /// `hft_decimal16` (SSE2) gives what its portable loop gives, and what it accepts, `ExactDecimal` reads to the
    /// same mantissa and scale; what it declines is not of the form `digit+(.digit+)?`.
    @Test func decimal16MatchesItsLoopAndTheParser() throws {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789012345678901234567890123456789....-e ,\"")
        var accepted = 0
        for _ in 0..<50_000 {
            let length = Int.random(in: 1...16, using: &rng)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
            let bytes = Array(#"{"x":["a","#.utf8) + Array(text.utf8) + Array("\"]".utf8)
            try bytes.withUnsafeBufferPointer { buffer in
                let end = buffer.baseAddress! + (bytes.count - 2)
                var vector: UInt64 = 0
                var loop: UInt64 = 0
                let scale = hft_decimal16(end, length, &vector)
                let loopScale = hft_decimal16_portable(end, length, &loop)
                #expect(scale == loopScale, "\(text)")
                let plain = text.first != "." && text.last != "." && text.allSatisfy { $0.isNumber || $0 == "." }
                    && text.filter { $0 == "." }.count <= 1
                #expect((scale >= 0) == plain, "\(text)")
                guard scale >= 0 else { return }
                accepted += 1
                #expect(vector == loop, "\(text)")
                let parsed = try ExactDecimal(text)
                #expect(parsed.mantissa == Int128(vector) && Int(parsed.scale) == Int(scale), "\(text)")
            }
        }
        #expect(accepted > 1_000)
    }

    /// `hft_json_quotes64` (SSE2) finds the quotes and backslashes its portable loop finds.
    @Test func quotes64MatchesItsLoop() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("\"\\[],:0a ".utf8)
        for _ in 0..<20_000 {
            let bytes = (0..<64).map { _ in alphabet.randomElement(using: &rng)! }
            bytes.withUnsafeBufferPointer { buffer in
                let vector = hft_json_quotes64(buffer.baseAddress!)
                let loop = hft_json_quotes64_portable(buffer.baseAddress!)
                #expect(vector.quotes == loop.quotes)
                #expect((vector.slashes != 0) == (loop.slashes != 0))
            }
        }
    }
}
