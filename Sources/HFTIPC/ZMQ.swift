import CZeroMQ
#if canImport(Glibc)
import Glibc
#endif

/// Facts about the linked libzmq.
public enum ZMQ {
    /// `major.minor.patch` of the linked libzmq.
    public static var version: String {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}

/// A ZeroMQ error: the failing call and libzmq's errno text.
public struct ZMQError: Error, Sendable, CustomStringConvertible, Equatable {
    public let call: String
    public let errno: Int32
    public var description: String { "\(call): \(String(cString: zmq_strerror(errno))) (errno \(errno))" }

    /// Captures `zmq_errno()` after a failed call.
    static func last(_ call: String) -> ZMQError { ZMQError(call: call, errno: zmq_errno()) }

    /// True when a non-blocking call found nothing to do (`EAGAIN`).
    public var isWouldBlock: Bool { errno == EAGAIN }
}

/// A ZeroMQ context (I/O threads and socket registry). Terminates when released, after its sockets close.
///
/// Thread safety: a context may be shared by any number of threads (libzmq guarantees this).
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    public init() throws(ZMQError) {
        guard let ctx = zmq_ctx_new() else { throw .last("zmq_ctx_new") }
        handle = ctx
    }

    deinit {
        zmq_ctx_term(handle)
    }
}
