import Foundation
import HFTWebSocket
import Testing

/// A service created without TLS (`Options.tls = false`, no OpenSSL or CA store) speaks ws:// and refuses wss://
/// with a reason instead of failing inside lws.
@Suite(.serialized) struct PlainServiceTests {
    @Test func plainServiceSpeaksWebSocketAndRefusesTLS() async throws {
        let server = try WebSocketService(options: .init(name: "plain-server", listenPort: 0))
        defer { server.shutdown() }
        server.onAccept = { _, connection in connection.handler = EchoHandler() }
        var options = WebSocketService.Options(name: "plain-client")
        options.tls = false
        let client = try WebSocketService(options: options)
        defer { client.shutdown() }

        let plain = RecordingHandler(sendOnOpen: ["hello"])
        let url = WebSocketURL("ws://127.0.0.1:\(server.listeningPort)/")!
        client.execute { service in _ = service.connect(url, handler: plain) }
        #expect(await plain.waitUntil { $0.messages == ["hello"] })

        let secure = RecordingHandler(sendOnOpen: [])
        let tlsURL = WebSocketURL("wss://127.0.0.1:\(server.listeningPort)/")!
        client.execute { service in _ = service.connect(tlsURL, handler: secure) }
        #expect(await secure.waitUntil { $0.closed != nil })
        #expect(secure.log.withLock { $0.closed }?.contains("needs TLS") == true)
        #expect(secure.log.withLock { $0.opened } == false)
    }
}
