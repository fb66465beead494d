import Foundation
@testable import HFTBook
import Testing

/// The identity checksum verification rests on: the CRC-32 of a concatenation from its parts' CRCs and lengths
/// (``CRC32Combine``), against the CRC-32 of the bytes written out (itself checked against zlib's values in
/// ChecksumTests), with the CPU's carry-less multiply and with the portable loop.
@Suite struct CRC32CombineTests {
    static func raw(_ bytes: [UInt8]) -> UInt32 { CRC32.advance(0, bytes) }
    static func crc(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { CRC32.checksum($0) } }

    @Test(arguments: [false, true])
    func partsCombineToTheCRCOfTheirConcatenation(portable: Bool) {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let parts = (0..<Int.random(in: 0...50, using: &rng)).map { _ in
                (0..<Int.random(in: 0...100, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
            let combined = CRC32Combine.checksum(ofParts: parts.map { (Self.raw($0), $0.count) }, portable: portable)
            #expect(combined == Self.crc(parts.flatMap { $0 }))
        }
    }

    /// The ends of the multiplier table: nothing at all, one byte, and the longest text covered.
    @Test(arguments: [false, true])
    func extremeLengths(portable: Bool) {
        #expect(CRC32Combine.checksum(ofParts: [], portable: portable) == 0)
        #expect(CRC32Combine.checksum(ofParts: [(Self.raw(Array("1".utf8)), 1)], portable: portable) == 0x83DC_EFB7)  // zlib.crc32(b"1")
        let long = (0..<CRC32Combine.maxLength).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let parts = stride(from: 0, to: long.count, by: 128).map { Array(long[$0..<min($0 + 128, long.count)]) }
        #expect(CRC32Combine.checksum(ofParts: parts.map { (Self.raw($0), $0.count) }, portable: portable) == Self.crc(long))
    }

    /// When the CPU has PCLMULQDQ (as the kernel reports it in /proc/cpuinfo), verification uses it.
    @Test func usesTheCarrylessMultiplyInstructionWhenTheCPUHasIt() throws {
        #if arch(x86_64) && os(Linux)
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ") ?? []
        #expect(CRC32Combine.isHardware == flags.contains("pclmulqdq"))
        #endif
    }
}
