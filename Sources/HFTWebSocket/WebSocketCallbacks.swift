import CLibWebSockets

// The C callbacks libwebsockets calls on the service thread: top-level functions (no captures) that find the
// ``WebSocketService`` through the context user pointer and the ``WebSocketConnection`` through the per-connection
// opaque user data, and forward the event.

/// The lws protocol callback: finds the service and the connection and forwards the event.
func hftServiceCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
    _ data: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
    guard let wsi else { return 0 }
    let contextUser = lws_context_user(lws_get_context(wsi))
    guard let contextUser else { return 0 }
    let service = Unmanaged<WebSocketService>.fromOpaque(contextUser).takeUnretainedValue()
    // HTTP client requests share the callback: their opaque user data is an HTTPRequest (a lookup only while
    // requests are in flight).
    if let request = service.httpRequest(lws_get_opaque_user_data(wsi)) {
        return httpClientCallback(service, request, wsi, reason, data, length)
    }
    switch reason {
    case LWS_CALLBACK_HTTP:
        return httpServerRequest(service, wsi)
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return httpServerWritable(service, wsi)
    case LWS_CALLBACK_CLOSED_HTTP:
        service.httpResponses[wsi] = nil
        return 0
    default:
        break
    }
    let connection = lws_get_opaque_user_data(wsi).map {
        Unmanaged<WebSocketConnection>.fromOpaque($0).takeUnretainedValue()
    }
    switch reason {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        service.drainInbox()
    case LWS_CALLBACK_CLIENT_CONFIRM_EXTENSION_SUPPORTED:
        return connection?.offersPermessageDeflate == true ? 0 : 1
    case LWS_CALLBACK_CONFIRM_EXTENSION_OKAY:
        return service.options.acceptsPermessageDeflate ? 0 : 1
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        connection?.wsi = wsi
        connection?.permessageDeflate = service.deflating.remove(wsi) != nil
        connection?.didOpen()
    case LWS_CALLBACK_ESTABLISHED:
        let accepted = WebSocketConnection(service: service, handler: nil, url: nil)
        accepted.wsi = wsi
        accepted.permessageDeflate = service.deflating.remove(wsi) != nil
        accepted.requestPath = header(wsi, WSI_TOKEN_GET_URI) ?? "/"
        if let query = queryString(wsi) { accepted.requestPath += "?" + query }
        service.register(accepted)
        lws_set_opaque_user_data(wsi, Unmanaged.passUnretained(accepted).toOpaque())
        service.onAccept?(service, accepted)
        accepted.didOpen()
    case LWS_CALLBACK_CLIENT_RECEIVE, LWS_CALLBACK_RECEIVE:
        guard let connection else { return 0 }
        let bytes = UnsafeRawBufferPointer(start: data, count: length)
        return connection.didReceive(bytes, binary: lws_frame_is_binary(wsi) != 0,
                                     final: lws_is_final_fragment(wsi) != 0 && lws_remaining_packet_payload(wsi) == 0)
    case LWS_CALLBACK_CLIENT_WRITEABLE, LWS_CALLBACK_SERVER_WRITEABLE:
        return connection?.didBecomeWritable() ?? 0
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if let connection, let data, length >= 2 {
            let bytes = UnsafeRawBufferPointer(start: data, count: length)
            let code = Int(bytes[0]) << 8 | Int(bytes[1])
            let text = String(decoding: bytes.dropFirst(2), as: UTF8.self)
            connection.peerCloseReason = "closed by peer (code \(code)\(text.isEmpty ? "" : ": \(text)"))"
        }
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        let text = data.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? "unknown error"
        connection?.didClose(reason: "connection error: \(text)")
        lws_set_opaque_user_data(wsi, nil)
    case LWS_CALLBACK_CLIENT_CLOSED, LWS_CALLBACK_CLOSED:
        connection?.didClose(reason: connection?.closeReason ?? connection?.peerCloseReason ?? "connection closed")
        lws_set_opaque_user_data(wsi, nil)
    case LWS_CALLBACK_WSI_DESTROY:
        service.deflating.remove(wsi)
        if let connection, connection.state != .closed {
            connection.didClose(reason: connection.closeReason ?? "connection destroyed")
        }
        lws_set_opaque_user_data(wsi, nil)
    default:
        break
    }
    return 0
}

/// The HTTP client role's events for one ``HTTPRequest``.
private func httpClientCallback(
    _ service: WebSocketService, _ request: HTTPRequest, _ wsi: OpaquePointer, _ reason: lws_callback_reasons,
    _ data: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
    switch reason {
    case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
        request.didEstablish(wsi)
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP:
        return hft_http_client_read(wsi) < 0 ? -1 : 0
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
        if !request.didRead(UnsafeRawBufferPointer(start: data, count: length)) {
            service.forget(request)
            lws_set_opaque_user_data(wsi, nil)
            return -1
        }
    case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
        request.didComplete()
        service.forget(request)
        lws_set_opaque_user_data(wsi, nil)
        return -1  // one request per connection: close it
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        let text = data.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? "unknown error"
        request.didFail("connection error: \(text)")
        service.forget(request)
        lws_set_opaque_user_data(wsi, nil)
    case LWS_CALLBACK_CLOSED_CLIENT_HTTP, LWS_CALLBACK_WSI_DESTROY:  // before the body was complete
        request.didFail("connection closed before the response was complete")
        service.forget(request)
        lws_set_opaque_user_data(wsi, nil)
    default:
        break
    }
    return 0
}

/// Server role: a plain HTTP request. The answer's headers are written now, its body when writable.
private func httpServerRequest(_ service: WebSocketService, _ wsi: OpaquePointer) -> Int32 {
    var path = header(wsi, WSI_TOKEN_GET_URI) ?? "/"
    if let query = queryString(wsi) { path += "?" + query }
    let answer = service.onHTTPRequest?(service, path) ?? (status: 404, contentType: "text/plain", body: Array("not found\n".utf8))
    if hft_http_write_headers(wsi, UInt32(answer.status), answer.contentType, answer.body.count) != 0 { return 1 }
    service.httpResponses[wsi] = answer.body
    lws_callback_on_writable(wsi)
    return 0
}

private func httpServerWritable(_ service: WebSocketService, _ wsi: OpaquePointer) -> Int32 {
    guard var body = service.httpResponses.removeValue(forKey: wsi) else { return 0 }
    let pre = LibWebSockets.preHeadroom
    body.insert(contentsOf: repeatElement(0, count: pre), at: 0)
    let count = body.count - pre
    let written = body.withUnsafeMutableBytes { buffer in
        lws_write(wsi, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + pre, count, LWS_WRITE_HTTP_FINAL)
    }
    if written < count { return -1 }
    return lws_http_transaction_completed(wsi) != 0 ? -1 : 0
}

/// The query of a request being accepted, its arguments joined with `&` as sent (lws keeps each argument as one
/// fragment; `lws_hdr_copy` would join them with `,`). Nil when there is none.
private func queryString(_ wsi: OpaquePointer) -> String? {
    let total = Int(lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS))
    guard total > 0 else { return nil }
    var buffer = [CChar](repeating: 0, count: total + 64)
    var parts: [String] = []
    var index: Int32 = 0
    while true {
        let copied = buffer.withUnsafeMutableBufferPointer {
            lws_hdr_copy_fragment(wsi, $0.baseAddress, Int32($0.count), WSI_TOKEN_HTTP_URI_ARGS, index)
        }
        guard copied >= 0 else { break }
        parts.append(String(decoding: buffer.prefix(Int(copied)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        index += 1
    }
    let query = parts.joined(separator: "&")
    return query.isEmpty ? nil : query
}

/// A request header of a connection being accepted.
private func header(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> String? {
    let length = Int(lws_hdr_total_length(wsi, token))
    guard length > 0 else { return nil }
    var buffer = [CChar](repeating: 0, count: length + 64)
    let copied = buffer.withUnsafeMutableBufferPointer { lws_hdr_copy(wsi, $0.baseAddress, Int32($0.count), token) }
    guard copied >= 0 else { return nil }
    return String(decoding: buffer.prefix(Int(copied)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// lws' permessage-deflate extension, watched: records the connections on which lws instantiates it, so that
/// connections can tell whether compression was negotiated.
func hftDeflateExtension(
    _ context: OpaquePointer?, _ ext: UnsafePointer<lws_extension>?, _ wsi: OpaquePointer?,
    _ reason: lws_extension_callback_reasons, _ user: UnsafeMutableRawPointer?, _ data: UnsafeMutableRawPointer?,
    _ length: Int
) -> Int32 {
    let result = lws_extension_callback_pm_deflate(context, ext, wsi, reason, user, data, length)
    if result == 0, reason == LWS_EXT_CB_CONSTRUCT || reason == LWS_EXT_CB_CLIENT_CONSTRUCT,
       let wsi, let context, let contextUser = lws_context_user(context) {
        Unmanaged<WebSocketService>.fromOpaque(contextUser).takeUnretainedValue().deflating.insert(wsi)
    }
    return result
}

func hftServiceTimerFired(_ user: UnsafeMutableRawPointer?) {
    guard let user else { return }
    Unmanaged<WebSocketService>.fromOpaque(user).takeUnretainedValue().timerFired()
}
