import Foundation
import HFTIPC
import Testing

/// Command systems in separate processes: `hft ipc listen` (Swift) and `python3 -m hftkit.commands` (pyzmq, the
/// Python package) against a command system in this test process, and against each other.
@Suite(.serialized) struct CommandProcessTests {
    static func decode(_ lines: [String]) -> [IPCCommand] {
        lines.compactMap { line in
            guard let value = try? JSONValue(parsing: line), let id = value["command_id"]?.stringValue else { return nil }
            return IPCCommand(commandID: id, senderID: value["sender_id"]?.stringValue ?? "", targetID: value["target_id"]?.stringValue ?? "",
                              commandType: value["command_type"]?.stringValue ?? "", timestamp: value["timestamp"]?.int64Value ?? 0,
                              payload: value["payload"] ?? .null)
        }
    }

    static func isCommand(_ line: String) -> Bool { line.hasPrefix("{") }

    @Test func listenersInSwiftAndPythonGetUnicastGroupAndBroadcast() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Products.hft.path), "no hft at \(Products.hft.path)")
        let dir = CommandTestDirectory()
        defer { dir.remove() }
        let control = try IPCCommandSystem.started("ctl", in: dir)
        defer { control.stop() }
        let swiftOne = try ChildProcess(Products.hft, ["ipc", "listen", "--as", "grp.swift", "--connect", "ctl"], ipcDirectory: dir.path)
        let python = try ChildProcess.python(["-m", "hftkit.commands", "listen", "--as", "grp.py", "--connect", "ctl"], ipcDirectory: dir.path)
        let outsider = try ChildProcess(Products.hft, ["ipc", "listen", "--as", "other", "--connect", "ctl"], ipcDirectory: dir.path)
        defer { [swiftOne, python, outsider].forEach { $0.stop() } }
        for peer in ["grp.swift", "grp.py", "other"] { try await control.waitForSubscriber(peer, timeout: 30) }

        let toSwift = try control.sendCommand(target: "grp.swift", type: "status", payload: ["price": .number("65083.67000000")])
        let toPython = try control.sendCommand(target: "grp.py", type: "status", payload: ["text": "é\n\"q\""])
        let group = try control.sendCommand(target: "grp.*", type: "reload", payload: ["n": 1])
        let all = try control.broadcast(type: "heartbeat", payload: ["status": "running"])

        let swiftGot = Self.decode(await swiftOne.waitForLines(3, Self.isCommand))
        let pythonGot = Self.decode(await python.waitForLines(3, Self.isCommand))
        let outsiderGot = Self.decode(await outsider.waitForLines(1, Self.isCommand))
        #expect(swiftGot.map(\.commandID) == [toSwift, group, all])
        #expect(pythonGot.map(\.commandID) == [toPython, group, all])
        #expect(outsiderGot.map(\.commandID) == [all])
        // What each printed is the command as sent (the Python side re-encodes the JSON it decoded).
        #expect(swiftGot.first?.payload == ["price": .number("65083.67000000")])
        #expect(pythonGot.first?.payload == ["text": "é\n\"q\""])
        #expect(pythonGot.last?.senderID == "ctl" && pythonGot.last?.targetID == "*" && pythonGot.last?.commandType == "heartbeat")
    }

    /// Any process answers ping with pong, whatever its language: Python → Swift, Swift → Python, and
    /// `hft ipc ping` against the Python listener.
    @Test func pingPongBetweenPythonAndSwift() async throws {
        let dir = CommandTestDirectory()
        defer { dir.remove() }
        // A Swift process (the listener answers pings itself) that receives from the Python pinger.
        let swift = try ChildProcess(Products.hft, ["ipc", "listen", "--as", "sw", "--connect", "pyping"], ipcDirectory: dir.path)
        defer { swift.stop() }
        let pinger = try ChildProcess.python(["-m", "hftkit.commands", "ping", "sw", "--as", "pyping", "--count", "3"], ipcDirectory: dir.path)
        let pongs = await pinger.waitForLines(3, seconds: 60) { $0.hasPrefix("pong from sw") }
        pinger.process.waitUntilExit()
        #expect(pongs.count == 3, "\(pinger.printed)")
        #expect(pinger.process.terminationStatus == 0)

        // This (Swift) process pings a Python command system; its default handler answers.
        let python = try ChildProcess.python(["-m", "hftkit.commands", "listen", "--as", "py", "--connect", "swping"], ipcDirectory: dir.path)
        defer { python.stop() }
        let system = try IPCCommandSystem.started("swping", in: dir)
        try await system.connect(toProcess: "py", timeout: 30)
        try await system.waitForSubscriber("py", timeout: 30)
        let pong = try await system.request(target: "py", type: "ping", payload: ["time": 1702345678000000], timeout: 10)
        #expect(pong.commandType == "pong")
        #expect(pong.senderID == "py")
        #expect(pong.payload["time"] == 1702345678000000)
        system.stop()

        // `hft ipc ping` (as the operator id, which the Python listener connects to by default).
        let cli = try ChildProcess(Products.hft, ["ipc", "ping", "py", "--count", "2", "--interval", "0.05", "--timeout", "30"], ipcDirectory: dir.path)
        cli.process.waitUntilExit()
        #expect(cli.process.terminationStatus == 0)
        #expect(cli.printed.filter { $0.hasPrefix("pong from py: seq=") }.count == 2, "\(cli.printed)")
    }

    /// `hft ipc send --reply` to a Swift listener: request/reply across processes, matched by id.
    @Test func cliRequestReplyAndBurstToAListenerProcess() async throws {
        let dir = CommandTestDirectory()
        defer { dir.remove() }
        let count = 10_000
        let listener = try ChildProcess(Products.hft, ["ipc", "listen", "--as", "sink", "--connect", "burst", "--count", "\(count + 1)"], ipcDirectory: dir.path)
        defer { listener.stop() }
        let reply = try ChildProcess(Products.hft, ["ipc", "send", "sink", "ping", #"{"time":42}"#, "--reply", "--timeout", "30"], ipcDirectory: dir.path)
        reply.process.waitUntilExit()
        #expect(reply.process.terminationStatus == 0)
        let pong = try #require(Self.decode(reply.printed).first, "\(reply.printed)")
        #expect(pong.commandType == "pong" && pong.senderID == "sink" && pong.payload["time"] == 42)

        let sender = try IPCCommandSystem.started("burst", in: dir)
        defer { sender.stop() }
        try await sender.waitForSubscriber("sink", timeout: 30)
        var ids: [String] = []
        for i in 0..<count { ids.append(try sender.sendCommand(target: "sink", type: "seq", payload: ["i": .number(Int64(i))])) }
        let got = Self.decode(await listener.waitForLines(count + 1, seconds: 120, Self.isCommand)).filter { $0.commandType == "seq" }
        #expect(got.count == count)
        #expect(got.map(\.commandID) == ids, "all \(count) once and in order")
        listener.process.waitUntilExit()
        #expect(listener.process.terminationStatus == 0)
    }
}
