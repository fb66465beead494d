public import HFTCore

/// The life of one exchange connection as a pure state machine: connecting → live → (stale | closed) → backoff →
/// connecting …, with heartbeats and a planned replacement at the maximum lifetime.
///
/// It performs no I/O and reads no clock: the driver (on the lws service thread) feeds it events with the current
/// time in nanoseconds and executes the returned actions in order. `received(now:)` is the per-frame call and
/// returns no array. Not thread-safe: one machine per connection, confined to the service thread.
public struct ConnectionMachine: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Close and reconnect when nothing arrives for this long on an open connection (nil: never).
        public var staleAfter: Int64?
        /// Send a ping when nothing was sent for this long (nil: no pings).
        public var pingInterval: Int64?
        /// Give up a connection attempt after this long.
        public var connectTimeout: Int64 = 10_000_000_000
        /// Open a replacement after this long (exchanges that cut connections after 24 h); nil: no limit.
        public var maxLifetime: Int64?

        public init(staleAfter: Int64? = nil, pingInterval: Int64? = nil, maxLifetime: Int64? = nil) {
            self.staleAfter = staleAfter
            self.pingInterval = pingInterval
            self.maxLifetime = maxLifetime
        }
    }

    public enum State: Sendable, Equatable {
        case idle
        case connecting(since: Int64, attempt: Int)
        case live(since: Int64)
        case closing(since: Int64)
        case backoff(until: Int64, since: Int64, attempt: Int)
        case stopped
    }

    public enum Action: Sendable, Equatable {
        /// Open the WebSocket connection.
        case connect
        /// Send the subscribe frames of this connection (after the handshake, or again after a reconnect).
        case subscribe
        /// Send the spec's ping (WebSocket ping frame, text or JSON ping).
        case ping
        /// Close the connection; `closed` follows.
        case close(reason: String)
        /// Open a second connection to take over from this one (planned reconnect at the maximum lifetime).
        case openReplacement
        case health(HealthEvent.Kind)
    }

    public let settings: Settings
    public private(set) var state: State = .idle
    public private(set) var lastReceive: Int64 = 0
    public private(set) var lastSend: Int64 = 0
    private var awaitingFirstFrame = false
    private var replacementRequested = false

    public init(settings: Settings) {
        self.settings = settings
    }

    public mutating func start(now: Int64) -> [Action] {
        guard state == .idle else { return [] }
        state = .connecting(since: now, attempt: 1)
        return [.health(.connecting(attempt: 1)), .connect]
    }

    /// The handshake completed. The connection counts as working (resetting the exchange's backoff) only once
    /// its first frame arrives (``subscribed(now:backoff:)``): a server that accepts and closes at once, as
    /// exchanges shedding load do, must meet a growing backoff, not a reconnect at the shortest delay forever.
    public mutating func opened(now: Int64) -> [Action] {
        guard case .connecting = state else { return [] }
        state = .live(since: now)
        lastReceive = now
        lastSend = now
        awaitingFirstFrame = true
        replacementRequested = false
        return [.health(.connected), .subscribe]
    }

    /// A frame arrived. True the first time after subscribing: the driver then calls ``subscribed(now:backoff:)``.
    @inline(__always)
    public mutating func received(now: Int64) -> Bool {
        lastReceive = now
        if awaitingFirstFrame {
            awaitingFirstFrame = false
            return true
        }
        return false
    }

    /// The first frame after subscribing arrived (``received(now:)`` returned true): the connection works, which
    /// resets the exchange's backoff and lets its other connections waiting in backoff retry at once.
    public mutating func subscribed(now: Int64, backoff: inout ReconnectBackoff) -> [Action] {
        guard case .live = state else { return [] }
        backoff.succeeded(now: now)
        return [.health(.subscribed)]
    }

    /// The driver sent something (subscriptions, pings).
    public mutating func sent(now: Int64) {
        lastSend = now
    }

    /// The connection closed or failed to open.
    public mutating func closed(reason: String, now: Int64, backoff: inout ReconnectBackoff) -> [Action] {
        switch state {
        case .stopped, .idle, .backoff:
            return []
        case .connecting, .live, .closing:
            let (delay, attempt) = backoff.failed()
            state = .backoff(until: now + delay, since: now, attempt: attempt)
            return [.health(.disconnected(reason: reason)), .health(.reconnecting(delayNanoseconds: delay, attempt: attempt))]
        }
    }

    /// Timers: connect timeout, stale feed, pings, lifetime, end of backoff. Call it periodically.
    public mutating func tick(now: Int64, backoff: ReconnectBackoff) -> [Action] {
        switch state {
        case .connecting(let since, _):
            if now - since > settings.connectTimeout {
                state = .closing(since: now)
                return [.close(reason: "connect timeout after \((now - since) / 1_000_000) ms")]
            }
        case .live(let since):
            if let stale = settings.staleAfter, now - lastReceive > stale {
                state = .closing(since: now)
                let silent = now - lastReceive
                return [.health(.stale(silentNanoseconds: silent)), .close(reason: "stale: nothing received for \(silent / 1_000_000) ms")]
            }
            var actions: [Action] = []
            if let interval = settings.pingInterval, now - lastSend >= interval {
                lastSend = now
                actions.append(.ping)
            }
            if let lifetime = settings.maxLifetime, now - since >= lifetime, !replacementRequested {
                replacementRequested = true
                actions += [.health(.plannedReconnect), .openReplacement]
            }
            return actions
        case .backoff(let until, let since, let attempt):
            // Another connection of the exchange got through since this one failed: try again now.
            if now >= until || backoff.lastSuccess > since {
                state = .connecting(since: now, attempt: attempt)
                return [.health(.connecting(attempt: attempt)), .connect]
            }
        case .closing(let since):
            // lws did not report the close: treat the connection as gone after the connect timeout.
            if now - since > settings.connectTimeout { return [.close(reason: "close timeout")] }
        case .idle, .stopped:
            break
        }
        return []
    }

    /// The user stopped the stream (no reconnects after this).
    public mutating func stop() -> [Action] {
        switch state {
        case .stopped:
            return []
        case .connecting, .live, .closing:
            state = .stopped
            return [.close(reason: "stopped"), .health(.stopped)]
        case .idle, .backoff:
            state = .stopped
            return [.health(.stopped)]
        }
    }
}
