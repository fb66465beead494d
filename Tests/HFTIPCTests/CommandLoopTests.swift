import Foundation
import HFTIPC
import Synchronization
import Testing

/// The receive loop's connection handling over real ipc sockets: one SUB socket serves every connection, so
/// connecting, disconnecting, publishers restarting and stopping from a handler must not disturb the others.
@Suite(.serialized) struct CommandLoopTests {
    /// Three publishers into one receiver; commands from each arrive in each sender's order, and after
    /// `disconnect(fromProcess:)` nothing more comes from that one while the others still arrive.
    @Test func severalConnectionsAndDisconnectingOne() async throws {
        let dir = CommandTestDirectory()
        defer { dir.remove() }
        let collector = CommandCollector()
        let receiver = try IPCCommandSystem.started("hub", in: dir, collecting: ["n"], into: collector)
        let senders = try (0..<3).map { try IPCCommandSystem.started("src\($0)", in: dir) }
        defer { ([receiver] + senders).forEach { $0.stop() } }
        for sender in senders { try await receiver.connect(toProcess: sender.processID) }
        #expect(receiver.connectedProcesses == ["src0", "src1", "src2"])

        var sent: [String: [String]] = [:]
        for i in 0..<300 {
            let sender = senders[i % 3]
            sent[sender.processID, default: []].append(try sender.sendCommand(target: "hub", type: "n", payload: ["i": .number(Int64(i))]))
        }
        let got = await collector.wait(for: 300, seconds: 30)
        #expect(got.count == 300)
        for sender in senders {
            #expect(got.filter { $0.senderID == sender.processID }.map(\.commandID) == sent[sender.processID], "order from \(sender.processID)")
        }

        receiver.disconnect(fromProcess: "src1")
        #expect(receiver.connectedProcesses == ["src0", "src2"])
        // The publisher sees the unsubscription once the disconnect is done: then nothing it sends may arrive.
        let deadline = Date().addingTimeInterval(10)
        while senders[1].subscribers.contains("hub") && Date() < deadline { try await Task.sleep(nanoseconds: 5_000_000) }
        #expect(!senders[1].subscribers.contains("hub"))
        try senders[1].sendCommand(target: "hub", type: "n", payload: ["after": true])
        try senders[1].broadcast(type: "n", payload: ["after": true])
        let last0 = try senders[0].sendCommand(target: "hub", type: "n")
        let last2 = try senders[2].sendCommand(target: "hub", type: "n")
        let after = await collector.wait(for: 302, seconds: 30)
        #expect(Set(after.dropFirst(300).map(\.commandID)) == [last0, last2])
        #expect(await collector.settle().count == 302, "nothing from the disconnected process")
    }

    /// Connecting to more processes while commands stream in from an earlier connection loses none of them
    /// (each connect renews the welcome request on the shared socket).
    @Test func connectingMoreProcessesDuringAStreamLosesNothing() async throws {
        let dir = CommandTestDirectory()
        defer { dir.remove() }
        let collector = CommandCollector()
        let receiver = try IPCCommandSystem.started("sink", in: dir, collecting: ["seq"], into: collector)
        let streamer = try IPCCommandSystem.started("stream", in: dir)
        let others = try (0..<4).map { try IPCCommandSystem.started("late\($0)", in: dir) }
        defer { ([receiver, streamer] + others).forEach { $0.stop() } }
        try await receiver.connect(toProcess: "stream")

        let sending = Task.detached {
            var ids: [String] = []
            for i in 0..<2000 {
                ids.append(try streamer.sendCommand(target: "sink", type: "seq", payload: ["i": .number(Int64(i))]))
                if i % 100 == 0 { try await Task.sleep(nanoseconds: 1_000_000) }
            }
            return ids
        }
        for other in others { try await receiver.connect(toProcess: other.processID) }
        let ids = try await sending.value
        let got = await collector.wait(for: 2000, seconds: 60)
        #expect(got.map(\.commandID) == ids)
        // Every new connection is live: each late process reaches the receiver right after connect returned.
        let fromLate = try others.map { try $0.sendCommand(target: "sink", type: "seq") }
        let all = await collector.wait(for: 2000 + others.count, seconds: 30)
        #expect(Set(all.dropFirst(2000).map(\.commandID)) == Set(fromLate))
    }

    /// A publisher that stops and starts again (a new process with the same id, same address): ZeroMQ reconnects
    /// the receiver's socket and resends its subscriptions; commands sent after the publisher sees them arrive.
    @Test func aRestartedPublisherIsHeardAgain() async throws {
        let dir = CommandTestDirectory()
        defer { dir.remove() }
        let collector = CommandCollector()
        let receiver = try IPCCommandSystem.started("listener", in: dir, collecting: ["hello"], into: collector)
        defer { receiver.stop() }
        var publisher = try IPCCommandSystem.started("phoenix", in: dir)
        try await receiver.connect(toProcess: "phoenix")
        let first = try publisher.sendCommand(target: "listener", type: "hello")
        #expect(await collector.wait(for: 1).map(\.commandID) == [first])

        publisher.stop()
        publisher = try IPCCommandSystem.started("phoenix", in: dir)
        defer { publisher.stop() }
        try await publisher.waitForSubscriber("listener", timeout: 20)
        let second = try publisher.sendCommand(target: "listener", type: "hello")
        #expect(await collector.wait(for: 2).map(\.commandID) == [first, second])
        // The restarted publisher welcomes the receiver again (sent as it reads the subscriptions; may come last).
        let deadline = Date().addingTimeInterval(20)
        while receiver.statistics.welcomesReceived < 2 && Date() < deadline { try await Task.sleep(nanoseconds: 5_000_000) }
        #expect(receiver.statistics.welcomesReceived >= 2)
    }

    /// `stop()` from inside a handler (synchronous, on the loop thread, and asynchronous) returns, and the system is
    /// stopped: its socket file is gone and sending fails with `notRunning`.
    @Test func stopFromAHandler() async throws {
        let dir = CommandTestDirectory()
        defer { dir.remove() }
        let sender = try IPCCommandSystem.started("boss", in: dir)
        defer { sender.stop() }
        for kind in ["sync", "async"] {
            let worker = try IPCCommandSystem.started("worker-\(kind)", in: dir)
            let stopped = CommandCollector()
            if kind == "sync" {
                worker.registerHandler(type: "quit", sync: { command in
                    worker.stop()
                    stopped.add(command)
                })
            } else {
                worker.registerHandler(type: "quit", handler: { command in
                    await Task.yield()
                    worker.stop()
                    stopped.add(command)
                })
            }
            try await worker.connect(toProcess: "boss")
            try sender.sendCommand(target: worker.processID, type: "quit")
            #expect(await stopped.wait(for: 1).count == 1, "\(kind)")
            #expect(!FileManager.default.fileExists(atPath: dir.directory.commandSocketFile(processID: worker.processID)), "\(kind)")
            #expect(throws: IPCError.notRunning) { try worker.sendCommand(target: "boss", type: "x") }
            worker.stop()  // idempotent
        }
    }
}
