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

/// Keeps `value` alive until here, so that the optimizer cannot drop the allocation that made it.
@inline(never) func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

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

    /// Runs an echo server (accepting compression or not) and one client (offering it or not) that sends `messages`
    /// and reads each echo `delayPerMessage` µs late; returns what the client and the server saw. While waiting for
    /// the echoes, `serverWork` (if any) runs on the server's thread every 5 ms.
    func exchange(
        serverAccepts: Bool, clientOffers: Bool, messages: [String] = Self.messages, delayPerMessage: UInt32 = 0,
        serverWork: (@Sendable (WebSocketService) -> Void)? = nil
    ) async throws -> (client: Bool?, server: Bool?, echoed: [String]) {
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
        let probe = DeflateProbe(sendOnOpen: messages, delayPerMessage: delayPerMessage)
        let url = WebSocketURL("ws://127.0.0.1:\(server.listeningPort)/")!
        client.execute { service in _ = service.connect(url, permessageDeflate: clientOffers, handler: probe) }
        let done: ((deflate: Bool?, messages: [String], closed: String?)) -> Bool = { $0.messages.count == messages.count || $0.closed != nil }
        if let serverWork {
            for _ in 0..<1000 {
                if probe.log.withLock({ done($0) }) { break }
                server.execute(serverWork)
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        #expect(await probe.waitUntil(done))
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
    /// Before `WebSocketConnection` did, this test failed in 3 of 3 runs with a message that came back changed.
    @Test func largeMessagesArriveIntactWhileTheSenderReusesMemory() async throws {
        let big = Self.messages[2] + Self.messages[2] + Self.messages[2]  // 600 KB of poorly compressible letters
        let rounds = 24
        let size = big.utf8.count
        let result = try await exchange(
            serverAccepts: true, clientOffers: true, messages: Array(repeating: big, count: rounds), delayPerMessage: 30_000,
            serverWork: { _ in for _ in 0..<4 { blackHole(Array(repeating: UInt8(ascii: "X"), count: size + 64)) } })
        #expect(result.client == true)
        #expect(result.echoed.count == rounds)
        for got in result.echoed {
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
