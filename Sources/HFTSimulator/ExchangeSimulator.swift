public import HFTCore
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
        /// The spec whose adapters find the recording's book messages (nil: the specs named like the recorded
        /// exchange, `okx` → `okx` and `okx_swap`).
        public var exchange: ExchangeID?
        /// Book faults armed from the start: each hits one recorded delta, once (the first connection to serve it).
        public var bookFaults: [BookFrameFault] = []
        public init() {}
    }

    /// A fault on one book delta of one instrument: dropped, or sent with a wrong checksum.
    public struct BookFrameFault: Sendable, Equatable {
        public enum Kind: String, Sendable, Equatable {
            /// The delta is not sent (its connection goes on with the next frame).
            case drop = "drop-delta"
            /// The delta is sent with its checksum's last digit changed.
            case corruptChecksum = "corrupt-checksum"
        }
        public let kind: Kind
        public let instrument: Instrument
        /// Which of the instrument's recorded book deltas (1: the first), counted as connections serve them.
        public let delta: Int

        public init(_ kind: Kind, instrument: Instrument, delta: Int) {
            self.kind = kind
            self.instrument = instrument
            self.delta = max(1, delta)
        }
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
        /// The next book delta of `instrument` served on any connection is dropped or has its checksum corrupted.
        case bookDelta(BookFrameFault.Kind, instrument: Instrument)
    }

    public let script: SimulatorScript
    public let options: Options
    private let service: WebSocketService
    private var sessions: [SimulatorSession] = []  // service thread
    private var refuseUntil: Int64 = 0  // service thread
    private let servedCount = Atomic<Int>(0)
    private let bookFaultCount = Atomic<Int>(0)
    /// Armed book faults: kind, instrument, deltas of that instrument still to serve before the hit (service thread).
    private var armedBookFaults: [(kind: BookFrameFault.Kind, instrument: Instrument, remaining: Int)]
    /// Built at first need (service thread).
    private var booksIndex: SimulatorBooks?
    var books: SimulatorBooks {
        if let booksIndex { return booksIndex }
        let built = SimulatorBooks(script: script, exchange: options.exchange)
        booksIndex = built
        return built
    }

    /// Starts listening. - Throws: ``LWSError`` when the port is taken or the certificate is unusable.
    public init(script: SimulatorScript, options: Options = Options()) throws(LWSError) {
        self.script = script
        self.options = options
        armedBookFaults = options.bookFaults.map { ($0.kind, $0.instrument, $0.delta) }
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
            service.onHTTPRequest = { [self] _, path in answerHTTP(path) }
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

    /// Book faults applied so far (any thread).
    public var bookFaultsApplied: Int { bookFaultCount.load(ordering: .relaxed) }

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

    /// Whether book frames need looking at while replaying (faults armed).
    var hasArmedBookFaults: Bool { !armedBookFaults.isEmpty }

    /// The fault to apply to a book delta of `instrument` being served, if one is due (counts the delta).
    func takeBookFault(_ instrument: Instrument) -> BookFrameFault.Kind? {
        guard let i = armedBookFaults.firstIndex(where: { $0.instrument == instrument }) else { return nil }
        armedBookFaults[i].remaining -= 1
        guard armedBookFaults[i].remaining <= 0 else { return nil }
        let kind = armedBookFaults.remove(at: i).kind
        bookFaultCount.add(1, ordering: .relaxed)
        return kind
    }

    /// Plain HTTP: the recorded REST snapshot of the `symbol=` of the request, at the point the connection
    /// serving that book has reached (``SimulatorBooks/restSnapshot(_:recorded:served:)``); 404 otherwise.
    private func answerHTTP(_ path: String) -> (status: Int, contentType: String, body: [UInt8]) {
        let notFound = (404, "text/plain", Array("no recorded REST answer for \(path)\n".utf8))
        guard let symbol = path.firstMatch(of: /[?&]symbol=([A-Za-z0-9_\-]+)/)?.1.uppercased(),
              let record = script.httpRecords.first(where: {
                  SimulatorScript.pathAndQuery($0.url).split(separator: "?").first == path.split(separator: "?").first
                      && $0.url.firstMatch(of: /[?&]symbol=([A-Za-z0-9_\-]+)/)?.1.uppercased() == symbol })
        else { return notFound }
        guard let instrument = books.instrumentsByNative[symbol] else { return (200, "application/json", Array(record.body.utf8)) }
        var served: [String] = []
        if let session = sessions.last(where: { $0.servesBook(of: instrument) }), let recorded = session.recorded {
            let bookFrames = books.frames[recorded.name] ?? [:]
            for index in 0..<min(session.position, recorded.frames.count) where bookFrames[index]?.instrument == instrument {
                served.append(recorded.frames[index].text)
            }
        }
        return (200, "application/json", Array(books.restSnapshot(instrument, recorded: record.body, served: served).utf8))
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
        case .bookDelta(let kind, let instrument):
            armedBookFaults.append((kind, instrument, 1))
        }
    }
}
