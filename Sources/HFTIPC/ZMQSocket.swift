import CZeroMQ

/// One ZeroMQ socket. Closed when released (with linger 0: unsent messages are dropped, not waited for).
///
/// Thread safety: like every ZeroMQ socket, use it from one thread at a time (it may move between threads
/// with a memory barrier, e.g. by handing it over through a queue). It is not `Sendable` for that reason.
public final class ZMQSocket {
    /// The socket types HFTKit uses.
    public enum Kind: Int32, Sendable {
        case pub = 1  // ZMQ_PUB
        case sub = 2  // ZMQ_SUB
        case req = 3  // ZMQ_REQ
        case rep = 4  // ZMQ_REP
        case dealer = 5  // ZMQ_DEALER
        case router = 6  // ZMQ_ROUTER
        case xpub = 9  // ZMQ_XPUB
        case xsub = 10  // ZMQ_XSUB
    }

    let handle: UnsafeMutableRawPointer
    // Keeps the context alive while the socket exists (zmq_ctx_term would block on an open socket).
    private let context: ZMQContext

    public init(_ context: ZMQContext, _ kind: Kind) throws(ZMQError) {
        guard let socket = zmq_socket(context.handle, kind.rawValue) else { throw .last("zmq_socket") }
        handle = socket
        self.context = context
        var linger: Int32 = 0
        zmq_setsockopt(handle, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
    }

    deinit {
        zmq_close(handle)
    }

    public func bind(_ endpoint: String) throws(ZMQError) {
        guard zmq_bind(handle, endpoint) == 0 else { throw .last("zmq_bind(\(endpoint))") }
    }

    public func connect(_ endpoint: String) throws(ZMQError) {
        guard zmq_connect(handle, endpoint) == 0 else { throw .last("zmq_connect(\(endpoint))") }
    }

    /// SUB sockets: receive messages whose first frame starts with `prefix` (empty: everything).
    public func subscribe(_ prefix: [UInt8]) throws(ZMQError) {
        let rc = prefix.withUnsafeBytes { zmq_setsockopt(handle, ZMQ_SUBSCRIBE, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw .last("zmq_setsockopt(ZMQ_SUBSCRIBE)") }
    }

    /// Receive timeout in milliseconds (-1: block forever).
    public func setReceiveTimeout(milliseconds: Int32) throws(ZMQError) {
        var value = milliseconds
        guard zmq_setsockopt(handle, ZMQ_RCVTIMEO, &value, MemoryLayout<Int32>.size) == 0 else {
            throw .last("zmq_setsockopt(ZMQ_RCVTIMEO)")
        }
    }

    /// Sends one frame; `more` marks it as part of a multi-frame message. With `dontWait`, throws an error
    /// whose ``ZMQError/isWouldBlock`` is true instead of blocking.
    public func send(_ bytes: UnsafeRawBufferPointer, more: Bool = false, dontWait: Bool = false) throws(ZMQError) {
        var flags: Int32 = 0
        if more { flags |= ZMQ_SNDMORE }
        if dontWait { flags |= ZMQ_DONTWAIT }
        guard zmq_send(handle, bytes.baseAddress, bytes.count, flags) >= 0 else { throw .last("zmq_send") }
    }

    public func send(_ bytes: [UInt8], more: Bool = false, dontWait: Bool = false) throws(ZMQError) {
        let error: ZMQError? = bytes.withUnsafeBytes { buffer in
            do throws(ZMQError) {
                try send(buffer, more: more, dontWait: dontWait)
                return nil
            } catch {
                return error
            }
        }
        if let error { throw error }
    }

    /// Receives one frame into a new array, and whether more frames of the same message follow.
    /// Throws (``ZMQError/isWouldBlock``) when the receive timeout expires.
    public func receive() throws(ZMQError) -> (bytes: [UInt8], more: Bool) {
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        guard zmq_msg_recv(&message, handle, 0) >= 0 else { throw .last("zmq_msg_recv") }
        let size = zmq_msg_size(&message)
        let bytes = [UInt8](UnsafeRawBufferPointer(start: zmq_msg_data(&message), count: size))
        return (bytes, zmq_msg_more(&message) != 0)
    }
}
