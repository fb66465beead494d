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
