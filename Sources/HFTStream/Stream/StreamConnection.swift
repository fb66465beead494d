import Glibc
import HFTAdapters
import HFTCore
import HFTWebSocket

/// Drives one planned connection: executes its ``ConnectionMachine``'s actions on the lws service thread, parses
/// every message in place with the adapter and hands the events to the stream's observers.
///
/// Threading: created and used only on the stream's service thread.
final class StreamConnection: WebSocketHandler {
    unowned let stream: MarketStream
    let plan: ConnectionPlan
    let url: WebSocketURL
    var machine: ConnectionMachine
    var socket: WebSocketConnection?
    /// The connection this one replaces (planned reconnect): closed when this one delivers its first frame.
    var predecessor: StreamConnection?
    private(set) var retired = false
    private var batch = EventBatch()
    private var badFrames = 0

    init(stream: MarketStream, plan: ConnectionPlan, url: WebSocketURL, settings: ConnectionMachine.Settings) {
        self.stream = stream
        self.plan = plan
        self.url = url
        self.machine = ConnectionMachine(settings: settings)
    }

    static func monotonicNow() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    func start() { perform(machine.start(now: Self.monotonicNow())) }
    func tick() { perform(machine.tick(now: Self.monotonicNow(), backoff: stream.backoff)) }
    func stop() { perform(machine.stop()) }

    /// Book resync of one symbol: sends its unsubscribe then subscribe frames (the exchange answers with a new
    /// snapshot). When the connection is not open, nothing: its reconnect resubscribes everything anyway.
    func resend(unsubscribe: [String], subscribe: [String]) {
        guard let socket, socket.state == .open else { return }
        for frame in unsubscribe { socket.send(text: frame) }
        for frame in subscribe { socket.send(text: frame) }
    }

    /// Closes the connection so that it reconnects (and resubscribes everything) through its machine's backoff.
    func reconnect(reason: String) {
        guard let socket, socket.state == .open else { return }
        socket.close(reason: reason)
    }

    /// Ends this connection without reconnecting (it was replaced).
    func retire() {
        retired = true
        _ = machine.stop()
        stream.forget(self)
        socket?.close(reason: "replaced by a new connection")
    }

    func perform(_ actions: [ConnectionMachine.Action]) {
        for action in actions {
            switch action {
            case .connect:
                stream.options.rawFrameTap?.connecting(connection: plan.name, url: url.description, time: Timestamp.now())
                socket = stream.service?.connect(url, tls: stream.options.tls, permessageDeflate: offersDeflate, handler: self)
            case .subscribe:
                for frame in plan.subscribeFrames {
                    socket?.send(text: frame)
                    stream.options.rawFrameTap?.sent(connection: plan.name, text: frame, time: Timestamp.now())
                }
                machine.sent(now: Self.monotonicNow())
            case .ping:
                sendPing()
            case .close(let reason):
                if let socket, socket.state == .open || socket.state == .connecting {
                    socket.close(reason: reason)
                } else {
                    // Gone, or closing for longer than the machine's close timeout (lws never reported the end):
                    // give the socket up, so that its late callbacks reach nothing, and go on to the backoff.
                    // (Closing it again would do nothing, and the machine would ask on every tick, forever.)
                    socket?.handler = nil
                    socket = nil
                    webSocketDidClose(nil, reason: reason)
                }
            case .openReplacement:
                stream.replace(self)
            case .health(let kind):
                if kind == .stopped && retired { continue }
                stream.report(kind, connection: plan.name)
            }
        }
    }

    /// Whether the handshake offers permessage-deflate: the stream's override, else the spec's connection entry.
    private var offersDeflate: Bool {
        stream.options.permessageDeflate
            ?? stream.configuration.connections.contains { $0.permessageDeflate && plan.name.hasPrefix($0.name + "#") }
    }

    private func sendPing() {
        switch stream.configuration.heartbeat.ping {
        case .none: break
        case .frame: socket?.sendPing()
        case .text(let text): socket?.send(text: text)
        case .json(let template): socket?.send(text: template.render([:]))
        }
    }

    // MARK: WebSocketHandler

    func webSocketDidOpen(_ connection: WebSocketConnection) {
        perform(machine.opened(now: Self.monotonicNow()))
    }

    func webSocket(_ connection: WebSocketConnection, didReceive message: UnsafeRawBufferPointer, binary: Bool) {
        if machine.received(now: Self.monotonicNow()) {
            var backoff = stream.backoff
            perform(machine.subscribed(now: Self.monotonicNow(), backoff: &backoff))
            stream.backoff = backoff
            if let predecessor {
                predecessor.retire()
                self.predecessor = nil
            }
        }
        let receiveTime = Timestamp.now()
        stream.options.rawFrameTap?.received(connection: plan.name, frame: message, binary: binary, time: receiveTime)
        let outcome = stream.adapter.parse(message, receiveTime: receiveTime, into: &batch)
        if batch.count > 0 {
            batch.forEach { stream.deliver($0, from: self) }
            batch.removeAll(keepingLevels: stream.bookEventsComeBack)
        }
        switch outcome.disposition {
        case .data:
            break
        case .control(let control):
            if control == .error { stream.report(.exchangeError(String(decoding: message.prefix(300), as: UTF8.self)), connection: plan.name) }
        case .unrecognized, .failed:
            // Counted and surfaced: the first bad frame, then every power of two.
            badFrames += 1
            if isReportedCount(badFrames) {
                let sample = String(decoding: message.prefix(200), as: UTF8.self)
                stream.report(.badFrames(count: badFrames, sample: "\(outcome.disposition): \(sample)"), connection: plan.name)
            }
        }
    }

    func webSocketDidClose(_ connection: WebSocketConnection, reason: String) {
        webSocketDidClose(Optional(connection), reason: reason)
    }

    private func webSocketDidClose(_ connection: WebSocketConnection?, reason: String) {
        if connection != nil, connection === socket { socket = nil }
        var backoff = stream.backoff
        perform(machine.closed(reason: reason, now: Self.monotonicNow(), backoff: &backoff))
        stream.backoff = backoff
    }
}

/// Repeated problems are reported the first time, then at every power of two (2, 4, 8 …): visible, never a flood.
@inline(__always)
func isReportedCount(_ count: Int) -> Bool {
    count > 0 && count & (count - 1) == 0
}
