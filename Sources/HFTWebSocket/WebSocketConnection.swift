import CLibWebSockets

/// Receives the events of one connection. Every method runs on the service thread.
public protocol WebSocketHandler: AnyObject {
    func webSocketDidOpen(_ connection: WebSocketConnection)
    /// One complete message. `message` is valid only during the call (it may point into lws' own buffer).
    func webSocket(_ connection: WebSocketConnection, didReceive message: UnsafeRawBufferPointer, binary: Bool)
    /// The connection ended (or never opened). Called exactly once; the connection is dead afterwards.
    func webSocketDidClose(_ connection: WebSocketConnection, reason: String)
}

/// One WebSocket connection (client, or accepted by the server role).
///
/// Threading: confined to its service's thread: create it with ``WebSocketService/connect(_:tls:handler:)`` and
/// call ``send(text:)``, ``sendPing()`` and ``close(reason:)`` only there (from elsewhere, go through
/// ``WebSocketService/execute(_:)``). Messages are assembled from fragments into one reusable buffer per
/// connection (amortized growth, no quadratic copying); a message that fits one fragment is delivered from lws'
/// buffer without a copy.
public final class WebSocketConnection {
    public enum State: Sendable { case connecting, open, closing, closed }

    public unowned let service: WebSocketService
    public var handler: (any WebSocketHandler)?
    /// The URL of a client connection; nil for accepted ones.
    public let url: WebSocketURL?
    /// Path and query the client asked for (accepted connections), e.g. `/stream?streams=btcusdt@trade`.
    public internal(set) var requestPath = "/"
    public private(set) var state: State = .connecting
    /// Messages and bytes received (service thread).
    public private(set) var messagesReceived = 0
    public private(set) var bytesReceived = 0
    /// permessage-deflate (RFC 7692) was negotiated: messages travel compressed (known once open).
    public internal(set) var permessageDeflate = false
    /// Messages queued by ``send(text:)`` and not yet written to the socket (service thread); lets a sender
    /// apply back-pressure instead of queueing without bound.
    public var pendingMessages: Int { outbox.count - outboxHead }
    /// A client connection that offers permessage-deflate in its handshake.
    var offersPermessageDeflate = false
    var wsi: OpaquePointer?
    var closeReason: String?
    var peerCloseReason: String?
    private var assembly: [UInt8] = []
    private var assembling = false
    /// Outgoing messages, each with `LWS_PRE` bytes of headroom, written one per WRITEABLE callback.
    private var outbox: [(bytes: [UInt8], ping: Bool)] = []
    private var outboxHead = 0
    /// The message written last, kept until the next WRITEABLE callback: with permessage-deflate, lws keeps a
    /// pointer into it when one pass of its (1 KiB) compressor cannot take the whole message, and finishes the
    /// message from there later (libwebsockets issue #1362). Freeing it at once let a large message (a Coinbase
    /// book snapshot) be sent from freed memory and reach the peer altered. lws holds back WRITEABLE until the
    /// message is out, so the next one may free it.
    private var lastWritten: [UInt8] = []

    init(service: WebSocketService, handler: (any WebSocketHandler)?, url: WebSocketURL?) {
        self.service = service
        self.handler = handler
        self.url = url
    }

    /// Queues a text message (service thread).
    public func send<Bytes: Collection<UInt8>>(text: Bytes) {
        enqueue(Array(text), ping: false)
    }

    public func send(text: String) { send(text: text.utf8) }

    /// Queues a WebSocket ping frame (service thread).
    public func sendPing() { enqueue([], ping: true) }

    /// Closes the connection after the queued messages (service thread). The handler's `webSocketDidClose` follows.
    public func close(reason: String) {
        guard state == .open || state == .connecting else { return }
        closeReason = reason
        state = .closing
        if let wsi {
            lws_callback_on_writable(wsi)
        } else {
            didClose(reason: reason)
        }
    }

    /// Closes at once (service shutdown): the handler is told, lws cleans up when the context is destroyed.
    func closeNow(reason: String) {
        closeReason = closeReason ?? reason
        didClose(reason: closeReason!)
    }

    private func enqueue(_ payload: [UInt8], ping: Bool) {
        guard state == .open || state == .connecting, let wsi else { return }
        var bytes = [UInt8](repeating: 0, count: LibWebSockets.preHeadroom)
        bytes.append(contentsOf: payload)
        outbox.append((bytes, ping))
        if state == .open { lws_callback_on_writable(wsi) }
    }

    // MARK: events from the service callback

    func didOpen() {
        guard state == .connecting else { return }
        state = .open
        handler?.webSocketDidOpen(self)
        if outboxHead < outbox.count, let wsi { lws_callback_on_writable(wsi) }
    }

    /// Returns nonzero to make lws close the connection.
    func didReceive(_ bytes: UnsafeRawBufferPointer, binary: Bool, final: Bool) -> Int32 {
        guard state == .open else { return 0 }
        bytesReceived &+= bytes.count
        if final && !assembling {
            messagesReceived &+= 1
            handler?.webSocket(self, didReceive: bytes, binary: binary)
            return 0
        }
        if assembly.count + bytes.count > service.options.maxMessageBytes {
            closeReason = "message too big (more than \(service.options.maxMessageBytes) bytes)"
            assembly.removeAll(keepingCapacity: false)
            assembling = false
            return -1
        }
        assembling = true
        assembly.append(contentsOf: bytes)
        if final {
            messagesReceived &+= 1
            assembly.withUnsafeBytes { handler?.webSocket(self, didReceive: $0, binary: binary) }
            assembly.removeAll(keepingCapacity: true)
            assembling = false
        }
        return 0
    }

    func didBecomeWritable() -> Int32 {
        guard let wsi else { return 0 }
        if outboxHead < outbox.count && state != .closed {
            // Moved out of the outbox (not copied), so that writing through it needs no copy-on-write.
            var bytes: [UInt8] = []
            swap(&bytes, &outbox[outboxHead].bytes)
            let ping = outbox[outboxHead].ping
            outboxHead += 1
            if outboxHead == outbox.count {
                outbox.removeAll(keepingCapacity: true)
                outboxHead = 0
            }
            let pre = LibWebSockets.preHeadroom
            let count = bytes.count - pre
            let written = bytes.withUnsafeMutableBytes { buffer in
                lws_write(wsi, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + pre, count,
                          ping ? LWS_WRITE_PING : LWS_WRITE_TEXT)
            }
            swap(&lastWritten, &bytes)  // the previous message is freed here, lws being done with it
            // Only -1 is a failure. When the socket takes part of a message, lws keeps the rest, sends it as the
            // socket drains and holds back WRITEABLE meanwhile, and may return only the part sent (libwebsockets
            // issues #644 and #3404).
            if written < 0 {
                closeReason = "write failed"
                return -1
            }
            if outboxHead < outbox.count || state == .closing { lws_callback_on_writable(wsi) }
            return 0
        }
        if state == .closing {
            lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, nil, 0)
            return -1
        }
        return 0
    }

    func didClose(reason: String) {
        guard state != .closed else { return }
        state = .closed
        // lws may still call back for this wsi (context teardown): it must not find a pointer to a freed object.
        if let wsi { lws_set_opaque_user_data(wsi, nil) }
        wsi = nil
        service.unregister(self)
        let handler = self.handler
        self.handler = nil
        handler?.webSocketDidClose(self, reason: reason)
    }
}
