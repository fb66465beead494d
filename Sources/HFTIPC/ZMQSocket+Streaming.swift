import CZeroMQ
#if canImport(Glibc)
import Glibc
#endif

/// The socket calls of high-rate streams (market data): high-water marks, sends that report a full pipe as a
/// result instead of an error, and receives into the caller's closure without copying or allocating.
extension ZMQSocket {
    /// Sets an integer socket option (`ZMQ_SNDHWM`, `ZMQ_RCVHWM`, …).
    public func setOption(_ option: Int32, _ value: Int32) throws(ZMQError) {
        var v = value
        guard zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size) == 0 else {
            throw .last("zmq_setsockopt(\(option))")
        }
    }

    /// Reads an integer socket option.
    public func option(_ option: Int32) throws(ZMQError) -> Int32 {
        var v: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(handle, option, &v, &size) == 0 else { throw .last("zmq_getsockopt(\(option))") }
        return v
    }

    /// The outcome of ``trySend(_:more:)``.
    public enum SendResult: Sendable, Equatable {
        case sent
        /// The pipe is full (`EAGAIN` with `ZMQ_DONTWAIT`): nothing was sent.
        case full
        /// Another failure (errno).
        case failed(Int32)
    }

    /// Sends one frame without ever blocking (`ZMQ_DONTWAIT`); `more` marks a frame followed by others.
    @inline(__always)
    public func trySend(_ bytes: UnsafeRawBufferPointer, more: Bool = false) -> SendResult {
        Self.trySend(handle, bytes, more: more)
    }

    /// ``trySend(_:more:)`` on the libzmq socket `handle` of a ``ZMQSocket`` its caller keeps alive: for per-message
    /// paths that hold the handle to avoid reference counting the socket object on every send.
    @inline(__always)
    static func trySend(_ handle: UnsafeMutableRawPointer, _ bytes: UnsafeRawBufferPointer, more: Bool = false) -> SendResult {
        let flags = ZMQ_DONTWAIT | (more ? ZMQ_SNDMORE : 0)
        if zmq_send(handle, bytes.baseAddress, bytes.count, flags) >= 0 { return .sent }
        let error = zmq_errno()
        return error == EAGAIN ? .full : .failed(error)
    }

    /// Receives one frame and hands its bytes to `body` (valid only during the call), with whether more frames of
    /// the same message follow. Returns nil when the receive timeout expired (or, with `dontWait`, when nothing was
    /// waiting; or the call was interrupted).
    @inline(__always)
    public func receiveFrame<R>(dontWait: Bool = false, _ body: (UnsafeRawBufferPointer, _ more: Bool) -> R) throws(ZMQError) -> R? {
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        guard zmq_msg_recv(&message, handle, dontWait ? ZMQ_DONTWAIT : 0) >= 0 else {
            let error = zmq_errno()
            if error == EAGAIN || error == EINTR { return nil }
            throw ZMQError(call: "zmq_msg_recv", errno: error)
        }
        let bytes = UnsafeRawBufferPointer(start: zmq_msg_data(&message), count: zmq_msg_size(&message))
        return body(bytes, zmq_msg_more(&message) != 0)
    }

    /// Discards the remaining frames of a message whose first frames were read (after a malformed start).
    public func skipRemainingFrames() {
        var more: Int32 = 0
        var size = MemoryLayout<Int32>.size
        while zmq_getsockopt(handle, ZMQ_RCVMORE, &more, &size) == 0, more != 0 {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            _ = zmq_msg_recv(&message, handle, ZMQ_DONTWAIT)
            zmq_msg_close(&message)
        }
    }

    /// Waits up to `milliseconds` (0: just checks; -1: forever) until a message can be received.
    public func poll(milliseconds: Int) -> Bool {
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        return zmq_poll(&item, 1, milliseconds) > 0 && item.revents & Int16(ZMQ_POLLIN) != 0
    }
}

/// One received frame kept in a `zmq_msg_t` that is reused for every receive: the bytes are read in place (no copy,
/// no array), and the message's storage is released by the next receive or when the frame is released.
///
/// Thread and ownership rules: like its socket, one thread at a time; ``bytes`` is valid until the next
/// ``receive(from:dontWait:)``.
public final class ZMQFrame {
    private let message: UnsafeMutablePointer<zmq_msg_t>

    public init() {
        message = .allocate(capacity: 1)
        zmq_msg_init(message)
    }

    deinit {
        zmq_msg_close(message)
        message.deallocate()
    }

    /// Receives the next frame of `socket` into this frame. Returns false when the receive timeout expired (or,
    /// with `dontWait`, when nothing was waiting; or the call was interrupted).
    @inline(__always)
    public func receive(from socket: ZMQSocket, dontWait: Bool = false) throws(ZMQError) -> Bool {
        guard zmq_msg_recv(message, socket.handle, dontWait ? ZMQ_DONTWAIT : 0) >= 0 else {
            let error = zmq_errno()
            if error == EAGAIN || error == EINTR { return false }
            throw ZMQError(call: "zmq_msg_recv", errno: error)
        }
        return true
    }

    /// The frame's bytes, in libzmq's memory: valid until the next receive.
    @inline(__always)
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: zmq_msg_data(message), count: zmq_msg_size(message))
    }

    /// Whether more frames of the same message follow.
    @inline(__always)
    public var more: Bool { zmq_msg_more(message) != 0 }
}
