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
        if let query = header(wsi, WSI_TOKEN_HTTP_URI_ARGS), !query.isEmpty { accepted.requestPath += "?" + query }
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

/// A request header of a connection being accepted (query arguments are joined with `&`).
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
