#if canImport(Glibc)
import Glibc
#endif

/// Where a system of HFTKit processes keeps its ZeroMQ `ipc://` socket files, and the endpoint names in it.
///
/// Resolution order (the Python package `hftkit` resolves the same way, so both find each other):
/// 1. `$HFT_IPC_DIR` when set and not empty;
/// 2. `$XDG_RUNTIME_DIR/hftkit` when `XDG_RUNTIME_DIR` is set (a private per-user tmpfs on systemd machines);
/// 3. `/tmp/hftkit-<uid>`.
///
/// The original Python design used `/hft/zmq`, which needs root; set `HFT_IPC_DIR=/hft/zmq` to join such a system.
/// ``prepare()`` creates the directory (and its `command/` subfolder) private to the user: mode 0700, owned by the
/// current user; an existing directory owned by someone else is refused, since its sockets could be spoofed.
///
/// Thread safety: a value type; `prepare()` touches the file system and may be called from any thread.
public struct IPCDirectory: Sendable, Hashable, CustomStringConvertible {
    /// The directory path, without a trailing slash.
    public let path: String

    public init(path: String) {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        self.path = p
    }

    /// The directory from the environment (see the type's documentation for the order).
    public static func fromEnvironment() -> IPCDirectory {
        if let dir = environment("HFT_IPC_DIR") { return IPCDirectory(path: dir) }
        if let runtime = environment("XDG_RUNTIME_DIR") { return IPCDirectory(path: runtime + "/hftkit") }
        return IPCDirectory(path: "/tmp/hftkit-\(getuid())")
    }

    public var description: String { path }

    /// `ipc://{dir}/command/{processID}.ipc`: where the command system of `processID` binds its PUB socket.
    public func commandEndpoint(processID: String) -> String {
        "ipc://\(path)/command/\(processID).ipc"
    }

    /// The socket file behind ``commandEndpoint(processID:)``.
    public func commandSocketFile(processID: String) -> String {
        "\(path)/command/\(processID).ipc"
    }

    /// `ipc://{dir}/{exchange}.{channel}.ipc`: the market-data publisher of one exchange and channel.
    public func marketDataEndpoint(exchange: String, channel: String) -> String {
        "ipc://\(path)/\(exchange).\(channel).ipc"
    }

    /// The socket file behind ``marketDataEndpoint(exchange:channel:)``.
    public func marketDataSocketFile(exchange: String, channel: String) -> String {
        "\(path)/\(exchange).\(channel).ipc"
    }

    /// Creates the directory and `command/` with mode 0700 when missing (parents too), and checks that both
    /// belong to the current user and are not readable or writable by others (tightening the mode if needed).
    public func prepare() throws(IPCError) {
        for dir in [path, path + "/command"] {
            try Self.makePrivateDirectory(dir)
        }
    }

    private static func makePrivateDirectory(_ dir: String) throws(IPCError) {
        var parts: [Substring] = dir.split(separator: "/", omittingEmptySubsequences: true)
        var prefix = dir.hasPrefix("/") ? "" : "."
        let last = parts.removeLast()
        for part in parts {
            prefix += "/" + part
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw .fileSystem(path: prefix, detail: "cannot create: \(String(cString: strerror(errno)))")
            }
        }
        let full = prefix + "/" + last
        if mkdir(full, 0o700) != 0 && errno != EEXIST {
            throw .fileSystem(path: full, detail: "cannot create: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard lstat(full, &info) == 0 else {
            throw .fileSystem(path: full, detail: "cannot stat: \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw .fileSystem(path: full, detail: "exists but is not a directory; remove it or set HFT_IPC_DIR")
        }
        guard info.st_uid == getuid() else {
            throw .fileSystem(
                path: full, detail: "belongs to uid \(info.st_uid), not to this user (\(getuid())); set HFT_IPC_DIR to a directory of your own")
        }
        if info.st_mode & 0o077 != 0 {
            guard chmod(full, 0o700) == 0 else {
                throw .fileSystem(path: full, detail: "cannot make private (chmod 0700): \(String(cString: strerror(errno)))")
            }
        }
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let s = String(cString: value)
        return s.isEmpty ? nil : s
    }
}

/// An IPC failure, with the context needed to act on it.
public enum IPCError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A file-system problem with the IPC directory or a socket file.
    case fileSystem(path: String, detail: String)
    /// A ZeroMQ call failed (`endpoint` when one was involved).
    case zmq(ZMQError, endpoint: String?)
    /// A topic longer than the 64-byte command topic (`target_id.command_type`).
    case topicTooLong(topic: String, bytes: Int)
    /// An argument that cannot be used (a process id with `/`, an empty command type, …).
    case invalidArgument(String)
    /// A request got no reply within its timeout.
    case timeout(commandID: String, target: String, type: String, seconds: Double)
    /// The command system is not running (not started, or stopped).
    case notRunning
    /// No live command system of that id answered within `seconds` (not started, or not yet).
    case processNotRunning(processID: String, endpoint: String, seconds: Double)

    public var description: String {
        switch self {
        case .fileSystem(let path, let detail): return "IPC directory \(path): \(detail)"
        case .zmq(let error, let endpoint): return endpoint.map { "\($0): \(error)" } ?? "\(error)"
        case .topicTooLong(let topic, let bytes):
            return "topic '\(topic)' is \(bytes) bytes; a command topic (target_id.command_type) has at most 64"
        case .invalidArgument(let detail): return detail
        case .timeout(let id, let target, let type, let seconds):
            return "no reply to \(type) \(id) from \(target) within \(seconds) s"
        case .notRunning: return "the command system is not running (call start() first)"
        case .processNotRunning(let id, let endpoint, let seconds):
            return "process \(id) not running at \(endpoint) (no answer within \(seconds) s)"
        }
    }
}
