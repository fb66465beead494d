import Foundation
import HFTAdapters
import HFTCapture
import HFTCore
import HFTExchanges
import HFTSimulator
import HFTStream
import Synchronization

/// Collects what an observer receives (called on its consumer thread; read by the test thread).
final class CollectingObserver: StreamObserver, @unchecked Sendable {
    let events = Mutex<[String]>([])
    /// Health events, each with the number of market events this observer had received when it arrived (both are
    /// delivered on the one consumer thread).
    let health = Mutex<[HealthEvent]>([])
    let eventsAtHealth = Mutex<[Int]>([])
    func onEvent(_ event: MarketEvent) {
        let line = ReplayFixture.line(event)
        events.withLock { $0.append(line) }
    }
    func onHealth(_ event: HealthEvent) {
        let count = count
        eventsAtHealth.withLock { $0.append(count) }
        health.withLock { $0.append(event) }
    }
    var count: Int { events.withLock { $0.count } }
    var kinds: [HealthEvent.Kind] { health.withLock { $0.map(\.kind) } }
    var healthText: String { health.withLock { $0.map(\.description).joined(separator: "; ") } }

    /// Polls until `condition` holds or `seconds` pass.
    /// Sleeps with `Task.sleep`, so that waiting does not hold a thread of the cooperative pool: on a 2-core
    /// machine two blocked tests would starve every async test running beside them.
    func wait(seconds: Double = 30, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}

/// A capture, the stream parameters that fit it, and the truth: its offline replay as event lines.
struct ReplayFixture {
    static let capturesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ExchangeConformanceTests/Captures")

    let capture: CaptureFile
    let exchange: ExchangeID
    let instruments: [Instrument]
    let channels: [Channel]
    /// The offline replay of the capture through the exchange's adapter (receive times removed).
    let expected: [String]

    init(exchange name: String, capture file: String) throws {
        capture = try CaptureFile(contentsOf: Self.capturesFolder.appendingPathComponent(file))
        guard let id = ExchangeID(rawValue: name), let descriptor = ExchangeCatalog.descriptor(for: id) else {
            throw HFTError(.configuration, "no spec for \(name)")
        }
        exchange = id
        let configuration = descriptor.adapter.configuration
        instruments = capture.instruments.filter { configuration.nativeSymbol($0) != nil }
        channels = Array(Set(configuration.channels.keys)).sorted()
        let adapter = try descriptor.adapter.init(instruments: instruments)
        var replay = CaptureReplay()
        replay.tallyOtherMarkets = instruments.count < capture.instruments.count
        var lines: [String] = []
        replay.run(capture, adapter: adapter) { lines.append(Self.line($0)) }
        expected = lines
    }

    /// An event as compared in tests: its JSON line without the receive time.
    static func line(_ event: MarketEvent) -> String {
        EventJSON.encode(event).replacing(/,"receiveTime":[0-9]+/, with: "")
    }

    func simulator(_ configure: (inout ExchangeSimulator.Options) -> Void = { _ in }) throws -> ExchangeSimulator {
        var options = ExchangeSimulator.Options()
        options.speed = nil
        configure(&options)
        return try ExchangeSimulator(script: SimulatorScript(capture: capture), options: options)
    }

    /// A stream to `endpoint` with short reconnect delays (no jitter), `configure` applied last.
    ///
    /// No stale timeout unless `configure` sets one: a recording ends, and under a loaded parallel test run the
    /// spec's timeout (5 s for Coinbase) could pass before the observer has counted every event; the stream would
    /// then reconnect and be served the recording again, and the test would see every event twice.
    func stream(endpoint: String, _ configure: (inout MarketStream.Options) -> Void = { _ in }) throws -> MarketStream {
        var options = MarketStream.Options()
        options.endpoint = endpoint
        options.staleAfterSeconds = 600
        options.reconnect = ReconnectConfiguration(backoffSeconds: [0.05, 0.1, 0.2, 0.4], jitter: 0)
        configure(&options)
        return try MarketStream(exchange: exchange, instruments: instruments, channels: channels, options: options)
    }

    /// Event lines grouped by their `"channel"` and `"symbol"` members, keeping order within a group (connections
    /// and observer queues interleave differently than the recording; within a group the order is the feed's).
    static func grouped(_ lines: some Sequence<String>) -> [String: [String]] {
        var groups: [String: [String]] = [:]
        for line in lines {
            let kind = line.firstMatch(of: /"channel":"([^"]+)"/)?.1 ?? ""
            let instrument = line.firstMatch(of: /"symbol":"([^"]+)"/)?.1 ?? ""
            groups["\(kind) \(instrument)", default: []].append(line)
        }
        return groups
    }
}

extension HealthEvent.Kind {
    /// The case's name, for order checks.
    var name: String {
        switch self {
        case .connecting: return "connecting"
        case .connected: return "connected"
        case .subscribed: return "subscribed"
        case .exchangeError: return "exchangeError"
        case .disconnected: return "disconnected"
        case .reconnecting: return "reconnecting"
        case .stale: return "stale"
        case .plannedReconnect: return "plannedReconnect"
        case .bookInvalid: return "bookInvalid"
        case .bookResynced: return "bookResynced"
        case .overflow: return "overflow"
        case .badFrames: return "badFrames"
        case .stopped: return "stopped"
        }
    }

    var disconnectReason: String? {
        if case .disconnected(let reason) = self { return reason }
        return nil
    }
}

/// True when `names` contains `wanted` in this order (other names may come between), from `start` on.
func containsInOrder(_ names: [String], _ wanted: [String], from start: Int = 0) -> Bool {
    var next = 0
    for name in names.dropFirst(start) where next < wanted.count && name == wanted[next] { next += 1 }
    return next == wanted.count
}

/// True when `lines` is `cycle` repeated, possibly cut short (a replay that loops, or stopped mid-way).
func isCyclePrefix(_ lines: [String], of cycle: [String]) -> Bool {
    guard !cycle.isEmpty else { return lines.isEmpty }
    return lines.indices.allSatisfy { lines[$0] == cycle[$0 % cycle.count] }
}

/// True when `lines` appear in `sequence` in the same order (others may be missing between them).
func isSubsequence(_ lines: [String], of sequence: [String]) -> Bool {
    var iterator = sequence.makeIterator()
    return lines.allSatisfy { line in
        while let next = iterator.next() { if next == line { return true } }
        return false
    }
}
