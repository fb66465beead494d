import Foundation
import HFTWebSocket
import Synchronization
import Testing

/// The HTTP client role (order-book REST snapshots) against an independent server (Python's `http.server`), and
/// the server role's plain HTTP answers (the simulator's REST snapshots) read by an independent client (Python's
/// `urllib`) and by the client role.
@Suite(.serialized) struct HTTPRequestTests {
    /// Runs `service.get(url)` and waits for its result.
    static func fetch(_ client: WebSocketService, _ url: HTTPURL) -> Result<HTTPResponse, HTTPRequestError>? {
        let result = Mutex<Result<HTTPResponse, HTTPRequestError>?>(nil)
        client.execute { service in
            service.get(url) { outcome in result.withLock { $0 = outcome } }
        }
        for _ in 0..<3000 {
            if let r = result.withLock({ $0 }) { return r }
            usleep(10_000)
        }
        return nil
    }

    @Test func getsABodyFromPythonsHTTPServer() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hft-http-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // 200 KB: several reads on the client side.
        let body = (0..<200_000).map { UInt8(48 + $0 % 10) }
        try Data(body).write(to: folder.appendingPathComponent("depth.json"))
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Port 0 is not printed reliably by http.server; a small script binds, prints its port, then serves.
        python.arguments = ["python3", "-c", """
            import http.server, socketserver, functools, sys
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            handler.log_message = lambda *a: None
            with socketserver.TCPServer(("127.0.0.1", 0), handler) as s:
                print(s.server_address[1], flush=True)
                s.serve_forever()
            """, folder.path]
        let out = Pipe()
        python.standardOutput = out
        try python.run()
        defer {
            // SIGKILL: the test runner's children may inherit a mask that blocks SIGTERM.
            kill(python.processIdentifier, SIGKILL)
            python.waitUntilExit()
        }
        var portText = ""
        while !portText.hasSuffix("\n") {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            guard !byte.isEmpty else { break }
            portText += String(decoding: byte, as: UTF8.self)
        }
        let port = try #require(Int(portText.trimmingCharacters(in: .whitespacesAndNewlines)))
        let client = try WebSocketService(options: .init(name: "http-client"))
        defer { client.shutdown() }
        let ok = try #require(Self.fetch(client, HTTPURL("http://127.0.0.1:\(port)/depth.json?symbol=X")!)).get()
        #expect(ok.status == 200)
        #expect(ok.body == body)
        let missing = try #require(Self.fetch(client, HTTPURL("http://127.0.0.1:\(port)/nothing")!)).get()
        #expect(missing.status == 404)
    }

    @Test func serverRoleAnswersPlainHTTPRequests() throws {
        let server = try WebSocketService(options: .init(name: "http-server", listenPort: 0))
        defer { server.shutdown() }
        let body = Array(#"{"lastUpdateId":7,"bids":[["1.0","2"]],"asks":[]}"#.utf8)
        server.onHTTPRequest = { _, path in
            return path == "/api/v3/depth?symbol=BTCUSDT&limit=1000" ? (200, "application/json", body) : (404, "text/plain", Array("no \(path)\n".utf8))
        }
        // An independent client first.
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", """
            import sys, urllib.request
            print(urllib.request.urlopen(sys.argv[1], timeout=20).read().decode(), end="")
            """, "http://127.0.0.1:\(server.listeningPort)/api/v3/depth?symbol=BTCUSDT&limit=1000"]
        let out = Pipe()
        python.standardOutput = out
        try python.run()
        let printed = out.fileHandleForReading.readDataToEndOfFile()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0)
        #expect(Array(printed) == body)
        // Then the client role.
        let client = try WebSocketService(options: .init(name: "http-client"))
        defer { client.shutdown() }
        let ok = try #require(Self.fetch(client, HTTPURL("http://127.0.0.1:\(server.listeningPort)/api/v3/depth?symbol=BTCUSDT&limit=1000")!)).get()
        #expect(ok.status == 200 && ok.body == body)
        let other = try #require(Self.fetch(client, HTTPURL("http://127.0.0.1:\(server.listeningPort)/other")!)).get()
        #expect(other.status == 404)
    }

    @Test func refusedRequestFails() throws {
        let client = try WebSocketService(options: .init(name: "http-client"))
        defer { client.shutdown() }
        let result = try #require(Self.fetch(client, HTTPURL("http://127.0.0.1:1/x")!))
        guard case .failure = result else {
            Issue.record("a GET to a closed port succeeded")
            return
        }
        #expect(HTTPURL("https://api.binance.com/api/v3/depth?symbol=BTCUSDT")?.port == 443)
        #expect(HTTPURL("ws://x") == nil)
    }
}
