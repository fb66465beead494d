@testable import HFTIPC
import Testing

/// The duplicate window against the plain definition: "the last `capacity` distinct ids accepted", kept as an array.
@Suite struct CommandIDWindowTests {
    @Test(arguments: [1, 2, 3, 5, 8, 13, 64])
    func agreesWithANaiveWindow(capacity: Int) {
        var generator = SplitMix64(seed: UInt64(capacity))  // MarketDataHandCodecTests
        var window = CommandIDWindow(capacity: capacity, seed: generator.next())
        var model: [String] = []
        // Few distinct ids (many repeats, long probe clusters in the small table), 20 000 steps.
        let alphabet = capacity * 3 + 2
        for step in 0..<20_000 {
            let id = "sender_1702345678000000_\(generator.next() % UInt64(alphabet))"
            let expected = !model.contains(id)
            if expected {
                model.append(id)
                if model.count > capacity { model.removeFirst() }
            }
            let inserted = window.insert(id)
            #expect(inserted == expected, "step \(step), id \(id)")
            if window.count != model.count { Issue.record("count \(window.count) != \(model.count) at step \(step)"); return }
        }
        for i in 0..<alphabet {
            let id = "sender_1702345678000000_\(i)"
            #expect(window.contains(id) == model.contains(id), "\(id)")
        }
    }

    /// Ids of every length around the 8-byte hashing step, including non-ASCII and empty ones, are told apart.
    @Test func idsOfAnyLengthAreToldApart() {
        var window = CommandIDWindow(capacity: 1000)
        let ids = (0..<40).flatMap { n in [String(repeating: "a", count: n), String(repeating: "a", count: n) + "b", "é" + String(repeating: "z", count: n)] }
        for id in ids {
            let inserted = window.insert(id)
            #expect(inserted, "\(id)")
        }
        for id in ids {
            let again = window.insert(id)
            #expect(!again, "\(id)")
        }
    }
}
