import Foundation
import HFTWebSocket
import Synchronization
import Testing

/// Records whether compression was negotiated on a client connection, and what arrives on it.
final class DeflateProbe: WebSocketHandler, @unchecked Sendable {
    let sendOnOpen: [String]
    let log = Mutex<(deflate: Bool?, messages: [String], closed: String?)>((nil, [], nil))
    init(sendOnOpen: [String]) { self.sendOnOpen = sendOnOpen }
    func webSocketDidOpen(_ connection: WebSocketConnection) {
        log.withLock { $0.deflate = connection.permessageDeflate }
        for m in sendOnOpen { connection.send(text: m) }
    }
    func webSocket(_ connection: WebSocketConnection, didReceive message: UnsafeRawBufferPointer, binary: Bool) {
        let text = String(decoding: message, as: UTF8.self)
        log.withLock { $0.messages.append(text) }
    }
    func webSocketDidClose(_ connection: WebSocketConnection, reason: String) { log.withLock { $0.closed = reason } }
    func waitUntil(_ condition: ((deflate: Bool?, messages: [String], closed: String?)) -> Bool) async -> Bool {
        for _ in 0..<1000 {
            if log.withLock({ condition($0) }) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}

/// permessage-deflate (RFC 7692) between a real lws client and a real lws server over loopback: negotiated only
/// when the client asks and the server accepts, and messages of every size arrive byte for byte.
@Suite(.serialized) struct PermessageDeflateTests {
    /// Messages that exercise the inflater: tiny, a compressible 1 MiB JSON-like text (inflates to far more than
    /// one lws buffer), and 200 KB of pseudo-random letters (compresses poorly).
    static let messages: [String] = {
        let small = #"{"e":"trade","p":"64000.10","q":"0.001"}"#
        var json = ""
        while json.utf8.count < 1 << 20 { json += #"{"stream":"btcusdt@depth","data":{"b":[["64000.10","1.5"]]}},"# }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let noise = String((0..<200_000).map { _ -> Character in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Character(UnicodeScalar(UInt8(97 + (state >> 33) % 26)))
        })
        return [small, json, noise, "bye"]
    }()

    /// Runs an echo server (accepting compression or not) and one client (offering it or not); returns what the
    /// client and the server saw.
    func exchange(serverAccepts: Bool, clientOffers: Bool) async throws -> (client: Bool?, server: Bool?, echoed: [String]) {
        var serverOptions = WebSocketService.Options(name: "deflate-server", listenPort: 0)
        serverOptions.acceptsPermessageDeflate = serverAccepts
        let server = try WebSocketService(options: serverOptions)
        defer { server.shutdown() }
        let serverSaw = Mutex<Bool?>(nil)
        server.onAccept = { _, connection in
            serverSaw.withLock { $0 = connection.permessageDeflate }
            connection.handler = EchoHandler()
        }
        let client = try WebSocketService(options: .init(name: "deflate-client"))
        defer { client.shutdown() }
        let probe = DeflateProbe(sendOnOpen: Self.messages)
        let url = WebSocketURL("ws://127.0.0.1:\(server.listeningPort)/")!
        client.execute { service in _ = service.connect(url, permessageDeflate: clientOffers, handler: probe) }
        #expect(await probe.waitUntil { $0.messages.count == Self.messages.count || $0.closed != nil })
        let log = probe.log.withLock { $0 }
        #expect(log.closed == nil, "closed: \(log.closed ?? "")")
        return (log.deflate, serverSaw.withLock { $0 }, log.messages)
    }

    @Test func deflatedConnectionDeliversEveryMessageExactly() async throws {
        let result = try await exchange(serverAccepts: true, clientOffers: true)
        #expect(result.client == true)
        #expect(result.server == true)
        #expect(result.echoed.count == Self.messages.count)
        for (got, sent) in zip(result.echoed, Self.messages) {
            #expect(got == sent, "a message of \(sent.utf8.count) bytes came back as \(got.utf8.count) bytes")
        }
    }

    @Test func notNegotiatedUnlessTheClientAsks() async throws {
        let result = try await exchange(serverAccepts: true, clientOffers: false)
        #expect(result.client == false)
        #expect(result.server == false)
        #expect(result.echoed == Self.messages)
    }

    @Test func notNegotiatedWhenTheServerDeclines() async throws {
        let result = try await exchange(serverAccepts: false, clientOffers: true)
        #expect(result.client == false)
        #expect(result.server == false)
        #expect(result.echoed == Self.messages)
    }
}
