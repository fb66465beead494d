import Glibc
import HFTWebSocket

/// One client connection of the simulator: waits for its subscriptions, then replays its recorded connection.
///
/// Threading: the simulator's service thread only.
final class SimulatorSession: WebSocketHandler {
    let connection: WebSocketConnection
    unowned let simulator: ExchangeSimulator
    private(set) var recorded: SimulatorScript.RecordedConnection?
    private var subscriptionsSeen: Set<String> = []
    private var strings: Set<String> = []
    private var startTime: Int64 = 0
    private var next = 0
    private var replaying = false
    var stalled = false

    init(connection: WebSocketConnection, simulator: ExchangeSimulator) {
        self.connection = connection
        self.simulator = simulator
    }

    static func monotonicNow() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Matched by URL: replay at once.
    func begin(_ recording: SimulatorScript.RecordedConnection) {
        recorded = recording
        startReplay()
    }

    private func startReplay() {
        guard !replaying else { return }
        replaying = true
        startTime = Self.monotonicNow()
        next = 0
        simulator.started(self)
        tick(now: startTime)
    }

    func tick(now: Int64) {
        guard replaying, !stalled, let recorded, connection.state == .open else { return }
        let elapsed = now - startTime
        while next < recorded.frames.count {
            let frame = recorded.frames[next]
            if let speed = simulator.options.speed, Double(frame.offset) / speed > Double(elapsed) { break }
            if connection.pendingMessages >= simulator.options.maxQueuedFrames { break }
            connection.send(text: frame.text)
            next += 1
        }
        if next == recorded.frames.count, simulator.options.loop {
            next = 0
            startTime = now
        }
    }

    func webSocketDidOpen(_ connection: WebSocketConnection) {}

    func webSocket(_ connection: WebSocketConnection, didReceive message: UnsafeRawBufferPointer, binary: Bool) {
        let text = String(decoding: message, as: UTF8.self)
        if text == "ping" {
            connection.send(text: "pong")
            return
        }
        let canonical = SimulatorScript.canonical(text)
        if canonical.contains("\"event\":\"ping\"") {
            connection.send(text: #"{"event":"pong"}"#)
            return
        }
        subscriptionsSeen.insert(canonical)
        strings.formUnion(SimulatorScript.strings(in: text))
        if let recording = simulator.matchSubscription(text, for: self) {
            recorded = recording
            if Set(recording.subscriptions).isSubset(of: subscriptionsSeen) { startReplay() }
        } else if recorded == nil, let recording = simulator.matchSubscription(strings: strings, for: self) {
            recorded = recording
            startReplay()
        }
    }

    func webSocketDidClose(_ connection: WebSocketConnection, reason: String) {
        replaying = false
        simulator.ended(self)
    }
}
