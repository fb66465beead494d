import Foundation
import HFTWebSocket
import Synchronization
import Testing

/// Records whether compression was negotiated on a client connection, and what arrives on it.
final class DeflateProbe: WebSocketHandler, @unchecked Sendable {
    let sendOnOpen: [String]
    /// Microseconds to hold the client's thread per message received (a slow reader: the peer's sends back up).
    let delayPerMessage: UInt32
    let log = Mutex<(deflate: Bool?, messages: [String], closed: String?)>((nil, [], nil))
    init(sendOnOpen: [String], delayPerMessage: UInt32 = 0) {
        self.sendOnOpen = sendOnOpen
        self.delayPerMessage = delayPerMessage
    }
    func webSocketDidOpen(_ connection: WebSocketConnection) {
        log.withLock { $0.deflate = connection.permessageDeflate }
        for m in sendOnOpen { connection.send(text: m) }
    }
    func webSocket(_ connection: WebSocketConnection, didReceive message: UnsafeRawBufferPointer, binary: Bool) {
        let text = String(decoding: message, as: UTF8.self)
        log.withLock { $0.messages.append(text) }
        if delayPerMessage > 0 { usleep(delayPerMessage) }
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
@inline(never) func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

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

    /// lws compresses a large message a kilobyte at a time, and when the socket backs up (a slow reader) it
    /// finishes the message in later service passes, reading it from the sender's buffer (libwebsockets issue
    /// #1362). The server's thread reuses freed memory meanwhile (allocations of the message's size, filled with
    /// `X`): every message must still arrive as sent, so the sender keeps the buffer until lws is done with it.
    /// Before `WebSocketConnection` did, this test failed in 3 of 3 runs with a message that came back changed
    /// (and a simulator under load sent corrupt frames: the stream's inflate failed and it reconnected).
    @Test func largeMessagesArriveIntactWhileTheSenderReusesMemory() async throws {
        var serverOptions = WebSocketService.Options(name: "deflate-reuse-server", listenPort: 0)
        serverOptions.acceptsPermessageDeflate = true
        let server = try WebSocketService(options: serverOptions)
        defer { server.shutdown() }
        let big = Self.messages[2] + Self.messages[2] + Self.messages[2]  // 600 KB of poorly compressible letters
        server.onAccept = { _, connection in connection.handler = EchoHandler() }
        let client = try WebSocketService(options: .init(name: "deflate-reuse-client"))
        defer { client.shutdown() }
        let rounds = 24
        let probe = DeflateProbe(sendOnOpen: Array(repeating: big, count: rounds), delayPerMessage: 30_000)
        let url = WebSocketURL("ws://127.0.0.1:\(server.listeningPort)/")!
        client.execute { service in _ = service.connect(url, permessageDeflate: true, handler: probe) }
        let size = big.utf8.count
        for _ in 0..<400 {
            server.execute { _ in
                for _ in 0..<4 { blackHole(Array(repeating: UInt8(ascii: "X"), count: size + 64)) }
            }
            if probe.log.withLock({ $0.messages.count == rounds || $0.closed != nil }) { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(await probe.waitUntil { $0.messages.count == rounds || $0.closed != nil })
        let log = probe.log.withLock { $0 }
        #expect(log.deflate == true)
        #expect(log.closed == nil, "closed: \(log.closed ?? "")")
        #expect(log.messages.count == rounds)
        for got in log.messages {
            #expect(got == big, "a message of \(big.utf8.count) bytes came back as \(got.utf8.count) bytes, \(got.filter { $0 == "X" }.count) of them X")
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
