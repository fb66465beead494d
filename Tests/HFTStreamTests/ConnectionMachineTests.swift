import HFTCore
import HFTStream
import Testing

/// The connection state machine, driven by hand with explicit times (no sockets, no clock).
@Suite struct ConnectionMachineTests {
    let ms: Int64 = 1_000_000
    func backoff() -> ReconnectBackoff { ReconnectBackoff(delays: [500_000_000, 1_000_000_000, 2_000_000_000], jitter: 0) }

    @Test func connectsSubscribesAndReportsFirstFrame() {
        var b = backoff()
        var m = ConnectionMachine(settings: .init(staleAfter: 5_000 * ms))
        #expect(m.start(now: 0) == [.health(.connecting(attempt: 1)), .connect])
        #expect(m.opened(now: 10 * ms) == [.health(.connected), .subscribe])
        #expect(m.received(now: 20 * ms) == true)
        #expect(m.subscribed(now: 20 * ms, backoff: &b) == [.health(.subscribed)])
        #expect(m.received(now: 30 * ms) == false)
        #expect(m.tick(now: 4_000 * ms, backoff: b) == [])
    }

    @Test func aSilentConnectionIsStaleThenBacksOffAndReconnects() {
        var b = backoff()
        var m = ConnectionMachine(settings: .init(staleAfter: 5_000 * ms))
        _ = m.start(now: 0)
        _ = m.opened(now: 0)
        _ = m.received(now: 1_000 * ms)
        #expect(m.tick(now: 6_000 * ms, backoff: b) == [])  // 5.0 s silent: not yet more than the limit
        let stale = m.tick(now: 6_001 * ms, backoff: b)
        #expect(stale.first == .health(.stale(silentNanoseconds: 5_001 * ms)))
        #expect(stale.count == 2)
        let closed = m.closed(reason: "stale", now: 6_002 * ms, backoff: &b)
        #expect(closed == [.health(.disconnected(reason: "stale")), .health(.reconnecting(delayNanoseconds: 500 * ms, attempt: 2))])
        #expect(m.tick(now: 6_400 * ms, backoff: b) == [])
        #expect(m.tick(now: 6_502 * ms, backoff: b) == [.health(.connecting(attempt: 2)), .connect])
        // Opening resubscribes.
        #expect(m.opened(now: 6_600 * ms) == [.health(.connected), .subscribe])
    }

    @Test func backoffGrowsWithConsecutiveFailuresAndIsSharedAcrossConnections() {
        var b = backoff()
        var first = ConnectionMachine(settings: .init())
        var second = ConnectionMachine(settings: .init())
        _ = first.start(now: 0)
        _ = second.start(now: 0)
        #expect(first.closed(reason: "refused", now: 1 * ms, backoff: &b).last == .health(.reconnecting(delayNanoseconds: 500 * ms, attempt: 2)))
        // The second connection's failure counts after the first one's: it waits longer.
        #expect(second.closed(reason: "refused", now: 2 * ms, backoff: &b).last == .health(.reconnecting(delayNanoseconds: 1_000 * ms, attempt: 3)))
        // The first retries and gets through: the second, still in backoff, retries at once.
        #expect(first.tick(now: 501 * ms, backoff: b) == [.health(.connecting(attempt: 2)), .connect])
        _ = first.opened(now: 510 * ms)
        _ = first.received(now: 515 * ms)
        _ = first.subscribed(now: 515 * ms, backoff: &b)
        #expect(second.tick(now: 520 * ms, backoff: b) == [.health(.connecting(attempt: 3)), .connect])
        #expect(b.consecutiveFailures == 0)
    }

    /// A server that accepts and closes at once (load shedding) delivers nothing: each such connection is a
    /// failure, so the wait grows instead of staying at the shortest delay.
    @Test func aConnectionClosedBeforeItsFirstFrameCountsAsAFailure() {
        var b = backoff()
        var m = ConnectionMachine(settings: .init())
        _ = m.start(now: 0)
        #expect(m.opened(now: 1 * ms) == [.health(.connected), .subscribe])
        #expect(m.closed(reason: "closed by peer", now: 2 * ms, backoff: &b).last == .health(.reconnecting(delayNanoseconds: 500 * ms, attempt: 2)))
        #expect(m.tick(now: 502 * ms, backoff: b) == [.health(.connecting(attempt: 2)), .connect])
        _ = m.opened(now: 503 * ms)
        #expect(m.closed(reason: "closed by peer", now: 504 * ms, backoff: &b).last == .health(.reconnecting(delayNanoseconds: 1_000 * ms, attempt: 3)))
        // Once a frame arrives the connection works: the next failure starts again at the shortest delay.
        _ = m.tick(now: 1_504 * ms, backoff: b)
        _ = m.opened(now: 1_505 * ms)
        let first = m.received(now: 1_506 * ms)
        #expect(first)
        _ = m.subscribed(now: 1_506 * ms, backoff: &b)
        #expect(m.closed(reason: "closed by peer", now: 1_507 * ms, backoff: &b).last == .health(.reconnecting(delayNanoseconds: 500 * ms, attempt: 2)))
    }

    @Test func jitterStaysWithinItsFraction() {
        var b = ReconnectBackoff(delays: [1_000 * ms], jitter: 0.2, seed: 42)
        var seen = Set<Int64>()
        for _ in 0..<200 {
            let d = b.failed().delay
            #expect(d >= 1_000 * ms && d <= 1_200 * ms)
            seen.insert(d)
        }
        #expect(seen.count > 100)
    }

    @Test func pingsWhenIdleAndPlansAReplacementAtMaxLifetime() {
        let b = backoff()
        var m = ConnectionMachine(settings: .init(staleAfter: 30_000 * ms, pingInterval: 20_000 * ms, maxLifetime: 60_000 * ms))
        _ = m.start(now: 0)
        _ = m.opened(now: 0)
        for t in stride(from: Int64(1_000), through: 19_000, by: 1_000) { _ = m.received(now: t * ms) }
        #expect(m.tick(now: 19_999 * ms, backoff: b) == [])
        #expect(m.tick(now: 20_000 * ms, backoff: b) == [.ping])
        _ = m.received(now: 59_000 * ms)
        #expect(m.tick(now: 60_000 * ms, backoff: b) == [.ping, .health(.plannedReconnect), .openReplacement])
        #expect(m.tick(now: 60_100 * ms, backoff: b) == [])  // asked once
    }

    @Test func connectTimeoutAndStop() {
        var b = backoff()
        var m = ConnectionMachine(settings: .init())
        _ = m.start(now: 0)
        #expect(m.tick(now: 10_001 * ms, backoff: b).first == .close(reason: "connect timeout after 10001 ms"))
        _ = m.closed(reason: "timeout", now: 10_002 * ms, backoff: &b)
        #expect(m.stop() == [.health(.stopped)])
        #expect(m.tick(now: 99_000 * ms, backoff: b) == [])
        #expect(m.closed(reason: "late", now: 99_001 * ms, backoff: &b) == [])
    }
}
