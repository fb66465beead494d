import CJSONMarks
import HFTAdapters
import Testing

/// `nextMember` reads a member in one step from 32 classified bytes, or falls back to the byte-wise walk. Both must
/// give what the plain walk (`nextKey`, then `scalar` or `skipValue`) gives, member by member, on any object (values
/// up to 70 bytes, so members both within and beyond the 32 bytes).
@Suite struct JSONScannerMemberTests {
    /// What one member reads as, independent of the path taken.
    enum Read: Equatable, CustomStringConvertible {
        case scalar(key: String, kind: JSONScalar.Kind, text: String)
        case container(key: String)

        var description: String {
            switch self {
            case .scalar(let k, let kind, let t): return "\(k)=\(kind):\(t)"
            case .container(let k): return "\(k)={…}"
            }
        }
    }

    /// The reference: the plain walk of the object at the start of `text`, and where it ends.
    static func plainWalk(_ bytes: UnsafeRawBufferPointer) throws -> ([Read], Int) {
        var s = JSONScanner(bytes)
        try s.beginObject()
        var first = true
        var out: [Read] = []
        while let key = try s.nextKey(first: &first) {
            let c = s.peek()
            if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                try s.skipValue()
                out.append(.container(key: key.string))
            } else {
                let v = try s.scalar()
                out.append(.scalar(key: key.string, kind: v.kind, text: v.span.string))
            }
        }
        return (out, s.offset)
    }

    /// The walk with `nextMember`; with `skipContainers` false, containers are skipped here, after the call.
    static func memberWalk(_ bytes: UnsafeRawBufferPointer, skipContainers: Bool) throws -> ([Read], Int) {
        var s = JSONScanner(bytes)
        try s.beginObject()
        var first = true
        var key = ByteSpan(base: s.base, count: 0)
        var value: JSONScalar? = nil
        var out: [Read] = []
        while let code = try s.nextMember(first: &first, key: &key, value: &value, skipContainers: skipContainers) {
            // The code is the key's: its bytes and the closing quote for keys of up to 7 bytes.
            let expected = key.count <= 7 && !key.string.contains("\\")
                ? (Array(key.raw) + [0x22]).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) }
                : JSONScanner.longKeyCode
            #expect(code == expected, "key \(key.string)")
            if let v = value {
                out.append(.scalar(key: key.string, kind: v.kind, text: v.span.string))
            } else {
                if !skipContainers {
                    let c = s.peek()
                    #expect(c == UInt8(ascii: "{") || c == UInt8(ascii: "["), "stands at the container of \(key.string)")
                    try s.skipValue()
                }
                out.append(.container(key: key.string))
            }
        }
        return (out, s.offset)
    }

    static func randomKey(_ rng: inout some RandomNumberGenerator) -> String {
        let pool = ["px", "sz", "ts", "side", "instId", "tradeId", "instType", "volCcy24h", "a", "", "k\\\"q", "é", "bidPx",
                    "price_percent_chg_24_h"]
        return pool.randomElement(using: &rng)!
    }

    static func randomValue(_ rng: inout some RandomNumberGenerator, depth: Int = 0) -> String {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return "\"\(String(repeating: "9", count: Int.random(in: 0...70, using: &rng)))\""
        case 1: return ["\"a\\\"b\\\\\"", "\"2026-08-09T21:05:48.2285688\\u0030Z\""].randomElement(using: &rng)!
        case 2: return String(Int.random(in: -99_999_999_999...99_999_999_999, using: &rng))
        case 3: return ["true", "false", "null", "-1.5e-3"].randomElement(using: &rng)!
        case 4 where depth < 2: return "{\"x\":\(randomValue(&rng, depth: depth + 1)),\"y\":[1,\"]\"]}"
        case 5 where depth < 2: return "[\(randomValue(&rng, depth: depth + 1)),{}]"
        default: return "\"\(["30227.6", "0.00000088", "BTC-USDT", "buy", "1652459235637", ""].randomElement(using: &rng)!)\""
        }
    }

    /// Random objects, compact or with whitespace in random places, with short and long keys and values, escapes
    /// and nested containers; followed by a random tail so members end at every distance from the buffer's end.
    @Test func readsEveryMemberAsThePlainWalkDoes() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<4_000 {
            let spaced = Int.random(in: 0..<4, using: &rng) == 0
            let ws = { (rng: inout SystemRandomNumberGenerator) -> String in spaced && Bool.random(using: &rng) ? " " : "" }
            var text = "{" + ws(&rng)
            for i in 0..<Int.random(in: 0...8, using: &rng) {
                if i > 0 { text += ws(&rng) + "," + ws(&rng) }
                text += "\"\(Self.randomKey(&rng))\"" + ws(&rng) + ":" + ws(&rng) + Self.randomValue(&rng)
            }
            text += ws(&rng) + "}" + String(repeating: " ", count: Int.random(in: 0...40, using: &rng))
            let bytes = Array(text.utf8)
            try bytes.withUnsafeBytes { buffer in
                let (reference, end) = try Self.plainWalk(buffer)
                for skip in [true, false] {
                    let (read, memberEnd) = try Self.memberWalk(buffer, skipContainers: skip)
                    #expect(read == reference, "\(text)")
                    #expect(memberEnd == end, "\(text)")
                }
            }
        }
    }

    /// Malformed members are reported as the plain walk reports them, never read as something else.
    @Test(arguments: [
        #"{"a":"x" "b":"y", "c":"0123456789012345678901234"}"#, #"{"a"::"x","b":"0123456789012345678901234567"}"#,
        #"{"a":x,"b":"012345678901234567890123456789"}"#, #"{"a":"x",}                               "#,
        #"{"a":1 "b":2,"c":"0123456789012345678901234567890"}"#,
    ])
    func malformedMembersThrow(text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { buffer in
            #expect(throws: FrameFailure.self) { _ = try Self.plainWalk(buffer) }
            #expect(throws: FrameFailure.self) { _ = try Self.memberWalk(buffer, skipContainers: true) }
        }
    }

    /// The SSE2 classification equals the portable loop on random bytes (biased to JSON's special bytes).
    @Test func vectorMarksEqualThePortableLoop() {
        var rng = SystemRandomNumberGenerator()
        let special: [UInt8] = [0x22, 0x5C, 0x2C, 0x7D, 0x5D, 0x7B, 0x5B, 0x20, 0x21, 0x1F, 0x00, 0x3A, 0xFF, 0x80, 0x9D]
        for _ in 0..<10_000 {
            let bytes = (0..<32).map { _ in Bool.random(using: &rng) ? special.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng) }
            bytes.withUnsafeBufferPointer { p in
                let v = hft_json_marks32(p.baseAddress!)
                let r = hft_json_marks32_portable(p.baseAddress!)
                #expect(v.quotes == r.quotes && v.slashes == r.slashes && v.enders == r.enders && v.spaces == r.spaces, "\(bytes)")
            }
        }
    }
}
