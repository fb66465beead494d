import CZeroMQ
#if canImport(Glibc)
import Glibc
#endif

// What the command system needs beyond ZMQSocket.swift: integer options, unsubscribing, non-blocking receive,
// the notification descriptor, and shutting a context down.
extension ZMQSocket {
    /// Sets an integer option (`ZMQ_SNDHWM`, `ZMQ_RCVHWM`, `ZMQ_XPUB_VERBOSE`, …).
    public func setOption(_ option: Int32, _ value: Int32, name: String) throws(ZMQError) {
        var v = value
        guard zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size) == 0 else {
            throw .last("zmq_setsockopt(\(name))")
        }
    }

    /// Send and receive high-water marks in messages (0: unlimited, nothing is ever dropped or blocked on).
    public func setHighWaterMarks(send: Int32, receive: Int32) throws(ZMQError) {
        try setOption(ZMQ_SNDHWM, send, name: "ZMQ_SNDHWM")
        try setOption(ZMQ_RCVHWM, receive, name: "ZMQ_RCVHWM")
    }

    /// XPUB sockets: pass every subscription message to the application, duplicates included.
    public func setXPubVerbose(_ on: Bool) throws(ZMQError) {
        try setOption(ZMQ_XPUB_VERBOSE, on ? 1 : 0, name: "ZMQ_XPUB_VERBOSE")
    }

    /// SUB sockets: stop receiving messages starting with `prefix` (one earlier ``subscribe(_:)`` of it).
    public func unsubscribe(_ prefix: [UInt8]) throws(ZMQError) {
        let rc = prefix.withUnsafeBytes { zmq_setsockopt(handle, ZMQ_UNSUBSCRIBE, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw .last("zmq_setsockopt(ZMQ_UNSUBSCRIBE)") }
    }

    /// Receives one frame if one is waiting; nil otherwise (never blocks).
    public func receiveIfReady() throws(ZMQError) -> [UInt8]? {
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        guard zmq_msg_recv(&message, handle, ZMQ_DONTWAIT) >= 0 else {
            let error = ZMQError.last("zmq_msg_recv")
            if error.isWouldBlock { return nil }
            throw error
        }
        return [UInt8](UnsafeRawBufferPointer(start: zmq_msg_data(&message), count: zmq_msg_size(&message)))
    }

    /// Receives one frame and lends its bytes to `body` without copying (waits up to the receive timeout;
    /// throws ``ZMQError/isWouldBlock`` when it expires).
    public func receive<R>(_ body: (UnsafeRawBufferPointer) -> R) throws(ZMQError) -> R {
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        guard zmq_msg_recv(&message, handle, 0) >= 0 else { throw .last("zmq_msg_recv") }
        return body(UnsafeRawBufferPointer(start: zmq_msg_data(&message), count: zmq_msg_size(&message)))
    }

    /// `ZMQ_FD`: a descriptor that becomes readable when the socket may have something to do. Edge-triggered;
    /// poll it with a timeout and check ``hasInput`` (the descriptor may be polled from any thread).
    public var notificationDescriptor: Int32 {
        var fd: Int32 = -1
        var size = MemoryLayout<Int32>.size
        zmq_getsockopt(handle, ZMQ_FD, &fd, &size)
        return fd
    }

    /// `ZMQ_EVENTS` has `ZMQ_POLLIN`: a message can be received without blocking.
    public var hasInput: Bool {
        var events: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(handle, ZMQ_EVENTS, &events, &size) == 0 else { return false }
        return events & Int32(ZMQ_POLLIN) != 0
    }
}

extension ZMQContext {
    /// Makes every blocking call on the context's sockets return `ETERM` (from any thread); sockets must still
    /// be closed before the context is released.
    public func shutdown() {
        zmq_ctx_shutdown(handle)
    }
}
