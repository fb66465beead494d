import HFTCore
import Testing

@Suite struct ExactDecimalTests {
    // MARK: parsing

    @Test(arguments: [
        // input, canonical, plain (scale kept), mantissa, scale
        ("0.00001234", "0.00001234", "0.00001234", "1234", 8),
        ("65083.67", "65083.67", "65083.67", "6508367", 2),
        ("6195.00000000", "6195", "6195.00000000", "619500000000", 8),
        ("1e-8", "0.00000001", "0.00000001", "1", 8),
        ("5.5E+3", "5500", "5500", "5500", 0),
        ("5.5e3", "5500", "5500", "5500", 0),
        ("1.25E-2", "0.0125", "0.0125", "125", 4),
        ("12E+0", "12", "12", "12", 0),
        ("42", "42", "42", "42", 0),
        ("-42", "-42", "-42", "-42", 0),
        ("-0.5", "-0.5", "-0.5", "-5", 1),
        ("0", "0", "0", "0", 0),
        ("-0", "0", "0", "0", 0),
        ("0.000", "0", "0.000", "0", 3),
        ("007.50", "7.5", "7.50", "750", 2),
        ("100", "100", "100", "100", 0),
        ("100.0", "100", "100.0", "1000", 1),
        ("0.1000", "0.1", "0.1000", "1000", 4),
        // 38 significant digits: the maximum.
        ("99999999999999999999999999999999999999", "99999999999999999999999999999999999999",
         "99999999999999999999999999999999999999", "99999999999999999999999999999999999999", 0),
        ("-0.12345678901234567890123456789012345678", "-0.12345678901234567890123456789012345678",
         "-0.12345678901234567890123456789012345678", "-12345678901234567890123456789012345678", 38),
        ("18239578009413566319", "18239578009413566319", "18239578009413566319", "18239578009413566319", 0),
        ("1E+37", "10000000000000000000000000000000000000", "10000000000000000000000000000000000000",
         "10000000000000000000000000000000000000", 0),
        ("1e-38", "0.00000000000000000000000000000000000001", "0.00000000000000000000000000000000000001", "1", 38),
    ])
    func parses(input: String, canonical: String, plain: String, mantissa: String, scale: Int) throws {
        let value = try input.withBytes { try ExactDecimal(parsing: $0) }
        #expect(value.description == canonical)
        #expect(value.plainText == plain)
        #expect(String(value.mantissa) == mantissa)
        #expect(Int(value.scale) == scale)
    }

    @Test(arguments: [
        ("", DecimalError.empty),
        ("-", .missingDigits(offset: 1)),
        ("1.2.3", .unexpectedCharacter(offset: 3, byte: UInt8(ascii: "."))),
        ("1e", .missingDigits(offset: 2)),
        ("1e+", .missingDigits(offset: 3)),
        ("1.", .missingDigits(offset: 2)),
        (".5", .unexpectedCharacter(offset: 0, byte: UInt8(ascii: "."))),
        ("+1", .unexpectedCharacter(offset: 0, byte: UInt8(ascii: "+"))),
        ("--1", .unexpectedCharacter(offset: 1, byte: UInt8(ascii: "-"))),
        (" 1", .unexpectedCharacter(offset: 0, byte: UInt8(ascii: " "))),
        ("1 ", .unexpectedCharacter(offset: 1, byte: UInt8(ascii: " "))),
        ("1,5", .unexpectedCharacter(offset: 1, byte: UInt8(ascii: ","))),
        ("abc", .unexpectedCharacter(offset: 0, byte: UInt8(ascii: "a"))),
        ("NaN", .unexpectedCharacter(offset: 0, byte: UInt8(ascii: "N"))),
        ("1.5x", .unexpectedCharacter(offset: 3, byte: UInt8(ascii: "x"))),
        // 39 integer digits: magnitude 10^38 or more.
        ("100000000000000000000000000000000000000", .overflow),
        ("1e38", .overflow),
        ("9.9e40", .overflow),
        // 39 significant digits with a fraction: would need rounding.
        ("1.00000000000000000000000000000000000001", .excessPrecision),
        ("1e-39", .excessPrecision),
        ("0.000000000000000000000000000000000000001", .excessPrecision),
    ])
    func rejects(input: String, error: DecimalError) {
        #expect(throws: error) { try input.withBytes { try ExactDecimal(parsing: $0) } }
    }

    @Test func errorsExplainThemselves() {
        #expect(DecimalError.unexpectedCharacter(offset: 3, byte: UInt8(ascii: ".")).description
            == "unexpected '.' at offset 3 in decimal text")
        #expect(DecimalError.overflow.description.contains("10^38"))
        #expect(DecimalError.excessPrecision.description.contains("refusing to round"))
    }

    @Test func parsesFromTheMiddleOfABuffer() throws {
        // A parser hands over a slice of a receive buffer: only the slice is read.
        let frame = Array(#"{"p":"65083.67","q":"0.5"}"#.utf8)
        let value = try frame.withUnsafeBufferPointer { buffer in
            try ExactDecimal(parsing: buffer.baseAddress! + 6, count: 8)
        }
        #expect(value == (try ExactDecimal("65083.67")))
    }

    // MARK: value semantics

    @Test func equalityAndHashingAreByValue() throws {
        let a = try ExactDecimal("1.5")
        let b = try ExactDecimal("1.50")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(!a.isIdentical(to: b))
        #expect(Set([a, b]).count == 1)
    }

    @Test func comparesAcrossScalesAndSigns() throws {
        let sorted = try ["-100", "-0.5", "0", "0.00000001", "0.1", "0.10000001", "1", "99.99", "100"].map { try ExactDecimal($0) }
        #expect(sorted == sorted.shuffled().sorted())
        // Scaling one side to the other's scale would overflow Int128; the comparison is still exact.
        let huge = try ExactDecimal("99999999999999999999999999999999999999")
        let tiny = try ExactDecimal("0.00000000000000000000000000000000000001")
        #expect(tiny < huge)
        #expect(-huge < tiny)
        #expect(-huge < -tiny)
    }

    // MARK: arithmetic

    @Test func addsSubtractsAndMultipliesExactly() throws {
        let price = try ExactDecimal("65083.67")
        let size = try ExactDecimal("0.00001234")
        #expect(try (price * size).description == "0.8031324878")
        #expect(try (price + size).description == "65083.67001234")
        #expect(try (size - price).description == "-65083.66998766")
        // 0.1 + 0.2 is exactly 0.3 (it is not in binary floating point).
        #expect(try ExactDecimal("0.1") + ExactDecimal("0.2") == ExactDecimal("0.3"))
        // Results keep the larger scale, as an exchange would print them.
        #expect(try (ExactDecimal("1.10") + ExactDecimal("2.2")).plainText == "3.30")
    }

    @Test func reportsOverflowAndExcessPrecision() throws {
        let big = try ExactDecimal("99999999999999999999999999999999999999")
        #expect(throws: DecimalError.overflow) { try big + 1 }
        #expect(throws: DecimalError.overflow) { try big * 2 }
        let small = try ExactDecimal("0.0000000000000000000001")  // 1e-22
        #expect(throws: DecimalError.excessPrecision) { try small * small }  // 1e-44
        // Trailing zeros do not count against the range: 1.000…0 (30 zeros) × 10^10 fits.
        let paddedOne = try ExactDecimal("1." + String(repeating: "0", count: 30))
        #expect(try (paddedOne * ExactDecimal("10000000000")).description == "10000000000")
        // An exact product of 10^37 reached through 0.5 × 2·10^37.
        #expect(try (ExactDecimal("0.5") * ExactDecimal("2e37")).description == "1" + String(repeating: "0", count: 37))
    }

    @Test func rescalesOnlyWhenExact() throws {
        let v = try ExactDecimal("12.5")
        #expect(try v.rescaled(to: 4).plainText == "12.5000")
        #expect(try ExactDecimal("12.5000").rescaled(to: 1).plainText == "12.5")
        #expect(throws: DecimalError.excessPrecision) { try v.rescaled(to: 0) }
    }

    @Test func writesPlainTextWithoutAllocating() throws {
        let value = try ExactDecimal("-0.00001234")
        var buffer = [UInt8](repeating: 0, count: ExactDecimal.maxTextLength)
        let count = buffer.withUnsafeMutableBytes { value.writePlain(into: $0) }
        #expect(String(decoding: buffer[..<count], as: UTF8.self) == "-0.00001234")
    }

    @Test func isSmallEnoughToCopyCheaply() {
        #expect(MemoryLayout<ExactDecimal>.stride == 24)
    }

    /// Plain texts of every length up to 20 (the fast path's limit, where runs of 8 digits are read at once),
    /// with the point anywhere: the mantissa is the digits with the point removed and the scale is the number
    /// of digits after it, checked against `Int128(String)` and the text itself.
    @Test func parsesDigitRunsOfEveryLengthAndPointPosition() throws {
        var rng = SystemRandomNumberGenerator()
        for length in 1...22 {
            for point in 0..<length {
                for negative in [false, true] {
                    let digits = String((0..<length).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
                    let text = (negative ? "-" : "") + (point == 0 ? digits
                        : String(digits.prefix(length - point)) + "." + String(digits.suffix(point)))
                    let value = try text.withBytes { try ExactDecimal(parsing: $0) }
                    let mantissa = Int128(digits)! * (negative ? -1 : 1)
                    #expect(value.mantissa == mantissa, "\(text)")
                    #expect(Int(value.scale) == point, "\(text)")
                }
            }
        }
        // A non-digit inside a run of eight is not taken for a digit.
        for bad in ["1234567:", "12345678:9", "1234/5678", "12345678.9x", "1.2.3", "12.", ".5", "-", "1-2.5", "--1.0", "1.2345678-"] {
            #expect(throws: DecimalError.self) { try bad.withBytes { try ExactDecimal(parsing: $0) } }
        }
    }

    /// Digit runs read as words equal `UInt64(String)` for 1 to 16 digits; anything else is left to the callers.
    @Test func digitRunsReadAsWordsEqualTheirValue() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...20, using: &rng)
            var bytes = (0..<length).map { _ in UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &rng) }
            if length > 0, Int.random(in: 0..<4, using: &rng) == 0 {
                bytes[Int.random(in: 0..<length, using: &rng)] = [UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "."), 0].randomElement(using: &rng)!
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let value = bytes.withUnsafeBufferPointer { DecimalDigits.value($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, length) }
            let expected = length <= 16 ? UInt64(text) : nil  // nil for any byte that is not a digit
            #expect(value == expected, "\(text)")
        }
    }

    /// The hand-written matcher of the plain grammar `-?[0-9]+(\.[0-9]+)?`: the mantissa (from `Int128(String)`),
    /// scale and digit count of a text that matches it; nil for any other text.
    static func plainGrammar(_ text: String) -> (mantissa: Int128, scale: Int, digits: Int)? {
        let body = text.hasPrefix("-") ? String(text.dropFirst()) : text
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        let isDigits: (Substring) -> Bool = { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
        guard (parts.count == 1 && isDigits(parts[0])) || (parts.count == 2 && isDigits(parts[0]) && isDigits(parts[1])),
              let magnitude = Int128(parts.joined()) else { return nil }
        return (text.hasPrefix("-") ? -magnitude : magnitude, parts.count == 2 ? parts[1].count : 0, parts.joined().count)
    }

    /// Random short texts over digits, points, signs and one foreign byte: accepted exactly when they match
    /// `-?[0-9]+(\.[0-9]+)?` (checked by a hand-written matcher here), with the mantissa and scale that
    /// `Int128(String)` gives for the digits. Exercises the word-wise path's boundaries (lengths 1…19, the point
    /// at every position, signs, bytes that are nearly digits).
    @Test func acceptsExactlyThePlainGrammarOnRandomTexts() throws {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["0", "1", "5", "9", "0", "7", ".", "-", "/", ":"]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...19, using: &rng)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
            if let expected = Self.plainGrammar(text) {
                let value = try text.withBytes { try ExactDecimal(parsing: $0) }
                #expect(value.mantissa == expected.mantissa, "\(text)")
                #expect(Int(value.scale) == expected.scale, "\(text)")
            } else {
                #expect(throws: DecimalError.self, "\(text)") { try text.withBytes { try ExactDecimal(parsing: $0) } }
            }
        }
    }

    /// `parsingQuoted` on the same random texts, closed by a quote and followed by junk: it reads exactly the texts
    /// of the plain grammar with at most 18 digits, to the mantissa and scale the hand-written matcher gives, and
    /// stops at the quote; anything else (other texts, more digits) it declines.
    @Test func quotedDecimalsAreReadExactlyInThePlainGrammar() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["0", "1", "5", "9", "0", "7", ".", "-", "/", ":", "\""]
        for _ in 0..<20_000 {
            // Half random bytes, half numbers of every digit count around the 18-digit limit.
            let digits: (Int) -> String = { n in String((0..<n).map { _ in "0123456789".randomElement(using: &rng)! }) }
            let text = Bool.random(using: &rng)
                ? String((0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.prefix { $0 != "\"" })
                : (Bool.random(using: &rng) ? "-" : "") + digits(Int.random(in: 1...20, using: &rng))
                    + (Bool.random(using: &rng) ? "." + digits(Int.random(in: 1...12, using: &rng)) : "")
            // The quote, then bytes that would extend a number if the reader looked past the quote.
            let bytes = Array((text + "\"" + "12345.678901234567890123456789").utf8)
            var end = -1
            let value = bytes.withUnsafeBufferPointer { ExactDecimal.parsingQuoted($0.baseAddress!, end: &end) }
            if let expected = Self.plainGrammar(text), expected.digits <= 18 {
                #expect(value?.mantissa == expected.mantissa, "\(text)")
                #expect(value.map { Int($0.scale) } == expected.scale, "\(text)")
                #expect(end == text.utf8.count, "\(text)")
            } else {
                #expect(value == nil, "\(text)")
            }
        }
    }

}
