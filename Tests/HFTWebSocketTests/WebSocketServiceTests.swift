import Foundation
import HFTWebSocket
import Synchronization
import Testing

/// Echoes every message back (server side).
final class EchoHandler: WebSocketHandler {
    func webSocketDidOpen(_ connection: WebSocketConnection) {}
    func webSocket(_ connection: WebSocketConnection, didReceive message: UnsafeRawBufferPointer, binary: Bool) {
        connection.send(text: message)
    }
    func webSocketDidClose(_ connection: WebSocketConnection, reason: String) {}
}

/// Records what a client connection sees; `sendOnOpen` goes out as soon as it opens.
final class RecordingHandler: WebSocketHandler, @unchecked Sendable {
    let sendOnOpen: [String]
    let log = Mutex<(opened: Bool, messages: [String], closed: String?)>((false, [], nil))
    init(sendOnOpen: [String]) { self.sendOnOpen = sendOnOpen }
    func webSocketDidOpen(_ connection: WebSocketConnection) {
        log.withLock { $0.opened = true }
        for m in sendOnOpen { connection.send(text: m) }
    }
    func webSocket(_ connection: WebSocketConnection, didReceive message: UnsafeRawBufferPointer, binary: Bool) {
        let text = String(decoding: message, as: UTF8.self)
        log.withLock { $0.messages.append(text) }
    }
    func webSocketDidClose(_ connection: WebSocketConnection, reason: String) {
        log.withLock { $0.closed = reason }
    }
    /// Polls until `condition` holds or 10 s pass.
    func waitUntil(_ condition: ((opened: Bool, messages: [String], closed: String?)) -> Bool) async -> Bool {
        for _ in 0..<1000 {
            if log.withLock({ condition($0) }) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}

@Suite(.serialized) struct WebSocketServiceTests {
    @Test func clientAndServerExchangeSmallAndLargeMessages() async throws {
        let server = try WebSocketService(options: .init(name: "echo", listenPort: 0))
        defer { server.shutdown() }
        server.onAccept = { _, connection in connection.handler = EchoHandler() }
        #expect(server.listeningPort > 0)
        let client = try WebSocketService(options: .init(name: "client"))
        defer { client.shutdown() }
        // 1 MiB arrives in many fragments and must be reassembled into one message, byte for byte.
        let large = String((0..<(1 << 20)).map { i in Character(UnicodeScalar(UInt8(97 + i % 26))) })
        let recorder = RecordingHandler(sendOnOpen: ["hello", large, "bye"])
        let url = WebSocketURL("ws://127.0.0.1:\(server.listeningPort)/stream?streams=a/b")!
        client.execute { service in _ = service.connect(url, handler: recorder) }
        #expect(await recorder.waitUntil { $0.messages.count == 3 })
        let messages = recorder.log.withLock { $0.messages }
        #expect(messages.first == "hello")
        #expect(messages.count == 3 && messages[1] == large)
        #expect(messages.last == "bye")
    }

    @Test func refusedConnectionReportsAReason() async throws {
        let client = try WebSocketService(options: .init(name: "client"))
        defer { client.shutdown() }
        let recorder = RecordingHandler(sendOnOpen: [])
        // Port 1 on loopback: nothing listens there.
        client.execute { service in _ = service.connect(WebSocketURL("ws://127.0.0.1:1/")!, handler: recorder) }
        #expect(await recorder.waitUntil { $0.closed != nil })
        #expect(recorder.log.withLock { $0.opened } == false)
    }

    @Test func urlsSplitTheWayLibwebsocketsWantsThem() {
        let u = WebSocketURL("wss://fstream.binance.com/public/stream?streams=btcusdt@bookTicker")!
        #expect(u.secure && u.host == "fstream.binance.com" && u.port == 443)
        #expect(u.path == "/public/stream?streams=btcusdt@bookTicker")
        let k = WebSocketURL("ws://127.0.0.1:9443?x=1")!
        #expect(!k.secure && k.port == 9443 && k.path == "/?x=1")
        #expect(WebSocketURL("https://x") == nil)
        #expect(WebSocketURL("wss://:80/") == nil)
    }
}
