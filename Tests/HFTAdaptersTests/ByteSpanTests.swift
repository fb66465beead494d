import HFTAdapters
import Testing

/// `ByteSpan.equals`, `hasPrefix` and `hasSuffix` compare with overlapping word loads; Swift's own array
/// equality is the truth, over every length from 0 to 40 and a difference at every position.
@Suite struct ByteSpanTests {
    static let literals: [StaticString] = [
        "", "a", "ts", "sym", "side", "askPx", "bidPx_", "channel", "tradeId!", "instType1",
        "volCcy24h_volCcy", "0123456789abcdef0", "0123456789abcdef0123456789abcdef012345678",
    ]

    static func bytes(_ s: StaticString) -> [UInt8] {
        Array(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @Test func equalsAgreesWithArrayEquality() {
        for literal in Self.literals {
            let truth = Self.bytes(literal)
            // The literal itself, every one-byte change, and every shorter and longer neighbour.
            var candidates: [[UInt8]] = [truth, truth + [0x61], Array(truth.dropLast()), Array(truth.dropFirst())]
            for i in truth.indices {
                var changed = truth
                changed[i] ^= 0x01
                candidates.append(changed)
            }
            for candidate in candidates {
                candidate.withUnsafeBufferPointer { buffer in
                    let span = ByteSpan(base: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: buffer.count)
                    #expect(span.equals(literal) == (candidate == truth), "\(candidate) vs \(literal)")
                    #expect(span.hasPrefix(literal) == (candidate.starts(with: truth)))
                    #expect(span.hasSuffix(literal) == (Array(candidate.reversed()).starts(with: truth.reversed())))
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
import HFTCore

/// `ByteSpan.decimal()` first tries `plainDecimal16` (SSE2, reading up to 15 bytes before the span inside its memory
/// page). Whatever it accepts, the general parser reads to the same mantissa and scale; at the start of a page
/// that follows an unreadable one it declines (reading there would crash the test) and the general parser reads it.
@Suite struct PlainDecimal16Tests {
    @Test func acceptsWhatTheParserReadsTheSame() throws {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("01234567890123456789..-e+ x")
        var accepted = 0
        for _ in 0..<30_000 {
            let text = String((0..<Int.random(in: 1...20, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            let bytes = Array(#"{"price":""#.utf8) + Array(text.utf8) + Array(#""}"#.utf8)
            try bytes.withUnsafeBufferPointer { buffer in
                let span = ByteSpan(base: buffer.baseAddress! + 10, count: text.utf8.count)
                let general = try? ExactDecimal(parsing: span.raw)
                if let fast = span.plainDecimal16() {
                    accepted += 1
                    let truth = try #require(general, "accepted what the parser rejects: \(text)")
                    #expect(fast.isIdentical(to: truth), "\(text)")
                }
                #expect((try? span.decimal()).map { d in general.map { d.isIdentical(to: $0) } ?? false } ?? (general == nil), "\(text)")
            }
        }
        #expect(accepted > 500)
    }

    @Test func declinesAtAPagesStartAfterAnUnreadablePage() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let mapped = try #require(mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        defer { munmap(mapped, 2 * page) }
        #expect(mprotect(mapped, page, PROT_NONE) == 0)
        let start = (mapped + page).assumingMemoryBound(to: UInt8.self)
        for text in ["1", "65083.67", "0.20371215", "123456789012345"] {
            let bytes = Array(text.utf8)
            // The span's last byte is 0…15 bytes into the readable page: at most the first byte of the page.
            for shift in 0..<(16 - bytes.count) {
                for (i, b) in bytes.enumerated() { start[shift + i] = b }
                let span = ByteSpan(base: UnsafePointer(start + shift), count: bytes.count)
                if shift + bytes.count < 16 { #expect(span.plainDecimal16() == nil, "\(text) at \(shift)") }
                #expect(try span.decimal().isIdentical(to: ExactDecimal(text)), "\(text) at \(shift)")
            }
        }
    }
}
