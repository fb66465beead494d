/// A `ws://` or `wss://` URL split the way libwebsockets wants it.
public struct WebSocketURL: Sendable, Equatable, CustomStringConvertible {
    public let secure: Bool
    public let host: String
    public let port: Int
    /// Path with query, always starting with `/`.
    public let path: String

    /// Parses `ws://host[:port][/path][?query]` or `wss://…`; nil for anything else.
    public init?(_ text: String) {
        let secure: Bool
        let rest: Substring
        if text.hasPrefix("wss://") {
            secure = true
            rest = text.dropFirst(6)
        } else if text.hasPrefix("ws://") {
            secure = false
            rest = text.dropFirst(5)
        } else {
            return nil
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        var host = Substring(authority)
        var port = secure ? 443 : 80
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let p = Int(authority[authority.index(after: colon)...]), p > 0, p < 65536 else { return nil }
            port = p
            host = authority[..<colon]
        }
        guard !host.isEmpty else { return nil }
        self.secure = secure
        self.host = String(host)
        self.port = port
        self.path = path
    }

    public var description: String {
        let defaultPort = secure ? 443 : 80
        return "\(secure ? "wss" : "ws")://\(host)\(port == defaultPort ? "" : ":\(port)")\(path)"
    }
}

/// How a client checks the server's TLS certificate.
public enum TLSVerification: Sendable, Equatable {
    /// Certificate chain against the system CA store and host name: the default.
    case full
    /// Accept self-signed certificates and any host name. For local testing against the simulator only:
    /// every connection made this way logs a warning.
    case insecureAllowSelfSigned
}
