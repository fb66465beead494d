import CJSONMarks
import HFTAdapters
import Testing

/// `skipValue` passes over containers 32 bytes at a time (brackets outside strings, found by the quotes' prefix
/// XOR) and walks blocks with backslashes byte by byte. Random nested values whose length is known by
/// construction check that it ends exactly after the value, wherever strings, escapes and brackets fall relative
/// to the blocks, and that a cut value is an error.
@Suite struct JSONScannerSkipTests {
    static func randomString(_ rng: inout some RandomNumberGenerator) -> String {
        let pieces = ["a", "]", "[", "}", "{", ",", "\\\"", "\\\\", "30238.8", "\\u0041", " ", "\"x\":"]
        let body = (0..<Int.random(in: 0...12, using: &rng)).map { _ -> String in
            let piece = pieces.randomElement(using: &rng)!
            return piece == "\"x\":" ? "\\\"x\\\":" : piece  // a quote inside a string is always escaped
        }.joined()
        return "\"" + body + "\""
    }

    static func randomValue(_ rng: inout some RandomNumberGenerator, depth: Int) -> String {
        switch depth >= 4 ? Int.random(in: 0..<3, using: &rng) : Int.random(in: 0..<7, using: &rng) {
        case 0: return randomString(&rng)
        case 1: return ["0", "-12.5e3", "true", "false", "null", "1582905487.684110"].randomElement(using: &rng)!
        case 2: return "\"" + String(repeating: "7", count: Int.random(in: 0...40, using: &rng)) + "\""
        case 3, 4:
            let items = (0..<Int.random(in: 0...5, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) }
            return "[" + items.joined(separator: Bool.random(using: &rng) ? "," : " , ") + "]"
        default:
            let members = (0..<Int.random(in: 0...4, using: &rng)).map { _ in randomString(&rng) + ":" + randomValue(&rng, depth: depth + 1) }
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    @Test func endsRightAfterTheValue() throws {
        var rng = SystemRandomNumberGenerator()
        var long = 0
        for _ in 0..<20_000 {
            let value = Self.randomValue(&rng, depth: 0)
            let tail = [",\"k\":1}", "]", "", String(repeating: " ", count: 40), "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"].randomElement(using: &rng)!
            let bytes = Array((value + tail).utf8)
            if value.utf8.count > 64 { long += 1 }
            // A number or literal with nothing after it ends a cut frame (frames are objects or arrays).
            let cutScalar = tail.isEmpty && !(value.first == "[" || value.first == "{" || value.first == "\"")
            try bytes.withUnsafeBytes { buffer in
                var s = JSONScanner(buffer)
                if cutScalar {
                    #expect(throws: FrameFailure.self, "\(value)") { try s.skipValue() }
                } else {
                    try s.skipValue()
                    #expect(s.offset == value.utf8.count, "\(value + tail)")
                }
            }
            // Cut inside a container: an error, never a skip past the buffer.
            if value.first == "[" || value.first == "{", value.utf8.count > 2 {
                let cut = Array(value.utf8.prefix(Int.random(in: 1..<value.utf8.count, using: &rng)))
                cut.withUnsafeBytes { buffer in
                    var s = JSONScanner(buffer)
                    #expect(throws: FrameFailure.self, "\(String(decoding: cut, as: UTF8.self))") { try s.skipValue() }
                }
            }
        }
        #expect(long > 2_000, "values longer than two blocks must be common")
    }

    @Test func nestingClassesMatchThePortableLoop() {
        var rng = SystemRandomNumberGenerator()
        // Brackets, and bytes one bit away from them (the vector path folds 0x20 only).
        let alphabet = Array("\"\\[]{}a0 ,:".utf8) + [0xFB, 0xDB, 0xFD, 0x5A, 0x7F]
        for _ in 0..<5_000 {
            let bytes = (0..<32).map { _ in alphabet.randomElement(using: &rng)! }
            bytes.withUnsafeBufferPointer { p in
                let v = hft_json_nesting32(p.baseAddress!)
                let r = hft_json_nesting32_portable(p.baseAddress!)
                #expect(v.quotes == r.quotes && v.slashes == r.slashes && v.opens == r.opens && v.closes == r.closes, "\(bytes)")
            }
        }
    }
}
