#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HFTAdapters
import HFTCapture
import HFTCore
import HFTExchanges
import Testing

/// Cut and corrupted frames through every generated adapter, each frame placed so that its last byte is the last
/// readable byte before a page the process may not read: a parser that reads one byte past the frame crashes the
/// test instead of reading whatever follows in memory.
///
/// The subjects are the recorded frames of every bundled capture that each adapter recognizes, a few per message
/// kind (up to 64 KiB for cutting). Every prefix of each (sampled for long frames) must either fail, go unrecognized, or give exactly the
/// events of the whole frame (parsers stop reading once they have what they need, so a frame cut after that point
/// still parses). Single-byte corruptions must not crash and must report as many events as they deliver.
@Suite struct TruncatedFrameTests {
    /// Frames per message kind and capture.
    static let perKind = 2

    @Test func cutFramesFailOrGiveTheWholeFramesEvents() throws {
        let fence = GuardedBuffer(capacity: 1 << 24)
        var checked = 0
        for (adapter, frame) in try subjects() where frame.count <= 65_536 {
            let whole = events(adapter, frame, fence).events
            for length in Self.cuts(frame.count) {
                let cut = Array(frame[..<length])
                let (outcome, got) = events(adapter, cut, fence)
                if outcome.disposition == .data {
                    #expect(got == whole, "\(type(of: adapter)): the first \(length) of \(frame.count) bytes gave other events: \(String(decoding: cut, as: UTF8.self).prefix(200))")
                }
                checked += 1
            }
        }
        #expect(checked > 1000)
    }

    @Test func corruptedFramesReportWhatTheyDeliver() throws {
        let fence = GuardedBuffer(capacity: 1 << 24)
        let replacements: [UInt8] = Array("\"\\{}[],:0 -e".utf8)
        var checked = 0
        for (adapter, frame) in try subjects() where frame.count <= 4096 {
            for position in stride(from: 0, to: frame.count, by: max(1, frame.count / 256)) {
                for byte in replacements where frame[position] != byte {
                    var bad = frame
                    bad[position] = byte
                    let (outcome, got) = events(adapter, bad, fence)
                    #expect(outcome.events == got.count, "\(type(of: adapter)): \(outcome) with \(got.count) events delivered")
                    checked += 1
                }
            }
        }
        #expect(checked > 1000)
    }

    /// The lengths to cut a frame of `count` bytes to: all of them for short frames, about 300 spread over long
    /// ones plus the last 64.
    static func cuts(_ count: Int) -> [Int] {
        guard count > 700 else { return Array(0..<count) }
        return Array(Set(stride(from: 0, to: count, by: count / 300 + 1)).union((count - 64)..<count)).sorted()
    }

    /// The outcome of parsing `bytes` (placed right before the guard page) and the events as JSON lines.
    func events(_ adapter: any ExchangeAdapter, _ bytes: [UInt8], _ fence: GuardedBuffer) -> (outcome: FrameOutcome, events: [String]) {
        var batch = EventBatch()
        let outcome = fence.withFrame(bytes) { adapter.parse($0, receiveTime: Timestamp(nanosecondsSinceEpoch: 0), into: &batch) }
        return (outcome, batch.events.map(EventJSON.encode))
    }

    /// A few recognized frames of each kind, per adapter, from every bundled capture.
    func subjects() throws -> [(any ExchangeAdapter, [UInt8])] {
        let folder = try #require(Bundle.module.url(forResource: "Captures", withExtension: nil))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".jsonl") }.sorted()
        var out: [(any ExchangeAdapter, [UInt8])] = []
        for file in files {
            let capture = try Conformance.capture(file)
            for descriptor in ExchangeCatalog.all {
                let instruments = Conformance.instruments(capture, descriptor.adapter)
                guard !instruments.isEmpty, let adapter = try? descriptor.adapter.init(instruments: instruments) else { continue }
                var taken: [String: Int] = [:]
                for frame in capture.receivedFrames {
                    let bytes = Array(frame.data.utf8)
                    var batch = EventBatch()
                    let outcome = bytes.withUnsafeBytes { adapter.parse($0, receiveTime: frame.time, into: &batch) }
                    switch outcome.disposition {
                    case .data, .control: break
                    case .unrecognized, .failed: continue
                    }
                    let kind = "\(outcome.kind)"
                    guard taken[kind, default: 0] < Self.perKind else { continue }
                    taken[kind, default: 0] += 1
                    out.append((adapter, bytes))
                }
            }
        }
        #expect(out.count > 50)
        return out
    }
}

/// Memory whose end is followed by a page the process may not touch: a frame copied to the end of it has nothing
/// readable after its last byte.
final class GuardedBuffer {
    let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    let base: UnsafeMutableRawPointer
    let usable: Int

    init(capacity: Int) {
        usable = (capacity + pageSize - 1) / pageSize * pageSize
        let mapped = mmap(nil, usable + pageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        precondition(mapped != MAP_FAILED, "mmap failed")
        base = mapped!
        precondition(mprotect(base + usable, pageSize, PROT_NONE) == 0, "mprotect failed")
    }

    deinit { munmap(base, usable + pageSize) }

    /// Calls `body` with `bytes` copied so that they end where the guard page begins.
    func withFrame<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) -> R) -> R {
        precondition(bytes.count <= usable)
        let start = base + (usable - bytes.count)
        bytes.withUnsafeBytes { if let from = $0.baseAddress { start.copyMemory(from: from, byteCount: $0.count) } }
        return body(UnsafeRawBufferPointer(start: start, count: bytes.count))
    }
}
