import ArgumentParser
import Dispatch
import Foundation
import HFTIPC

/// `hft ipc listen|send|broadcast|ping`: operate a running system of command systems (docs/command-line.md).
struct IPCToolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipc",
        abstract: "Talk to running HFTKit (or Python hftkit) processes over the ZeroMQ command system.",
        discussion: """
            Sockets live in $HFT_IPC_DIR (else $XDG_RUNTIME_DIR/hftkit, else /tmp/hftkit-UID). A process only \
            receives from the processes it connects to: `listen` connects to the operator name 'hft-cli' too, which \
            `send`, `broadcast` and `ping` use by default, so they reach it.
            """,
        subcommands: [IPCListenCommand.self, IPCSendCommand.self, IPCBroadcastCommand.self, IPCPingCommand.self]
    )
}

/// Options every `hft ipc` subcommand shares.
struct IPCIdentity: ParsableArguments {
    @Option(name: .customLong("as"), help: "This process's id.")
    var name: String = IPCDefaults.operatorName

    @Option(help: "Comma-separated ids of processes to receive from.")
    var connect: String = ""

    var peers: [String] { connect.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    func validate() throws {
        do {
            try CommandTopic.validate(processID: name)
            for peer in peers { try CommandTopic.validate(processID: peer) }
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// A started command system with this identity.
    func start() throws -> IPCCommandSystem {
        Quiet.libraries()
        let system = try IPCCommandSystem(processID: name)
        try system.start()
        return system
    }
}

enum IPCDefaults {
    /// The id `send`, `broadcast` and `ping` use unless `--as` says otherwise; `listen` connects to it.
    static let operatorName = "hft-cli"
}

/// Runs async work from a synchronous command, returning its result (or rethrowing).
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<T, any Error>?
    Task {
        do { result = .success(try await body()) } catch { result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try result!.get()
}

/// Parses a JSON payload argument (must be an object).
func payloadArgument(_ text: String) throws -> JSONValue {
    do {
        let value = try JSONValue(parsing: text)
        guard value.objectValue != nil else { throw ValidationError("the payload must be a JSON object, like '{\"status\":\"running\"}'") }
        return value
    } catch let error as JSONParseError {
        throw ValidationError("the payload is not JSON: \(error)")
    }
}

/// Prints a line to standard output at once.
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func note(_ line: String) {
    FileHandle.standardError.write(Data(("# " + line + "\n").utf8))
}

struct IPCListenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Run a command system that prints every command it receives as one JSON line and answers pings.",
        discussion: "Example: hft ipc listen --as monitor --connect gateway,api.one")

    @OptionGroup var identity: IPCIdentity

    @Flag(help: "Do not also connect to the operator id 'hft-cli'.")
    var noOperator = false

    @Option(help: "Exit after this many commands.")
    var count: Int?

    @Option(help: "Exit after this many seconds.")
    var seconds: Double?

    func run() throws {
        let finished = DispatchSemaphore(value: 0)
        Termination.install { _ in finished.signal() }
        let system = try identity.start()
        let remaining = Counter(count ?? Int.max)
        let print: IPCCommandSystem.Handler = { command in
            printLine(command.jsonText)
            if remaining.decrement() == 0 { finished.signal() }
        }
        system.registerCatchAllHandler(print)
        system.registerHandler(type: CommandType.ping) { ping in
            try system.sendCommand(target: ping.senderID, type: CommandType.pong, payload: CommandRouter.pong(answering: ping))
            try await print(ping)
        }
        var peers = identity.peers
        if !noOperator && identity.name != IPCDefaults.operatorName && !peers.contains(IPCDefaults.operatorName) {
            peers.append(IPCDefaults.operatorName)
        }
        for peer in peers {
            // Peers may start later: keep waiting for each, quietly for the operator id.
            Task {
                var announced = false
                while true {
                    do {
                        try await system.connect(toProcess: peer, timeout: 2)
                        if peer != IPCDefaults.operatorName { note("connected to \(peer)") }
                        return
                    } catch IPCError.notRunning {
                        return
                    } catch {
                        if !announced && peer != IPCDefaults.operatorName { note("waiting for \(peer)") }
                        announced = true
                    }
                }
            }
        }
        note("listening as \(identity.name) at \(system.endpoint)")
        if let seconds {
            _ = finished.wait(timeout: .now() + seconds)
        } else {
            finished.wait()
        }
        let stats = system.statistics
        system.stop()
        note("\(stats.dispatched) commands, \(stats.pingsAnswered) default pongs, \(stats.malformed) malformed, \(stats.duplicates) duplicates")
        if let count, remaining.value > 0 {
            throw ExitCode(1).withNote("only \(count - remaining.value) of \(count) commands arrived")
        }
    }
}

struct IPCSendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send one command to a process (or a group `prefix.*`, or `*`).",
        discussion: """
            Waits until the target has subscribed to this process (it connects to --as, 'hft-cli' by default; \
            `hft ipc listen` always does) before sending, so the command is not lost; for groups and `*`, \
            --wait-for names the processes to wait for, else --settle seconds pass first. Prints the command id; \
            with --reply, waits for the reply and prints it as a JSON line.
            Example: hft ipc send gateway status '{"verbose":true}' --reply
            """)

    @Argument(help: "The target process id, a group `prefix.*`, or `*`.")
    var target: String

    @Argument(help: "The command type.")
    var type: String

    @OptionGroup var delivery: IPCDelivery

    @Flag(help: "Wait for the reply (a command whose payload.in_reply_to is this command's id) and print it.")
    var reply = false

    func run() throws {
        try delivery.send(target: target, type: type, reply: reply)
    }
}

/// The payload and delivery options of `send` and `broadcast`.
struct IPCDelivery: ParsableArguments {
    @Argument(help: "The payload: a JSON object.")
    var payload: String = "{}"

    @OptionGroup var identity: IPCIdentity

    @Option(help: "Comma-separated processes that must be subscribed before sending.")
    var waitFor: String?

    @Option(help: "Seconds to let subscribers join when there is no one to wait for (groups, broadcast, no --wait-for).")
    var settle: Double = 1

    @Option(help: "Seconds to wait for subscribers and replies.")
    var timeout: Double = 5

    /// Starts this process's command system, waits for the receivers, sends, and prints the id (or the reply).
    func send(target: String, type: String, reply: Bool) throws {
        let payload = try payloadArgument(payload)
        let system = try identity.start()
        defer { system.stop() }
        try deliver(system, target: target, type: type, payload: payload, waitFor: waitFor, settle: settle, timeout: timeout, reply: reply, peers: identity.peers)
    }
}

private func deliver(_ system: IPCCommandSystem, target: String, type: String, payload: JSONValue, waitFor: String?, settle: Double, timeout: Double, reply: Bool, peers: [String]) throws {
    let explicit = waitFor.map { $0.split(separator: ",").map(String.init) }
    let individual = target != "*" && !target.hasSuffix(".*")
    let waitList = explicit ?? (individual ? [target] : [])
    try runBlocking {
        var connectTo = peers
        if reply && individual && !connectTo.contains(target) { connectTo.append(target) }
        for peer in connectTo { try await system.connect(toProcess: peer, timeout: timeout) }
        for peer in waitList { try await system.waitForSubscriber(peer, timeout: timeout) }
        if waitList.isEmpty { try await Task.sleep(nanoseconds: UInt64(settle * 1e9)) }
        if reply {
            let answer = try await system.request(target: target, type: type, payload: payload, timeout: timeout)
            printLine(answer.jsonText)
        } else {
            printLine(try system.sendCommand(target: target, type: type, payload: payload))
        }
    }
}

struct IPCBroadcastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broadcast",
        abstract: "Send one command to every process connected to this one (target `*`).",
        discussion: "Waits for --wait-for processes to subscribe, else --settle seconds; prints the command id.")

    @Argument(help: "The command type.")
    var type: String

    @OptionGroup var delivery: IPCDelivery

    func run() throws {
        try delivery.send(target: "*", type: type, reply: false)
    }
}

struct IPCPingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Ping a process and print round-trip times (any HFTKit or hftkit process answers ping with pong).",
        discussion: """
            The process must receive from this one (connect to --as, 'hft-cli' by default). Prints one line per \
            pong: 'pong from NAME: seq=N time=T µs', then a summary; exits 1 when a ping got no pong.
            """)

    @Argument(help: "The process to ping.")
    var process: String

    @OptionGroup var identity: IPCIdentity

    @Option(help: "Number of pings.")
    var count: Int = 4

    @Option(help: "Seconds between pings.")
    var interval: Double = 0.2

    @Option(help: "Seconds to wait for the process and for each pong.")
    var timeout: Double = 5

    func validate() throws {
        if count <= 0 { throw ValidationError("--count must be positive (got \(count))") }
    }

    func run() throws {
        let system = try identity.start()
        defer { system.stop() }
        let (process, count, interval, timeout) = (process, count, interval, timeout)
        let lost = try runBlocking { () -> Int in
            try await system.connect(toProcess: process, timeout: timeout)
            try await system.waitForSubscriber(process, timeout: timeout)
            var times: [Double] = []
            var lost = 0
            for seq in 1...count {
                let start = DispatchTime.now().uptimeNanoseconds
                do {
                    _ = try await system.request(target: process, type: CommandType.ping, payload: ["time": .number(IPCCommandSystem.nowMicroseconds())], timeout: timeout)
                    let micros = Double(DispatchTime.now().uptimeNanoseconds - start) / 1000
                    times.append(micros)
                    printLine("pong from \(process): seq=\(seq) time=\(String(format: "%.1f", micros)) µs")
                } catch IPCError.timeout {
                    lost += 1
                    printLine("no pong from \(process): seq=\(seq) (timeout \(timeout) s)")
                }
                if seq < count { try await Task.sleep(nanoseconds: UInt64(interval * 1e9)) }
            }
            let sorted = times.sorted()
            if !sorted.isEmpty {
                note("\(count) pings, \(lost) lost; round trip min \(String(format: "%.1f", sorted[0])) / median \(String(format: "%.1f", sorted[sorted.count / 2])) / max \(String(format: "%.1f", sorted[sorted.count - 1])) µs")
            }
            return lost
        }
        if lost > 0 { throw ExitCode(1) }
    }
}

/// A thread-safe countdown.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: Int
    init(_ n: Int) { remaining = n }
    var value: Int { lock.withLock { remaining } }
    func decrement() -> Int { lock.withLock { remaining -= 1; return remaining } }
}

extension ExitCode {
    func withNote(_ text: String) -> ExitCode {
        note(text)
        return self
    }
}
