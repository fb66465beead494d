import Foundation
import HFTAdapters
import Testing

/// `rootTailScalars` reads the last elements of a root array backwards; Foundation's JSONSerialization,
/// reading forwards, is the truth it is checked against on generated arrays full of escapes.
@Suite struct JSONScannerTailTests {
    /// Element texts that are hard to delimit from the end: escaped quotes, backslashes before the closing
    /// quote, brackets and commas inside strings, numbers, literals, containers.
    static let elements: [String] = [
        #""XBT/USD""#, #""""#, #""a\"b""#, #""\\""#, #""x\\\"y""#, #""\\\\""#, #"",]\"[""#, #""book-10""#,
        "0", "-12.5e+3", "1E9", "true", "false", "null", "1664",
        #"{"a":["5.1",0]}"#, "[]", #"[["1","2"]]"#, #"{"k":"]"}"#,
        // Longer than a word, for the eight-bytes-at-a-time backward search: escapes in every position.
        #""a longer text with \" an escaped quote, \\ a backslash and \\\" both""#, #""0123456789\"abcdefgh\\""#,
        #""\"\"\"\"\"\"\"\"\"""#,
    ]

    @Test func lastScalarsMatchAForwardParse() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let count = Int.random(in: 0...6, using: &generator)
            let parts = (0..<count).map { _ in Self.elements.randomElement(using: &generator)! }
            let space = Bool.random(using: &generator) ? " " : ""
            let text = space + "[" + parts.joined(separator: "," + space) + space + "]" + space
            let decoded = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) as! [Any]
            let n = Int.random(in: 1...4, using: &generator)
            var bytes = Array(text.utf8)
            try bytes.withUnsafeMutableBytes { buffer in
                let s = JSONScanner(UnsafeRawBufferPointer(buffer))
                var ends = (-1, -1, -1, -1)
                let read = s.rootTailScalars(n, into: &ends)
                let lastParts = parts.suffix(n)
                let allScalars = lastParts.allSatisfy { !$0.hasPrefix("{") && !$0.hasPrefix("[") }
                #expect(read == allScalars, "\(text) n=\(n)")
                guard read else { return }
                let offsets = [ends.0, ends.1, ends.2, ends.3]
                for k in 0..<4 {
                    guard k < n, k < decoded.count else {
                        #expect(offsets[k] == -1, "\(text) element -\(k + 1) absent")
                        continue
                    }
                    var t = JSONScanner(base: s.base, count: s.count, offset: offsets[k])
                    let raw = try t.scalar().span.string
                    let expected = parts[parts.count - 1 - k]
                    #expect(raw == (expected.hasPrefix("\"") ? String(expected.dropFirst().dropLast()) : expected),
                            "\(text) element -\(k + 1)")
                    if let string = decoded[decoded.count - 1 - k] as? String {
                        // The raw span, unescaped by Foundation, is the string Foundation read forwards.
                        let unescaped = try JSONSerialization.jsonObject(with: Data("\"\(raw)\"".utf8), options: [.fragmentsAllowed])
                        #expect(unescaped as? String == string, "\(text) element -\(k + 1)")
                    }
                }
            }
        }
    }

    @Test func framesThatAreNotArraysAreLeftToTheForwardWalk() {
        for text in [#"{"a":1}"#, "", "   ", #"["a","b""#, #"["a"]x"#, #"x"a"]"#, #""a"]"#] {
            var bytes = Array(text.utf8)
            let read = bytes.withUnsafeMutableBytes { buffer in
                var ends = (-1, -1, -1, -1)
                return JSONScanner(UnsafeRawBufferPointer(buffer)).rootTailScalars(2, into: &ends)
            }
            #expect(!read, "\(text)")
        }
    }

    @Test func skipRestLeavesTheContainerBeingRead() throws {
        let json = #"{"a":{"b":1,"c":[2,"}"],"d":{"e":null}},"z":3}"#
        var bytes = Array(json.utf8)
        try bytes.withUnsafeMutableBytes { buffer in
            var s = JSONScanner(UnsafeRawBufferPointer(buffer))
            try s.beginObject()
            var first = true
            #expect(try s.nextKey(first: &first)?.string == "a")
            try s.beginObject()
            var inner = true
            #expect(try s.nextKey(first: &inner)?.string == "b")
            _ = try s.scalar()
            try s.skipRest()
            #expect(try s.nextKey(first: &first)?.string == "z")
            #expect(try s.scalar().span.string == "3")
        }
    }
}
