import Foundation
import HFTAdapters
import HFTCapture
import HFTCore
import HFTExchanges
import Testing

/// A connection parses every frame into one batch that it empties after each (`EventBatch.removeAll()`), and the
/// batch keeps the level arrays of the book events it empties for the next ones. Over every bundled capture and
/// every adapter that reads it, a reused batch must give each frame exactly the events a fresh batch gives (no
/// level left over from an earlier frame, none lost), and book frames must take the arrays the batch kept.
@Suite struct ReusedBatchTests {
    @Test func aReusedBatchGivesEachFrameTheEventsOfAFreshOne() throws {
        let folder = try #require(Bundle.module.url(forResource: "Captures", withExtension: nil))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".jsonl") }.sorted()
        var bookFrames = 0
        var reusedArrays = 0
        for file in files {
            let capture = try Conformance.capture(file)
            for descriptor in ExchangeCatalog.all {
                let instruments = Conformance.instruments(capture, descriptor.adapter)
                guard !instruments.isEmpty, let adapter = try? descriptor.adapter.init(instruments: instruments) else { continue }
                var reused = EventBatch()
                var mismatches = 0
                for frame in capture.receivedFrames {
                    let bytes = Array(frame.data.utf8)
                    var fresh = EventBatch()
                    _ = bytes.withUnsafeBytes { adapter.parse($0, receiveTime: frame.time, into: &fresh) }
                    let kept = reused.keptLevelArrays
                    _ = bytes.withUnsafeBytes { adapter.parse($0, receiveTime: frame.time, into: &reused) }
                    let expected = fresh.events.map(EventJSON.encode)
                    let got = reused.events.map(EventJSON.encode)
                    if got != expected, mismatches < 3 {
                        mismatches += 1
                        Issue.record("\(descriptor.id) on \(file): a reused batch gave \(got.prefix(2)) instead of \(expected.prefix(2))")
                    }
                    if reused.events.contains(where: { if case .book = $0 { return true }; return false }) {
                        bookFrames += 1
                        reusedArrays += kept - reused.keptLevelArrays
                    }
                    reused.removeAll()
                }
            }
        }
        #expect(bookFrames > 1000)
        // Every book event starts both sides from kept arrays when there are any: nearly two per book frame.
        #expect(reusedArrays > bookFrames)
    }
}
