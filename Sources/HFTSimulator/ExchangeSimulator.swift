public import HFTWebSocket
import Logging
import Synchronization

/// A local exchange: a real WebSocket server (libwebsockets' server role, on loopback) that serves a capture.
///
/// Each client connection is served the part of a recorded connection it asks for through its URL and subscribe
/// messages (``SimulatorScript`` states the rules); those frames are replayed with their recorded pacing scaled by
/// `speed`, or as fast as the socket takes them. Every new connection (a reconnect included) starts from the
/// beginning of the recording. Text pings (`ping`, `{"event":"ping"}`) are answered as exchanges do; lws
/// answers WebSocket pings. Faults can be injected at any time from any thread (``inject(_:)``).
///
/// Threading: the server runs on its own service thread; the public methods are callable from any thread.
public final class ExchangeSimulator: @unchecked Sendable {
    public struct Options: Sendable {
        public var port = 0
        /// Replay speed relative to the recording (2 = twice as fast); nil: as fast as possible.
        public var speed: Double? = 1
        /// Start over at the end of the recording.
        public var loop = false
        /// A client that asks for only part of a recording is served once no subscribe message arrived for this
        /// long (seconds): it may send several.
        public var subscribeSettleSeconds = 0.5
        public var certificatePath: String?
        public var privateKeyPath: String?
        /// Accept permessage-deflate (RFC 7692) from clients that offer it, as exchanges do.
        public var acceptsPermessageDeflate = true
        /// At most this many frames wait in a connection's send queue when replaying at full speed (back-pressure:
        /// a looping replay must not queue without bound).
        public var maxQueuedFrames = 4096
        public init() {}
    }

    public enum Fault: Sendable, Equatable {
        /// Close every open connection now.
        case dropConnections
        /// Keep the open connections open but send nothing more on them (a silent stall); connections made
        /// afterwards are served normally.
        case stall
        /// Send a frame that is not JSON on every open connection.
        case garbage
        /// Send one frame of this many bytes on every open connection.
        case oversized(bytes: Int)
        /// Close the open connections, and new ones as soon as their handshake completes, for this many seconds.
        case refuseConnections(seconds: Double)
    }

    public let script: SimulatorScript
    public let options: Options
    private let service: WebSocketService
    private var sessions: [SimulatorSession] = []  // service thread
    private var refuseUntil: Int64 = 0  // service thread
    private let servedCount = Atomic<Int>(0)

    /// Starts listening. - Throws: ``LWSError`` when the port is taken or the certificate is unusable.
    public init(script: SimulatorScript, options: Options = Options()) throws(LWSError) {
        self.script = script
        self.options = options
        var serviceOptions = WebSocketService.Options(name: "simulator", listenPort: options.port)
        serviceOptions.serverCertificatePath = options.certificatePath
        serviceOptions.serverPrivateKeyPath = options.privateKeyPath
        serviceOptions.tickMicroseconds = 1_000
        serviceOptions.maxMessageBytes = 64 << 20
        serviceOptions.acceptsPermessageDeflate = options.acceptsPermessageDeflate
        service = try WebSocketService(options: serviceOptions)
        service.execute { [self] service in
            service.onAccept = { [self] _, connection in accept(connection) }
            service.onTick = { [self] _ in tick() }
        }
    }

    /// The port clients connect to.
    public var port: Int { service.listeningPort }

    /// `ws://127.0.0.1:<port>` (or `wss://`).
    public var baseURL: String { "\(options.certificatePath == nil ? "ws" : "wss")://127.0.0.1:\(port)" }

    /// Connections that were matched to a recording and replayed (any thread).
    public var sessionsServed: Int { servedCount.load(ordering: .relaxed) }

    /// Applies `fault` to the connections open when the service thread runs it (any thread).
    public func inject(_ fault: Fault) {
        service.execute { [self] _ in apply(fault) }
    }

    /// Closes every connection and stops listening (any thread but the service thread; idempotent).
    public func stop() { service.shutdown() }

    // MARK: service thread

    private func accept(_ connection: WebSocketConnection) {
        let now = SimulatorSession.monotonicNow()
        if now < refuseUntil {
            connection.close(reason: "refused (simulated outage)")
            return
        }
        let session = SimulatorSession(connection: connection, simulator: self)
        sessions.append(session)
        connection.handler = session
        session.accepted()
    }

    func started(_ session: SimulatorSession) { servedCount.add(1, ordering: .relaxed) }

    func ended(_ session: SimulatorSession) {
        sessions.removeAll { $0 === session }
    }

    private func tick() {
        let now = SimulatorSession.monotonicNow()
        for session in sessions { session.tick(now: now) }
    }

    private func apply(_ fault: Fault) {
        switch fault {
        case .dropConnections:
            for session in sessions { session.connection.close(reason: "dropped (simulated fault)") }
        case .stall:
            for session in sessions { session.stalled = true }
        case .garbage:
            for session in sessions { session.connection.send(text: "\u{1}garbage{[") }
        case .oversized(let bytes):
            let payload = "[\"" + String(repeating: "x", count: max(0, bytes - 4)) + "\"]"
            for session in sessions { session.connection.send(text: payload) }
        case .refuseConnections(let seconds):
            refuseUntil = SimulatorSession.monotonicNow() + Int64(seconds * 1e9)
            for session in sessions { session.connection.close(reason: "dropped (simulated outage)") }
        }
    }
}
