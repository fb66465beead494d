import Foundation
import HFTCore
import HFTSimulator
import HFTStream
import HFTWebSocket
import Testing

/// The simulator serving `wss://` on loopback with a self-signed certificate made at test time by `openssl`: a
/// stream with default verification refuses it; one with the explicit opt-out gets the replay.
@Suite(.serialized) struct StreamTLSTests {
    /// A self-signed certificate for 127.0.0.1 and its key, in a new temporary folder.
    static func selfSignedCertificate() throws -> (certificate: String, key: String, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hftkit-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let certificate = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
                             "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: certificate) else {
            throw HFTError(.configuration, "this test needs the openssl command (apt-get install openssl) to make a "
                + "self-signed certificate; `openssl req` exited with \(process.terminationStatus): \(message)")
        }
        return (certificate, key, folder)
    }

    @Test func defaultVerificationRefusesASelfSignedServerAndTheOptOutAcceptsIt() async throws {
        let tls = try Self.selfSignedCertificate()
        defer { try? FileManager.default.removeItem(at: tls.folder) }
        let fixture = try ReplayFixture(exchange: "binance", capture: "binance.jsonl")
        let simulator = try fixture.simulator {
            $0.certificatePath = tls.certificate
            $0.privateKeyPath = tls.key
        }
        defer { simulator.stop() }
        #expect(simulator.baseURL.hasPrefix("wss://127.0.0.1:"))

        // Default (full) verification: the handshake fails, is reported, and retried; nothing is delivered.
        let strict = try fixture.stream(endpoint: simulator.baseURL)
        let refused = CollectingObserver()
        strict.bind(refused)
        try strict.start()
        let failed = await refused.wait { refused.kinds.compactMap(\.disconnectReason).count >= 2 }
        strict.stop()
        #expect(failed, "health: \(refused.healthText)")
        #expect(refused.count == 0)
        #expect(!refused.kinds.contains(.connected))
        #expect(simulator.sessionsServed == 0)

        // Explicit opt-out: the replay arrives.
        let lenient = try fixture.stream(endpoint: simulator.baseURL) { $0.tls = .insecureAllowSelfSigned }
        let observer = CollectingObserver()
        lenient.bind(observer)
        try lenient.start()
        let arrived = await observer.wait { observer.count == fixture.expected.count }
        lenient.stop()
        #expect(arrived, "\(observer.count) of \(fixture.expected.count); health: \(observer.healthText)")
        #expect(ReplayFixture.grouped(observer.events.withLock { $0 }) == ReplayFixture.grouped(fixture.expected))
        #expect(observer.kinds.contains(.connected))
    }
}
