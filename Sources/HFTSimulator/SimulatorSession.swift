import Glibc
import HFTCore
import HFTWebSocket

/// One client connection of the simulator: collects what the client asks for (URL streams, subscribe messages),
/// picks the recorded connection that serves it, then replays the part of it the client asked for
/// (``SimulatorScript`` states the rules).
///
/// Replay starts at once when the URL carries the subscriptions or when the messages cover everything the
/// recording subscribed to; a client asking for only a part starts once no subscribe message arrived for
/// ``ExchangeSimulator/Options/subscribeSettleSeconds`` (it may send several). Later subscribe messages widen
/// what is served from then on.
///
/// Threading: the simulator's service thread only.
final class SimulatorSession: WebSocketHandler {
    let connection: WebSocketConnection
    unowned let simulator: ExchangeSimulator
    private(set) var recorded: SimulatorScript.RecordedConnection?
    /// What the client asked for so far (lowercased keys).
    private(set) var request: Set<String> = []
    /// When a partial subscription is taken as complete (monotonic ns), while waiting.
    private var settleDeadline: Int64?
    private var startTime: Int64 = 0
    private var next = 0
    private var replaying = false
    var stalled = false
    /// Books the client unsubscribed (not served until it subscribes again).
    private var unsubscribedBooks: Set<Instrument> = []

    /// How far the replay has come: frames before this index were served (or skipped).
    var position: Int { next }

    /// True when this connection serves the book frames of `instrument` (service thread).
    func servesBook(of instrument: Instrument) -> Bool {
        guard replaying, let recorded, !unsubscribedBooks.contains(instrument),
              let keys = simulator.books.bookKeys[recorded.name]?[instrument] else { return false }
        return keys.isSubset(of: request)
    }

    init(connection: WebSocketConnection, simulator: ExchangeSimulator) {
        self.connection = connection
        self.simulator = simulator
    }

    static func monotonicNow() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// The connection was accepted: a URL that carries subscriptions (or a recording that needs none) starts the
    /// replay at once.
    func accepted() {
        request = SimulatorScript.keys(pathAndQuery: connection.requestPath)
        if let match = simulator.script.match(request, pathAndQuery: connection.requestPath),
           !request.isEmpty || match.keys.isEmpty {
            startReplay(match)
        }
    }

    private func startReplay(_ recording: SimulatorScript.RecordedConnection) {
        guard !replaying else { return }
        recorded = recording
        replaying = true
        settleDeadline = nil
        startTime = Self.monotonicNow()
        next = 0
        simulator.started(self)
        tick(now: startTime)
    }

    func tick(now: Int64) {
        if !replaying, let deadline = settleDeadline, now >= deadline {
            settleDeadline = nil
            if let match = simulator.script.match(request, pathAndQuery: connection.requestPath) { startReplay(match) }
        }
        guard replaying, !stalled, let recorded, connection.state == .open else { return }
        let elapsed = now - startTime
        while next < recorded.frames.count {
            let frame = recorded.frames[next]
            if let speed = simulator.options.speed, Double(frame.offset) / speed > Double(elapsed) { break }
            if connection.pendingMessages >= simulator.options.maxQueuedFrames { break }
            if recorded.serves(frame, to: request) {
                if simulator.hasArmedBookFaults || !unsubscribedBooks.isEmpty,
                   let book = simulator.books.frames[recorded.name]?[next] {
                    if unsubscribedBooks.contains(book.instrument) {
                        next += 1
                        continue
                    }
                    if !book.isSnapshot, let fault = simulator.takeBookFault(book.instrument) {
                        switch fault {
                        case .drop:
                            next += 1
                            continue
                        case .corruptChecksum:
                            connection.send(text: SimulatorBooks.corruptingChecksum(frame.text, book.checksum) ?? frame.text)
                            next += 1
                            continue
                        }
                    }
                }
                connection.send(text: frame.text)
            }
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
        if stalled { return }  // a stalled server sends nothing, pongs included (lws still answers ping frames)
        if text == "ping" {
            connection.send(text: "pong")
            return
        }
        if SimulatorScript.canonical(text).contains("\"event\":\"ping\"") {
            connection.send(text: #"{"event":"pong"}"#)
            return
        }
        let keys = SimulatorScript.keys(subscription: text)
        if replaying, let recorded {
            resubscribe(keys, recorded)
            return
        }
        request.formUnion(keys)
        if let match = simulator.script.match(request, pathAndQuery: connection.requestPath), match.isCovered(by: request) {
            startReplay(match)
        } else {
            settleDeadline = Self.monotonicNow() + Int64(simulator.options.subscribeSettleSeconds * 1e9)
        }
    }

    /// A (un)subscribe message while replaying: an unsubscribe stops the books it names; a subscribe to a book
    /// is answered as exchanges do, with a fresh snapshot: the recording's latest snapshot of that instrument
    /// before the replay position, then every recorded delta of it since (all of them, faulted ones included),
    /// at once; the replay then goes on. Other keys widen what is served.
    private func resubscribe(_ keys: Set<String>, _ recorded: SimulatorScript.RecordedConnection) {
        let books = simulator.books
        let named = (books.bookKeys[recorded.name] ?? [:]).filter { !$0.value.isEmpty && $0.value.isSubset(of: keys) }.map(\.key)
        if keys.contains("unsubscribe") {
            unsubscribedBooks.formUnion(named)
            return
        }
        request.formUnion(keys)
        let frames = books.frames[recorded.name] ?? [:]
        for instrument in named {
            unsubscribedBooks.remove(instrument)
            let passed = (0..<min(next, recorded.frames.count)).filter { frames[$0]?.instrument == instrument }
            guard let start = passed.lastIndex(where: { frames[$0]?.isSnapshot == true }) else { continue }
            for index in passed[start...] { connection.send(text: recorded.frames[index].text) }
        }
    }

    func webSocketDidClose(_ connection: WebSocketConnection, reason: String) {
        replaying = false
        simulator.ended(self)
    }
}
