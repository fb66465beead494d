import Foundation
import HFTCore
import HFTSimulator
import HFTStream
import Testing

/// Faults injected into the simulator over real sockets: the stream reports each incident as health events,
/// reconnects and resubscribes, and what it delivers afterwards is again the offline replay of the capture (every
/// new connection is served the recording from its beginning). Binance (one connection, subscribed by URL) unless a
/// test says otherwise. Reconnect delays are short (50 ms doubling to 400 ms, no jitter).
@Suite(.serialized) struct StreamFaultTests {
    static func fixture() throws -> ReplayFixture { try ReplayFixture(exchange: "binance", capture: "binance.jsonl") }

    /// The server closes the connections after the whole replay: the stream reconnects at once, resubscribes and
    /// gets the whole replay again, nothing lost, nothing doubled. Binance subscribes by URL; OKX by message (and
    /// is served its part of a two-market recording); Kraken by message on three connections. The stale timeout
    /// is long so that the silence after the replay ends closes nothing.
    @Test(arguments: [("binance", "binance.jsonl"), ("okx", "okx.jsonl"), ("kraken", "kraken.jsonl")])
    func droppedConnectionReconnectsResubscribesAndReplaysAgain(exchange: String, capture: String) async throws {
        let fixture = try ReplayFixture(exchange: exchange, capture: capture)
        let simulator = try fixture.simulator()
        defer { simulator.stop() }
        let stream = try fixture.stream(endpoint: simulator.baseURL)
        let observer = CollectingObserver()
        stream.bind(observer)
        try stream.start()
        let expected = fixture.expected
        #expect(await observer.wait { observer.count == expected.count }, "first replay: \(observer.count) of \(expected.count)")
        simulator.inject(.dropConnections)
        let recovered = await observer.wait { observer.count == 2 * expected.count }
        stream.stop()
        #expect(recovered, "after the drop: \(observer.count) of \(2 * expected.count); health: \(observer.healthText)")
        #expect(ReplayFixture.grouped(observer.events.withLock { $0 }) == ReplayFixture.grouped(expected + expected))
        // Each connection: dropped (closed by the server), reconnected, subscribed again.
        let health = observer.health.withLock { $0 }
        let connections = Set(health.map(\.connection).filter { !$0.isEmpty })
        #expect(connections.count == stream.plans.count)
        for connection in connections {
            let kinds = health.filter { $0.connection == connection }.map(\.kind)
            #expect(containsInOrder(kinds.map(\.name), ["connected", "subscribed", "disconnected", "reconnecting", "connecting",
                                                         "connected", "subscribed"]), "\(connection): \(kinds)")
            let reason = kinds.compactMap(\.disconnectReason).first ?? ""
            #expect(reason.contains("peer"), "\(connection): \(reason)")
        }
        #expect(simulator.sessionsServed == 2 * stream.plans.count)
    }

    /// A connection reaching its maximum lifetime is replaced without a gap: the new connection is opened first
    /// and the old one closed only when the new one has delivered its first frame. Over real sockets: `plannedReconnect`,
    /// no `disconnected` or `reconnecting` before the replacement took over, and every event of both connections'
    /// replays arrives (each new connection is served the recording from its start).
    @Test func lifetimeLimitReplacesTheConnectionWithoutAGap() async throws {
        let fixture = try Self.fixture()
        let simulator = try fixture.simulator()
        defer { simulator.stop() }
        let stream = try fixture.stream(endpoint: simulator.baseURL) { $0.maxLifetimeSeconds = 1 }
        let observer = CollectingObserver()
        stream.bind(observer)
        try stream.start()
        let expected = fixture.expected
        #expect(await observer.wait { observer.count == expected.count }, "first connection: \(observer.count) of \(expected.count)")
        let replaced = await observer.wait { observer.count == 2 * expected.count }
        stream.stop()
        #expect(replaced, "after the planned reconnect: \(observer.count) of \(2 * expected.count); health: \(observer.healthText)")
        #expect(ReplayFixture.grouped(observer.events.withLock { $0 }.prefix(2 * expected.count))
                == ReplayFixture.grouped(expected + expected))
        let kinds = observer.health.withLock { $0 }.map(\.kind.name)
        #expect(containsInOrder(kinds, ["connected", "subscribed", "plannedReconnect", "connecting", "connected", "subscribed"]),
                "\(kinds)")
        let switchover = kinds.firstIndex(of: "plannedReconnect") ?? kinds.count
        let secondSubscribed = kinds[switchover...].firstIndex(of: "subscribed") ?? kinds.count
        #expect(!kinds[..<secondSubscribed].contains("reconnecting"), "\(kinds)")
        #expect(!kinds[..<secondSubscribed].contains("stale"), "\(kinds)")
    }

    /// The server goes silent mid-replay (connection open, nothing sent): after the stale timeout the stream
    /// closes it, reports `stale`, reconnects and gets the recording from its start again. The simulator loops,
    /// so the feed is never silent but for the stall.
    @Test func stallBeyondTheStaleTimeoutReconnects() async throws {
        let fixture = try Self.fixture()
        let simulator = try fixture.simulator { $0.speed = 10; $0.loop = true }  // 30 s recording, gaps up to 0.13 s
        defer { simulator.stop() }
        let stream = try fixture.stream(endpoint: simulator.baseURL) { $0.staleAfterSeconds = 1.5 }
        let observer = CollectingObserver()
        stream.bind(observer)
        try stream.start()
        let expected = ReplayFixture.grouped(fixture.expected)
        #expect(await observer.wait { observer.count >= fixture.expected.count / 4 })
        simulator.inject(.stall)
        // Every session-1 event arrived long before `stale` (1.5 s of silence), so the events counted when the
        // observer got `stale` are exactly the first connection's.
        func staleMark() -> Int? {
            zip(observer.kinds, observer.eventsAtHealth.withLock { $0 }).first { $0.0.name == "stale" }?.1
        }
        func after() -> [String: [String]] {
            guard let mark = staleMark() else { return [:] }
            return ReplayFixture.grouped(observer.events.withLock { $0 }.dropFirst(mark))
        }
        // Recovered once every group was replayed in full after the stall.
        let recovered = await observer.wait { expected.allSatisfy { key, lines in (after()[key]?.count ?? 0) >= lines.count } }
        stream.stop()
        #expect(recovered, "health: \(observer.healthText)")
        let mark = try #require(staleMark())
        let before = ReplayFixture.grouped(observer.events.withLock { $0 }.prefix(mark))
        for (key, lines) in before { #expect(isCyclePrefix(lines, of: expected[key] ?? []), "before the stall: \(key)") }
        for (key, lines) in after() { #expect(isCyclePrefix(lines, of: expected[key] ?? []), "after the stall: \(key)") }
        let names = observer.kinds.map(\.name)
        #expect(containsInOrder(names, ["subscribed", "stale", "disconnected", "reconnecting", "connecting", "connected", "subscribed"]),
                "\(names)")
        let reason = observer.kinds.compactMap(\.disconnectReason).first ?? ""
        #expect(reason.hasPrefix("stale"), "\(reason)")
    }

    /// The server goes away (its port refuses connections) and comes back on the same port: the attempts in
    /// between fail and are reported with growing attempt numbers; the stream then gets the whole replay again.
    @Test func serverDownThenUpReconnects() async throws {
        let fixture = try Self.fixture()
        let first = try fixture.simulator()
        let port = first.port
        let stream = try fixture.stream(endpoint: first.baseURL)
        let observer = CollectingObserver()
        stream.bind(observer)
        try stream.start()
        defer { stream.stop() }
        let expected = fixture.expected
        #expect(await observer.wait { observer.count == expected.count })
        first.stop()
        // Down: at least two failed attempts.
        let failing = await observer.wait {
            observer.kinds.compactMap(\.disconnectReason).filter { $0.contains("connection error") }.count >= 2
        }
        #expect(failing, "health: \(observer.healthText)")
        // Up again on the same port (the old listening socket may take a moment to be released).
        var second: ExchangeSimulator?
        for _ in 0..<50 where second == nil {
            second = try? fixture.simulator { $0.port = port }
            if second == nil { usleep(100_000) }
        }
        let simulator = try #require(second, "cannot listen on port \(port) again")
        defer { simulator.stop() }
        let recovered = await observer.wait { observer.count == 2 * expected.count }
        #expect(recovered, "\(observer.count) of \(2 * expected.count); health: \(observer.healthText)")
        #expect(ReplayFixture.grouped(observer.events.withLock { $0 }) == ReplayFixture.grouped(expected + expected))
        let attempts = observer.kinds.compactMap { kind -> Int? in
            if case .reconnecting(_, let attempt) = kind { return attempt } else { return nil }
        }
        #expect(attempts.count >= 3 && attempts.prefix(3) == [2, 3, 4], "\(attempts)")
        let names = observer.kinds.map(\.name)
        #expect(containsInOrder(names, ["subscribed", "disconnected", "reconnecting", "disconnected", "reconnecting", "connected", "subscribed"]),
                "\(names)")
    }

    /// The server accepts connections and closes them at once for a while (an exchange shedding load): those
    /// connections delivered nothing, so they count as failures and the backoff grows; then service resumes.
    @Test func refusedConnectionsBackOffThenRecover() async throws {
        let fixture = try Self.fixture()
        let simulator = try fixture.simulator()
        defer { simulator.stop() }
        let stream = try fixture.stream(endpoint: simulator.baseURL)
        let observer = CollectingObserver()
        stream.bind(observer)
        try stream.start()
        let expected = fixture.expected
        #expect(await observer.wait { observer.count == expected.count })
        simulator.inject(.refuseConnections(seconds: 2))
        let recovered = await observer.wait { observer.count == 2 * expected.count }
        stream.stop()
        #expect(recovered, "\(observer.count) of \(2 * expected.count); health: \(observer.healthText)")
        #expect(ReplayFixture.grouped(observer.events.withLock { $0 }) == ReplayFixture.grouped(expected + expected))
        let attempts = observer.kinds.compactMap { kind -> Int? in
            if case .reconnecting(_, let attempt) = kind { return attempt } else { return nil }
        }
        #expect(attempts.count >= 3 && attempts.prefix(3) == [2, 3, 4], "\(attempts)")
    }

    /// Frames that are not JSON arrive mid-replay: each is counted and the count reported (first, then powers of
    /// two) with a sample, the connection stays up, and the frames around them still parse.
    @Test func garbageFramesAreReportedAndTheStreamGoesOn() async throws {
        let fixture = try Self.fixture()
        let simulator = try fixture.simulator { $0.speed = 10 }
        defer { simulator.stop() }
        let stream = try fixture.stream(endpoint: simulator.baseURL)
        let observer = CollectingObserver()
        stream.bind(observer)
        try stream.start()
        let expected = fixture.expected
        #expect(await observer.wait { observer.count >= 1 })
        for _ in 0..<3 { simulator.inject(.garbage) }
        let done = await observer.wait { observer.count == expected.count }
        stream.stop()
        #expect(done, "\(observer.count) of \(expected.count); health: \(observer.healthText)")
        #expect(ReplayFixture.grouped(observer.events.withLock { $0 }) == ReplayFixture.grouped(expected))
        let bad = observer.kinds.compactMap { kind -> (Int, String)? in
            if case .badFrames(let count, let sample) = kind { return (count, sample) } else { return nil }
        }
        #expect(bad.map(\.0) == [1, 2], "\(observer.healthText)")
        #expect(bad.first?.1.contains("garbage") == true)
        #expect(!observer.kinds.map(\.name).contains("disconnected"))
    }

    /// A frame larger than the stream accepts closes the connection with the reason; the stream reconnects and
    /// gets the whole replay again.
    @Test func oversizedFrameClosesAndReconnects() async throws {
        let fixture = try Self.fixture()
        let simulator = try fixture.simulator()
        defer { simulator.stop() }
        let stream = try fixture.stream(endpoint: simulator.baseURL) { $0.maxMessageBytes = 1 << 20 }
        let observer = CollectingObserver()
        stream.bind(observer)
        try stream.start()
        let expected = fixture.expected
        #expect(await observer.wait { observer.count == expected.count })
        simulator.inject(.oversized(bytes: 2 << 20))
        let recovered = await observer.wait { observer.count == 2 * expected.count }
        stream.stop()
        #expect(recovered, "\(observer.count) of \(2 * expected.count); health: \(observer.healthText)")
        #expect(ReplayFixture.grouped(observer.events.withLock { $0 }) == ReplayFixture.grouped(expected + expected))
        let reason = observer.kinds.compactMap(\.disconnectReason).first ?? ""
        #expect(reason.contains("too big"), "\(reason)")
        #expect(containsInOrder(observer.kinds.map(\.name), ["disconnected", "reconnecting", "connecting", "connected", "subscribed"]))
    }
}
