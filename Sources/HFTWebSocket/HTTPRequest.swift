import CLibWebSockets

/// An `http://` or `https://` URL split the way libwebsockets wants it.
public struct HTTPURL: Sendable, Equatable, CustomStringConvertible {
    public let secure: Bool
    public let host: String
    public let port: Int
    /// Path with query, always starting with `/`.
    public let path: String

    /// Parses `http://host[:port][/path][?query]` or `https://…`; nil for anything else.
    public init?(_ text: String) {
        let secure = text.hasPrefix("https://")
        guard secure || text.hasPrefix("http://") else { return nil }
        // The authority and path rules are the WebSocket URL's.
        guard let url = WebSocketURL((secure ? "wss://" : "ws://") + text.dropFirst(secure ? 8 : 7)) else { return nil }
        self.secure = secure
        host = url.host
        port = url.port
        path = url.path
    }

    public var description: String {
        let defaultPort = secure ? 443 : 80
        return "\(secure ? "https" : "http")://\(host)\(port == defaultPort ? "" : ":\(port)")\(path)"
    }
}

/// The answer to an ``HTTPRequest``: any status (the caller decides what a non-200 means) and the whole body.
public struct HTTPResponse: Sendable {
    public let status: Int
    public let body: [UInt8]
}

/// A failed ``HTTPRequest``: the connection failed, closed before the body was complete, or the body was too big.
public struct HTTPRequestError: Error, Sendable, CustomStringConvertible {
    public let url: HTTPURL
    public let reason: String
    public var description: String { "GET \(url): \(reason)" }
}

/// One HTTP GET in libwebsockets' client role, on the service thread of a ``WebSocketService`` (the same thread,
/// TLS setup and verification as its WebSocket connections): ``WebSocketService/get(_:tls:maxBodyBytes:completion:)``.
///
/// Not a hot path (order-book REST snapshots: one request per resync); the body is collected into one array.
///
/// Threading: confined to the service thread; `completion` runs there exactly once.
public final class HTTPRequest {
    public let url: HTTPURL
    let maxBodyBytes: Int
    var completion: ((Result<HTTPResponse, HTTPRequestError>) -> Void)?
    var wsi: OpaquePointer?
    private(set) var status = 0
    private var body: [UInt8] = []

    init(url: HTTPURL, maxBodyBytes: Int, completion: @escaping (Result<HTTPResponse, HTTPRequestError>) -> Void) {
        self.url = url
        self.maxBodyBytes = maxBodyBytes
        self.completion = completion
    }

    /// True once the completion ran.
    public var isFinished: Bool { completion == nil }

    /// Gives up: the completion is not called any more, and the connection is closed soon (service thread).
    public func cancel() {
        completion = nil
        if let wsi { lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC) }
    }

    // MARK: events from the service callback

    func didEstablish(_ wsi: OpaquePointer) {
        self.wsi = wsi
        status = Int(lws_http_client_http_response(wsi))
    }

    /// Returns false when the body exceeds the limit (the connection is then closed).
    func didRead(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= maxBodyBytes else {
            finish(.failure(HTTPRequestError(url: url, reason: "body larger than \(maxBodyBytes) bytes")))
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    func didComplete() { finish(.success(HTTPResponse(status: status, body: body))) }

    func didFail(_ reason: String) { finish(.failure(HTTPRequestError(url: url, reason: reason))) }

    private func finish(_ result: Result<HTTPResponse, HTTPRequestError>) {
        guard let completion else { return }
        self.completion = nil
        completion(result)
    }
}
