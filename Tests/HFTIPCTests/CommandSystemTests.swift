import CZeroMQ
import Foundation
import HFTIPC
import Synchronization
import Testing

/// Command systems over real ZeroMQ ipc sockets, in this process (each with its own context and threads).
@Suite(.serialized) struct CommandSystemTests {
    @Test func unicastBroadcastAndGroupReachExactlyTheirTargets() async throws {
        let dir = CommandTestDirectory()
        defer { dir.remove() }
        let gw = CommandCollector(), api1 = CommandCollector(), api2 = CommandCollector()
        let sender = try IPCCommandSystem.started("ctl", in: dir)
        let a = try IPCCommandSystem.started("gateway", in: dir, collecting: ["status"], into: gw)
        let b = try IPCCommandSystem.started("api.one", in: dir, collecting: ["status"], into: api1)
        let c = try IPCCommandSystem.started("api.two", in: dir, collecting: ["status"], into: api2)
        defer { [sender, a, b, c].forEach { $0.stop() } }
        for receiver in [a, b, c] { try await receiver.connect(toProcess: "ctl") }

        let unicast = try sender.sendCommand(target: "gateway", type: "status", payload: ["n": 1])
        let group = try sender.sendCommand(target: "api.*", type: "status", payload: ["n": 2])
        let all = try sender.broadcast(type: "status", payload: ["n": 3])

        #expect(await gw.wait(for: 2).map(\.commandID) == [unicast, all])
        #expect(await api1.wait(for: 2).map(\.commandID) == [group, all])
        #expect(await api2.wait(for: 2).map(\.commandID) == [group, all])
        let received = try #require(gw.all.first)
        #expect(received.senderID == "ctl" && received.targetID == "gateway" && received.payload == ["n": 1])
        _ = await gw.settle()
        #expect(gw.count == 2 && api1.count == 2 && api2.count == 2)
    }

    @Test func requestGetsItsReplyOrTimesOut() async throws {
        let dir = CommandTestDirectory()
        defer { dir.remove() }
        let client = try IPCCommandSystem.started("client", in: dir)
        let server = try IPCCommandSystem.started("server", in: dir)
        defer { client.stop(); server.stop() }
        server.registerHandler(type: "add") { command in
            let sum = (command.payload["a"]?.int64Value ?? 0) + (command.payload["b"]?.int64Value ?? 0)
            try server.reply(to: command, payload: ["sum": .number(sum)])
        }
        server.registerHandler(type: "silent") { _ in }
        try await client.connect(toProcess: "server")
        try await server.connect(toProcess: "client")

        let reply = try await client.request(target: "server", type: "add", payload: ["a": 2, "b": 40])
        #expect(reply.commandType == "add_reply")
        #expect(reply.payload["sum"] == 42)
        #expect(reply.senderID == "server")

        // The default pong echoes the ping's time.
        let pong = try await client.request(target: "server", type: "ping", payload: ["time": 123456])
        #expect(pong.commandType == "pong" && pong.payload["time"] == 123456)

        await #expect(throws: IPCError.self) {
            _ = try await client.request(target: "server", type: "silent", timeout: 0.3)
        }
        #expect(client.statistics.repliesMatched == 2)

        // Cancelling the waiting task ends the request at once, long before its timeout.
        let started = ContinuousClock.now
        let waiting = Task { try await client.request(target: "server", type: "silent", timeout: 30) }
        try await Task.sleep(for: .milliseconds(100))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }
        #expect(ContinuousClock.now - started < .seconds(10))
        // An already cancelled task does not send and wait either.
        let cancelled = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.request(target: "server", type: "silent", timeout: 30)
        }
        await #expect(throws: CancellationError.self) { _ = try await cancelled.value }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    /// What `connect(toProcess:)` promises: a command sent right after it returns arrives. 50 fresh pairs.
    @Test func noCommandIsLostAfterConnectReturns() async throws {
        let dir = CommandTestDirectory()
        defer { dir.remove() }
        for round in 0..<50 {
            let collector = CommandCollector()
            let publisher = try IPCCommandSystem.started("pub\(round)", in: dir)
            let receiver = try IPCCommandSystem.started("sub\(round)", in: dir, collecting: ["first"], into: collector)
            try await receiver.connect(toProcess: "pub\(round)")
            let id = try publisher.sendCommand(target: "sub\(round)", type: "first")
            let broadcast = try publisher.broadcast(type: "first")
            let got = await collector.wait(for: 2, seconds: 10).map(\.commandID)
            #expect(got == [id, broadcast], "round \(round)")
            receiver.stop()
            publisher.stop()
        }
    }

    @Test func aBurstOf10000ArrivesOnceAndInOrder() async throws {
        let dir = CommandTestDirectory()
        defer { dir.remove() }
        let collector = CommandCollector()
        let sender = try IPCCommandSystem.started("burst", in: dir)
        let receiver = try IPCCommandSystem.started("sink", in: dir, collecting: ["seq"], into: collector)
        defer { sender.stop(); receiver.stop() }
        try await receiver.connect(toProcess: "burst")
        var ids: [String] = []
        for i in 0..<10_000 { ids.append(try sender.sendCommand(target: "sink", type: "seq", payload: ["i": .number(Int64(i))])) }
        let got = await collector.wait(for: 10_000, seconds: 60)
        #expect(got.count == 10_000)
        #expect(got.map(\.commandID) == ids)
        #expect(got.enumerated().allSatisfy { $0.element.payload["i"]?.int64Value == Int64($0.offset) })
        #expect(receiver.statistics.dispatched == 10_000)
    }

    /// Synchronous handlers run inline on the loop thread only when nothing is queued or running: mixed with an
    /// async handler that suspends, every command still runs once, in arrival order, one handler at a time.
    @Test func synchronousAndSuspendingHandlersKeepOrderAndRunOneAtATime() async throws {
        let dir = CommandTestDirectory()
        defer { dir.remove() }
        let sender = try IPCCommandSystem.started("mix-out", in: dir)
        let receiver = try IPCCommandSystem.started("mix-in", in: dir)
        defer { sender.stop(); receiver.stop() }
        let collector = CommandCollector()
        final class Gate: Sendable {
            let running = Atomic<Int>(0)
            let overlaps = Atomic<Int>(0)
            func enter() { if running.add(1, ordering: .sequentiallyConsistent).newValue > 1 { overlaps.add(1, ordering: .relaxed) } }
            func leave() { running.subtract(1, ordering: .sequentiallyConsistent) }
        }
        let gate = Gate()
        receiver.registerHandler(type: "fast", sync: { command in
            gate.enter()
            collector.add(command)
            gate.leave()
        })
        receiver.registerHandler(type: "slow", handler: { command in
            gate.enter()
            await Task.yield()
            try await Task.sleep(nanoseconds: 1_000_000)  // suspends: later frames arrive meanwhile
            collector.add(command)
            gate.leave()
        })
        try await receiver.connect(toProcess: "mix-out")
        var ids: [String] = []
        for i in 0..<400 {
            ids.append(try sender.sendCommand(target: "mix-in", type: i % 8 == 0 ? "slow" : "fast", payload: ["i": .number(Int64(i))]))
        }
        let got = await collector.wait(for: 400, seconds: 60)
        #expect(got.map(\.commandID) == ids)
        #expect(gate.overlaps.load(ordering: .relaxed) == 0)
        #expect(receiver.statistics.dispatched == 400 && receiver.statistics.handlerErrors == 0)
    }

    /// Raw frames from a plain ZeroMQ PUB (an original-design peer, or a broken one): garbage is counted and
    /// skipped, a repeated command id is delivered once, unknown types are counted, and the receiver keeps working.
    @Test func malformedDuplicateAndUnknownFramesAreCountedNotFatal() async throws {
        let dir = CommandTestDirectory()
        defer { dir.remove() }
        try dir.directory.prepare()
        let context = try ZMQContext()
        let raw = try ZMQSocket(context, .pub)
        try raw.bind(dir.directory.commandEndpoint(processID: "raw"))
        let collector = CommandCollector()
        let receiver = try IPCCommandSystem.started("victim", in: dir, collecting: ["ok"], into: collector)
        defer { receiver.stop() }
        // A plain PUB sends no welcome and ignores pings: connect without waiting, then publish until one arrives.
        try await receiver.connect(toProcess: "raw", waitUntilLive: false)
        func frame(_ id: String, _ type: String) -> [UInt8] {
            let topic = "victim.\(type)"
            return Array(topic.utf8) + Array(repeating: 0x20, count: 64 - topic.utf8.count)
                + Array(#"{"command_id":"\#(id)","sender_id":"raw","target_id":"victim","command_type":"\#(type)","timestamp":1,"payload":{}}"#.utf8)
        }
        var attempt = 0
        while collector.count == 0 && attempt < 500 {
            try raw.send(frame("probe\(attempt)", "ok"))
            attempt += 1
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        #expect(collector.count >= 1)
        let before = receiver.statistics
        try raw.send(Array("victim.ok".utf8) + Array(repeating: 0x20, count: 55) + Array("{not json".utf8))
        try raw.send(Array("victim.".utf8))  // shorter than a topic
        try raw.send(Array("victim.ok".utf8) + Array(repeating: 0x20, count: 55) + [0xFF, 0xFE, 0x00])
        try raw.send(frame("dup", "ok"))
        try raw.send(frame("dup", "ok"))
        try raw.send(frame("u1", "nobody_handles_this"))
        try raw.send(frame("last", "ok"))
        let got = await collector.wait(for: attempt > 0 ? collector.count + 2 : 2).suffix(2).map(\.commandID)
        #expect(got == ["dup", "last"])
        let after = receiver.statistics
        #expect(after.malformed - before.malformed == 3)
        #expect(after.duplicates - before.duplicates == 1)
        #expect(after.unhandled - before.unhandled == 1)
    }

    @Test func handlerErrorsAreIsolated() async throws {
        let dir = CommandTestDirectory()
        defer { dir.remove() }
        struct Boom: Error {}
        let collector = CommandCollector()
        let sender = try IPCCommandSystem.started("s", in: dir)
        let receiver = try IPCCommandSystem.started("r", in: dir, collecting: ["fine"], into: collector)
        defer { sender.stop(); receiver.stop() }
        receiver.registerHandler(type: "fails") { _ in throw Boom() }
        try await receiver.connect(toProcess: "s")
        try sender.sendCommand(target: "r", type: "fails")
        let ok = try sender.sendCommand(target: "r", type: "fine")
        #expect(await collector.wait(for: 1).map(\.commandID) == [ok])
        #expect(receiver.statistics.handlerErrors == 1)
    }

    @Test func socketFilesArePrivateAndStaleOnesAreReplaced() async throws {
        let dir = CommandTestDirectory()
        defer { dir.remove() }
        try dir.directory.prepare()
        // A stale socket file left by a dead process (no lock holder).
        let socketFile = dir.directory.commandSocketFile(processID: "svc")
        _ = FileManager.default.createFile(atPath: socketFile, contents: Data("stale".utf8))
        let system = try IPCCommandSystem.started("svc", in: dir)
        var info = stat()
        #expect(stat(socketFile, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFSOCK, "the stale file was replaced by a socket")
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(stat(dir.path + "/command", &info) == 0 && info.st_mode & 0o777 == 0o700)
        #expect(stat(dir.path, &info) == 0 && info.st_mode & 0o777 == 0o700)

        // A second system with the same id is refused while the first runs, naming the holder's pid.
        let twin = try IPCCommandSystem(processID: "svc", directory: dir.directory)
        #expect(throws: IPCError.self) { try twin.start() }
        do {
            try twin.start()
        } catch {
            #expect("\(error)".contains("already running (pid \(getpid()))"))
        }
        system.stop()
        #expect(!FileManager.default.fileExists(atPath: socketFile))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/command/svc.lock"))

        // Connecting to a process that is not running fails with its name and address.
        let lonely = try IPCCommandSystem.started("lonely", in: dir)
        defer { lonely.stop() }
        do {
            try await lonely.connect(toProcess: "ghost", timeout: 1)
            Issue.record("connect to a missing process returned")
        } catch {
            #expect("\(error)".contains("process ghost not running at ipc://\(dir.path)/command/ghost.ipc"))
        }
        #expect(lonely.connectedProcesses.isEmpty)
        #expect(throws: IPCError.topicTooLong(topic: "ghost." + String(repeating: "x", count: 60), bytes: 66)) {
            try lonely.sendCommand(target: "ghost", type: String(repeating: "x", count: 60))
        }
    }
}
