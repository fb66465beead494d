import CLibWebSockets
import CZeroMQ
import Foundation
import HFTIPC
import HFTWebSocket
import Testing

/// The C libraries link and work: libwebsockets creates and destroys a context, libzmq moves a message.
@Suite struct CLibraryBindingsTests {
    @Test func libwebsocketsContextLifecycle() throws {
        LibWebSockets.setLogLevels(LLL_ERR | LLL_WARN)
        #expect(LibWebSockets.version.hasPrefix("4."))
        // LWS_PRE is the padded size of the largest frame header (4 + 10 + 2 bytes), so at least 16.
        #expect(LibWebSockets.preHeadroom >= 16)
        var context: LWSClientContext? = try LWSClientContext()
        #expect(lws_get_vhost_by_name(context!.handle, "default") != nil)
        context?.cancelService()  // legal from any thread, also with no service loop running
        context = nil  // lws_context_destroy
    }

    @Test func zeroMQPubSubOverIPC() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hftkit-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let endpoint = "ipc://\(directory.path)/md.sock"

        let context = try ZMQContext()
        let publisher = try ZMQSocket(context, .pub)
        try publisher.bind(endpoint)
        let subscriber = try ZMQSocket(context, .sub)
        try subscriber.subscribe(Array("BTC-USDT".utf8))
        try subscriber.setReceiveTimeout(milliseconds: 100)
        try subscriber.connect(endpoint)

        // PUB drops messages until the subscription has propagated ("slow joiner"): publish until one arrives.
        var received: [[UInt8]]?
        for _ in 0..<50 where received == nil {
            try publisher.send(Array("ETH-USDT".utf8), more: true)  // filtered out by the subscription
            try publisher.send(Array("other".utf8))
            try publisher.send(Array("BTC-USDT".utf8), more: true)
            try publisher.send(Array("65083.67".utf8))
            guard let first = try receiveUnlessTimedOut(subscriber) else { continue }
            #expect(first.more)
            let second = try subscriber.receive()
            #expect(!second.more)
            received = [first.bytes, second.bytes]
        }
        #expect(received == [Array("BTC-USDT".utf8), Array("65083.67".utf8)])
    }

    private func receiveUnlessTimedOut(_ socket: ZMQSocket) throws -> (bytes: [UInt8], more: Bool)? {
        do {
            return try socket.receive()
        } catch {
            if error.isWouldBlock { return nil }
            throw error
        }
    }

    @Test func zeroMQErrorsNameTheCall() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context, .pub)
        do {
            try socket.bind("nonsense://x")
            Issue.record("bind to an unknown transport succeeded")
        } catch {
            #expect(error.description == "zmq_bind(nonsense://x): Protocol not supported (errno \(EPROTONOSUPPORT))")
        }
    }
}
