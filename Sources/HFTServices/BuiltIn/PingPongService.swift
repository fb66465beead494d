import HFTCore
import HFTIPC

/// The original ping/pong pair (`examples/pingpong/`): a process with `ping_target` sends `ping` to it every
/// `interval_seconds` (default 1) with a sequence number and its send time; every process answers a `ping` with a
/// `pong` to the sender carrying the same number. Both sides print one line per command:
///
/// ```
/// ping #3 → process_b
/// ping #3 ← process_a
/// pong #3 ← process_b rtt 412 µs
/// ```
///
/// Settings: `ping_target` (a process id), `interval_seconds`, `count` (stop after that many pings).
public actor PingPongService: Service {
    public static let settingKeys: Set<String> = ["ping_target", "interval_seconds", "count"]

    public nonisolated let context: ServiceContext
    let target: String?
    let interval: Duration
    let limit: Int?
    private var sent = 0
    /// Pongs received (for tests embedding the service).
    public private(set) var pongs = 0

    public init(context: ServiceContext) throws {
        self.context = context
        let settings = context.settings
        var issues: [ConfigurationError.Issue] = []
        target = ServiceSettings.processID(settings["ping_target"], path: "\(settings.path).ping_target", issues: &issues)
        let seconds = settings["interval_seconds"]?.doubleValue ?? 1
        if let v = settings["interval_seconds"], v.doubleValue.map({ !($0 > 0) }) ?? true {
            issues.append(.init(path: "\(settings.path).interval_seconds", message: "expected a positive number of seconds"))
        }
        interval = .milliseconds(Int64((seconds * 1000).rounded()))
        limit = settings["count"]?.intValue
        guard issues.isEmpty else { throw ConfigurationError(source: "service.\(context.name)", issues: issues) }
    }

    public func onSetup() -> Bool {
        onCommand("ping") { service, command in service.answer(command) }
        onCommand("pong") { service, command in service.received(command) }
        if target != nil {
            every(interval) { $0.ping() }
        }
        return true
    }

    func ping() {
        guard let target, limit.map({ sent < $0 }) ?? true else { return }
        sent += 1
        do {
            try ipcCommand.sendCommand(target: target, type: "ping", payload: ["seq": .number(Int64(sent)), "time": .number(Timestamp.now().nanosecondsSinceEpoch)])
            ServiceOutput.line("ping #\(sent) → \(target)")
        } catch {
            context.logger.error("ping #\(sent) to \(target): \(error)")
        }
    }

    func answer(_ command: IPCCommand) {
        let seq = command.payload["seq"] ?? .null
        ServiceOutput.line("ping #\(seq) ← \(command.senderID)")
        do {
            try ipcCommand.sendCommand(target: command.senderID, type: "pong", payload: ["seq": seq, "time": command.payload["time"] ?? .null])
        } catch {
            context.logger.error("pong to \(command.senderID): \(error)")
        }
    }

    func received(_ command: IPCCommand) {
        pongs += 1
        let seq = command.payload["seq"] ?? .null
        var rtt = ""
        if let sentAt = command.payload["time"]?.int64Value {
            rtt = " rtt \((Timestamp.now().nanosecondsSinceEpoch - sentAt) / 1000) µs"
        }
        ServiceOutput.line("pong #\(seq) ← \(command.senderID)\(rtt)")
    }
}
