import HFTAdapters
import Testing

/// `scalarRow` reads a compact array of scalars in one step, or declines and leaves the scanner where it was. When
/// it reads, it must give what the plain walk (`nextElement`, then `scalar`) gives, and end where that walk ends.
@Suite struct JSONScannerRowTests {
    /// The plain walk of the array at the start of the buffer: each element as kind and text (nil for a container).
    static func plainWalk(_ bytes: UnsafeRawBufferPointer) throws -> ([String?], Int) {
        var s = JSONScanner(bytes)
        try s.beginArray()
        var first = true
        var out: [String?] = []
        while try s.nextElement(first: &first) {
            let c = s.peek()
            if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                try s.skipValue()
                out.append(nil)
            } else {
                let v = try s.scalar()
                out.append("\(v.kind):\(v.span.string)")
            }
        }
        return (out, s.offset)
    }

    static func randomElement(_ rng: inout some RandomNumberGenerator) -> String {
        switch Int.random(in: 0..<12, using: &rng) {
        case 0: return "\"\(String(repeating: "7", count: Int.random(in: 0...70, using: &rng)))\""
        case 1: return "\"a\\\"]b\""
        case 2: return String(Int.random(in: -99_999_999_999...99_999_999_999, using: &rng))
        case 3: return ["true", "false", "null", "-1.5e-3", "0"].randomElement(using: &rng)!
        case 4: return ["[1,2]", "{}", "{\"a\":\"]\"}"].randomElement(using: &rng)!
        case 5: return "\"],[,\""
        default: return "\"\(["30238.8", "0.00000500", "1582905487.684110", "2", "0", "bid", ""].randomElement(using: &rng)!)\""
        }
    }

    /// Random arrays (compact or spaced, 0–9 elements of every kind, escapes, containers, long strings) followed by
    /// a random tail, so that rows end at every distance from the buffer's end and from the classified window.
    @Test func readsWhatThePlainWalkReadsOrDeclines() throws {
        var rng = SystemRandomNumberGenerator()
        var taken = 0
        for _ in 0..<20_000 {
            let spaced = Int.random(in: 0..<5, using: &rng) == 0
            let elements = (0..<Int.random(in: 0...9, using: &rng)).map { _ in Self.randomElement(&rng) }
            var text = "[" + elements.joined(separator: spaced ? ", " : ",") + "]"
            text += String(repeating: Bool.random(using: &rng) ? " " : "]", count: Int.random(in: 0...70, using: &rng))
            let bytes = Array(text.utf8)
            try bytes.withUnsafeBytes { buffer in
                let (reference, end) = try Self.plainWalk(buffer)
                var s = JSONScanner(buffer)
                var row = ScalarRow()
                guard s.scalarRow(&row) else {
                    #expect(s.offset == 0, "declining consumes nothing: \(text)")
                    return
                }
                taken += 1
                #expect(!reference.contains(nil), "a row holds scalars only: \(text)")
                #expect(row.count == reference.count, "\(text)")
                #expect(s.offset == end, "\(text)")
                for i in 0..<min(4, reference.count) {
                    let v = row[i]
                    #expect(v.map { "\($0.kind):\($0.span.string)" } == reference[i], "element \(i) of \(text)")
                }
                #expect(row[min(4, reference.count)] == nil, "no element past the fourth or the last: \(text)")
            }
        }
        // Most compact arrays fit the window: the fast path must actually be exercised.
        #expect(taken > 2_000)
    }

    /// Book levels as exchanges send them, with the values written out by hand. (A row longer than 32 bytes is read
    /// in one step only when 64 bytes are left in the frame, hence the padding.)
    @Test func readsRecordedLevels() {
        let cases: [(String, [String], Int)] = [
            (#"["30238.8","2","0","1"],["30249.5","50","0","1"]]"#, ["30238.8", "2", "0", "1"], 4),
            (#"["0.35210000","672.00000000"]],"asks":[]}                          "#, ["0.35210000", "672.00000000"], 2),
            (#"["0.05005","0.00000500","1582905487.684110","r"],                  "#, ["0.05005", "0.00000500", "1582905487.684110", "r"], 4),
            (#"[]                              "#, [], 0),
        ]
        for (text, expected, count) in cases {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBytes { buffer in
                var s = JSONScanner(buffer)
                var row = ScalarRow()
                let read = s.scalarRow(&row)
                #expect(read, "\(text)")
                #expect(row.count == count)
                #expect((0..<count).map { row[$0]!.span.string } == expected)
                #expect(s.offset == bytes.firstIndex(of: UInt8(ascii: "]")).map { $0 + 1 })
            }
        }
    }
}
