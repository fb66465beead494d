import HFTCore
import Testing

/// Every decimal string and JSON number recorded from the exchanges parses exactly and prints back.
/// Expected values come from Python's `decimal` module (scripts/extract-decimal-fixture.py).
@Suite struct ExactDecimalCaptureTests {
    @Test func everyCaptureDecimalRoundTrips() throws {
        let lines = try FixtureFile.lines("capture-decimals.tsv")
        #expect(lines.count > 190_000, "fixture should hold every decimal of the captures")
        var failures: [String] = []
        for fields in lines {
            let input = String(fields[1])
            let canonical = String(fields[2])
            let plain = fields[3] == "=" ? input : String(fields[3])
            do {
                let value = try input.withBytes { try ExactDecimal(parsing: $0) }
                if value.description != canonical || value.plainText != plain {
                    failures.append("\(input): got \(value.description) / \(value.plainText), want \(canonical) / \(plain)")
                }
                // Printing and re-reading gives the identical representation.
                let reparsed = try ExactDecimal(value.plainText)
                if !reparsed.isIdentical(to: value) { failures.append("\(input): plain text does not re-parse identically") }
            } catch {
                failures.append("\(input): \(error)")
            }
            if failures.count > 20 { break }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    /// Sums, differences, products and comparisons of capture values match Python's exact results
    /// (scripts/make-decimal-arithmetic-fixture.py); '!' marks a result outside 38 digits, which must throw.
    @Test func arithmeticMatchesPythonDecimal() throws {
        let lines = try FixtureFile.lines("decimal-arithmetic.tsv")
        #expect(lines.count == 3000)
        for fields in lines {
            let a = try ExactDecimal(String(fields[0]))
            let b = try ExactDecimal(String(fields[1]))
            check(try a + b, String(fields[2]), "\(a) + \(b)")
            check(try a - b, String(fields[3]), "\(a) - \(b)")
            check(try a * b, String(fields[4]), "\(a) * \(b)")
            let cmp = Int(fields[5])!
            #expect((a < b) == (cmp < 0) && (a == b) == (cmp == 0) && (a > b) == (cmp > 0), "compare \(a) \(b)")
        }
    }

    private func check(_ result: @autoclosure () throws -> ExactDecimal, _ expected: String, _ what: String) {
        if expected == "!" {
            #expect(throws: DecimalError.self, "\(what) should not fit") { try result() }
        } else {
            #expect((try? result())?.description == expected, "\(what)")
        }
    }
}
