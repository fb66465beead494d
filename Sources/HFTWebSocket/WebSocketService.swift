import CLibWebSockets
import Foundation
import Logging
import Synchronization

/// One libwebsockets context running on its own service thread: client connections, and optionally a listening
/// server (the exchange simulator).
///
/// Threading: lws is single-threaded. Every connection is created, written and closed on the service thread, and
/// every handler callback runs there. Other threads hand work over with ``execute(_:)`` (a lock-protected inbox
/// plus `lws_cancel_service()`), which is the only method callable from any thread besides ``shutdown()``.
/// A periodic tick (``Options/tickMicroseconds``) drives timers (heartbeats, stale detection, backoff).
public final class WebSocketService: @unchecked Sendable {
    public struct Options: Sendable {
        /// For thread names and logs.
        public var name: String
        /// Listen on this loopback port (0: any free port) with the server role; nil: client only.
        public var listenPort: Int?
        /// PEM certificate and key for a `wss://` server.
        public var serverCertificatePath: String?
        public var serverPrivateKeyPath: String?
        /// Reject text frames that are not valid UTF-8 (on by default).
        public var validateUTF8 = true
        /// Initialize OpenSSL for this context: needed for `wss://` clients and a server with a certificate. It
        /// loads the system CA store, which costs tens of milliseconds and about 200 000 allocations per context;
        /// a context that only speaks `ws://` (the simulator, loopback) can skip it.
        public var tls = true
        /// Messages larger than this close the connection (`message too big`).
        public var maxMessageBytes = 16 << 20
        /// Period of ``WebSocketService/onTick``.
        public var tickMicroseconds: Int64 = 100_000
        /// Server role: accept permessage-deflate (RFC 7692) when a client offers it. Client connections offer it
        /// only when ``WebSocketService/connect(_:tls:permessageDeflate:handler:)`` asks for it.
        public var acceptsPermessageDeflate = false

        public init(name: String, listenPort: Int? = nil) {
            self.name = name
            self.listenPort = listenPort
        }
    }

    public let options: Options
    let logger: Logger
    /// Set on the service thread; read from there (and by `shutdown` after the thread ended).
    var context: OpaquePointer?
    private let inbox = Mutex<[@Sendable (WebSocketService) -> Void]>([])
    private let finished = Mutex<Bool>(false)
    private let started = DispatchSemaphore(value: 0)
    private let ended = DispatchSemaphore(value: 0)
    private var startError: String?
    private var running = true
    private var protocols: UnsafeMutablePointer<lws_protocols>?
    private var protocolName: UnsafeMutablePointer<CChar>?
    private var extensions: UnsafeMutablePointer<lws_extension>?
    /// Connections on which lws instantiated permessage-deflate, until their ESTABLISHED callback (service thread).
    var deflating: Set<OpaquePointer> = []
    private let timer = UnsafeMutablePointer<hft_timer>.allocate(capacity: 1)
    private var connections: [ObjectIdentifier: WebSocketConnection] = [:]
    /// The port the server listens on (after `init`), when it has the server role.
    public private(set) var listeningPort: Int = 0

    /// Runs on the service thread every tick, with the current time. Set before or from the service thread.
    public var onTick: ((WebSocketService) -> Void)?
    /// Receives connections accepted by the server role. Set it before clients can connect.
    public var onAccept: ((WebSocketService, WebSocketConnection) -> Void)?
    /// Runs on the service thread after each service round (one poll and the callbacks of everything it found
    /// ready: typically every message of one socket read), e.g. to hand a round's work to other threads at once.
    /// Set before or from the service thread.
    public var onServiced: ((WebSocketService) -> Void)?
    /// Server role: answers plain HTTP requests (not WebSocket upgrades) with `(status, content type, body)`,
    /// given the request's path and query (`/api/v3/depth?symbol=BTCUSDT&limit=1000`). Nil: 404 for everything.
    /// Runs on the service thread; set before clients can connect.
    public var onHTTPRequest: ((WebSocketService, String) -> (status: Int, contentType: String, body: [UInt8]))?
    /// HTTP requests in flight (client role), by their opaque user-data pointer (service thread).
    var httpRequests: [UnsafeMutableRawPointer: HTTPRequest] = [:]
    /// Server role: response bodies waiting for their connection to become writable (service thread).
    var httpResponses: [OpaquePointer: [UInt8]] = [:]

    /// Creates the context on a new service thread and waits until it is running.
    /// - Throws: ``LWSError`` when the context cannot be created (port in use, bad certificate).
    public init(options: Options) throws(LWSError) {
        self.options = options
        var logger = Logger(label: "hftkit.websocket")
        logger[metadataKey: "service"] = "\(options.name)"
        self.logger = logger
        timer.initialize(to: hft_timer())
        let thread = Thread { [unowned self] in self.serviceThreadMain() }
        thread.name = "lws-\(options.name)"
        thread.start()
        started.wait()
        if let startError {
            ended.wait()
            throw LWSError(message: startError)
        }
    }

    deinit {
        timer.deallocate()
    }

    /// Runs `work` on the service thread, soon. Callable from any thread; never blocks on lws.
    public func execute(_ work: @escaping @Sendable (WebSocketService) -> Void) {
        let accepted = finished.withLock { done -> Bool in
            if done { return false }
            inbox.withLock { $0.append(work) }
            return true
        }
        if accepted, let context { lws_cancel_service(context) }
    }

    /// Closes every connection, stops the service thread and waits for it. Callable from any thread but the
    /// service thread; calling it twice is harmless.
    public func shutdown() {
        let first = finished.withLock { done -> Bool in
            if done { return false }
            inbox.withLock { $0.append { service in service.running = false } }
            return true
        }
        guard first else { return }
        if let context { lws_cancel_service(context) }
        ended.wait()
    }

    // MARK: service thread

    private func serviceThreadMain() {
        let name = strdup("hft")!
        protocolName = name
        let protos = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 2)
        protos.initialize(repeating: lws_protocols(), count: 2)
        protos[0].name = UnsafePointer(name)
        protos[0].callback = hftServiceCallback
        protos[0].rx_buffer_size = 65536
        protocols = protos
        // permessage-deflate is installed for every context and negotiated per connection: clients offer it only
        // when they ask for it (CLIENT_CONFIRM_EXTENSION_SUPPORTED), servers accept it only when their options say
        // so (CONFIRM_EXTENSION_OKAY).
        let exts = UnsafeMutablePointer<lws_extension>.allocate(capacity: 2)
        exts.initialize(repeating: lws_extension(), count: 2)
        exts[0].name = UnsafePointer(strdup("permessage-deflate"))
        exts[0].callback = hftDeflateExtension
        exts[0].client_offer = UnsafePointer(strdup("permessage-deflate; client_max_window_bits"))
        extensions = exts

        var info = lws_context_creation_info()
        info.options = options.tls ? hft_lws_option_do_ssl_global_init() : 0
        if options.validateUTF8 { info.options |= hft_lws_option_validate_utf8() }
        info.protocols = UnsafePointer(protos)
        info.extensions = UnsafePointer(exts)
        info.user = Unmanaged.passUnretained(self).toOpaque()
        let iface = strdup("127.0.0.1")
        let cert = options.serverCertificatePath.map { strdup($0) } ?? nil
        let key = options.serverPrivateKeyPath.map { strdup($0) } ?? nil
        defer {
            free(iface)
            free(cert)
            free(key)
        }
        if let port = options.listenPort {
            info.port = Int32(port)
            info.iface = UnsafePointer(iface)
            info.ssl_cert_filepath = UnsafePointer(cert)
            info.ssl_private_key_filepath = UnsafePointer(key)
        } else {
            info.port = hft_lws_context_port_no_listen()
        }
        guard let ctx = lws_create_context(&info) else {
            startError = "lws_create_context failed for \(options.name) (port in use or bad certificate; lws logs why)"
            started.signal()
            ended.signal()
            return
        }
        context = ctx
        if options.listenPort != nil, let vhost = lws_get_vhost_by_name(ctx, "default") {
            listeningPort = Int(lws_get_vhost_listen_port(vhost))
        }
        timer.pointee.user = Unmanaged.passUnretained(self).toOpaque()
        timer.pointee.fire = hftServiceTimerFired
        hft_timer_schedule(ctx, timer, options.tickMicroseconds)
        started.signal()

        while running {
            if lws_service(ctx, 0) < 0 { break }
            onServiced?(self)
        }
        for connection in Array(connections.values) { connection.closeNow(reason: "service shutting down") }
        for request in Array(httpRequests.values) {
            // lws destroys the connection with the context: it must not find a pointer to a freed request.
            if let wsi = request.wsi { lws_set_opaque_user_data(wsi, nil) }
            request.didFail("service shutting down")
        }
        httpRequests.removeAll()
        httpResponses.removeAll()
        hft_timer_cancel(ctx, timer)
        lws_context_destroy(ctx)
        context = nil
        protos.deallocate()
        free(name)
        free(UnsafeMutableRawPointer(mutating: exts[0].name))
        free(UnsafeMutableRawPointer(mutating: exts[0].client_offer))
        exts.deallocate()
        deflating.removeAll()
        // Work handed over after shutdown began is dropped: nothing can run it any more. The callbacks go too
        // (they usually capture their owner, which owns this service).
        inbox.withLock { $0.removeAll() }
        onTick = nil
        onAccept = nil
        onServiced = nil
        onHTTPRequest = nil
        ended.signal()
    }

    /// Runs the inbox (service thread).
    func drainInbox() {
        let work = inbox.withLock { items -> [@Sendable (WebSocketService) -> Void] in
            let taken = items
            items.removeAll(keepingCapacity: true)
            return taken
        }
        for item in work { item(self) }
    }

    func timerFired() {
        onTick?(self)
        if let context, running { hft_timer_schedule(context, timer, options.tickMicroseconds) }
    }

    func register(_ connection: WebSocketConnection) { connections[ObjectIdentifier(connection)] = connection }
    func unregister(_ connection: WebSocketConnection) { connections[ObjectIdentifier(connection)] = nil }

    /// Opens a client connection (service thread only). Events go to `handler`; `connection.close()` ends it.
    /// With `permessageDeflate` the handshake offers RFC 7692 compression; whether the server took it is
    /// ``WebSocketConnection/permessageDeflate`` once the connection is open.
    public func connect(
        _ url: WebSocketURL, tls: TLSVerification = .full, permessageDeflate: Bool = false, handler: any WebSocketHandler
    ) -> WebSocketConnection {
        let connection = WebSocketConnection(service: self, handler: handler, url: url)
        connection.offersPermessageDeflate = permessageDeflate
        guard let context else {
            connection.didClose(reason: "service stopped")
            return connection
        }
        if url.secure && !options.tls {
            connection.didClose(reason: "\(url) needs TLS, and this service was created without it (Options.tls)")
            return connection
        }
        register(connection)
        var info = lws_client_connect_info()
        info.context = context
        info.port = Int32(url.port)
        info.ietf_version_or_minus_one = -1
        info.opaque_user_data = Unmanaged.passUnretained(connection).toOpaque()
        info.local_protocol_name = UnsafePointer(protocolName)
        if url.secure { info.ssl_connection = clientTLSFlags(tls, for: "\(url)") }
        let wsi: OpaquePointer? = url.host.withCString { host in
            url.path.withCString { path in
                info.address = host
                info.host = host
                info.origin = host
                info.path = path
                return lws_client_connect_via_info(&info)
            }
        }
        if wsi == nil {
            // lws reports most failures through CLIENT_CONNECTION_ERROR; a nil here means it did not even start.
            if connection.state != .closed { connection.didClose(reason: "connect failed to start") }
        } else if connection.wsi == nil, connection.state != .closed {
            connection.wsi = wsi
        }
        return connection
    }

    /// `ssl_connection` flags of a TLS client connection (WebSocket or HTTP): verification unless `tls` opts out.
    private func clientTLSFlags(_ tls: TLSVerification, for url: String) -> Int32 {
        var flags = Int32(LCCSCF_USE_SSL.rawValue)
        if tls == .insecureAllowSelfSigned {
            logger.warning("TLS verification disabled for \(url) (local testing only)")
            flags |= Int32(LCCSCF_ALLOW_SELFSIGNED.rawValue | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK.rawValue
                           | LCCSCF_ALLOW_EXPIRED.rawValue | LCCSCF_ALLOW_INSECURE.rawValue)
        }
        return flags
    }

    /// Starts an HTTP GET (client role, service thread only): TLS as for WebSocket connections (`tls`; a
    /// service created without ``Options/tls`` cannot fetch `https://`). `completion` runs once on the service
    /// thread with the response (any status) or the failure.
    @discardableResult
    public func get(
        _ url: HTTPURL, tls: TLSVerification = .full, maxBodyBytes: Int = 16 << 20,
        completion: @escaping (Result<HTTPResponse, HTTPRequestError>) -> Void
    ) -> HTTPRequest {
        let request = HTTPRequest(url: url, maxBodyBytes: maxBodyBytes, completion: completion)
        guard let context else {
            request.didFail("service stopped")
            return request
        }
        if url.secure && !options.tls {
            request.didFail("\(url) needs TLS, and this service was created without it (Options.tls)")
            return request
        }
        let key = Unmanaged.passUnretained(request).toOpaque()
        httpRequests[key] = request
        var info = lws_client_connect_info()
        info.context = context
        info.port = Int32(url.port)
        info.opaque_user_data = key
        info.local_protocol_name = UnsafePointer(protocolName)
        if url.secure { info.ssl_connection = clientTLSFlags(tls, for: "\(url)") }
        let wsi: OpaquePointer? = url.host.withCString { host in
            url.path.withCString { path in
                "GET".withCString { method in
                    "http/1.1".withCString { alpn in
                        info.address = host
                        info.host = host
                        info.origin = host
                        info.path = path
                        info.method = method
                        info.alpn = alpn
                        return lws_client_connect_via_info(&info)
                    }
                }
            }
        }
        if wsi == nil {
            httpRequests[key] = nil
            request.didFail("connect failed to start")
        } else if request.wsi == nil, !request.isFinished {
            request.wsi = wsi
        }
        return request
    }

    /// The HTTP request whose opaque user data is `pointer`, if it is one (service thread).
    func httpRequest(_ pointer: UnsafeMutableRawPointer?) -> HTTPRequest? {
        guard let pointer, !httpRequests.isEmpty else { return nil }
        return httpRequests[pointer]
    }

    func forget(_ request: HTTPRequest) {
        httpRequests[Unmanaged.passUnretained(request).toOpaque()] = nil
    }
}
