/// What a command system does with each incoming frame and subscription, as a pure state machine.
///
/// It decodes frames, drops those not addressed to this process (ZeroMQ filters by topic prefix only: process
/// `api` also receives topics of `api.gw`), suppresses duplicates by command id (a ring of the last
/// ``duplicateWindow`` ids), matches replies to pending requests by `payload.in_reply_to`, answers `ping` unless
/// the application handles it, and counts everything in ``statistics``. The driver (``IPCCommandSystem``)
/// executes the returned actions. Tested without sockets.
///
/// Thread safety: a value; the driver keeps it behind a lock.
public struct CommandRouter: Sendable {
    /// What to do with one received frame.
    public enum Action: Sendable, Equatable {
        /// Run the application's handler for the command's type.
        case dispatch(IPCCommand)
        /// No handler for `ping`: send the default `pong` (``pong(answering:)``).
        case answerPing(IPCCommand)
        /// A reply to the pending request `commandID`: hand it to the waiting caller.
        case completeRequest(commandID: String, reply: IPCCommand)
        /// The publisher `processID` has seen every subscription of this connection.
        case welcomed(processID: String)
        /// Nothing to do (not for us, duplicate, late reply, or a counted problem not to log again).
        case ignore
        /// A problem seen for the first time (or at a power of ten): log it with its sample.
        case logProblem(String)
    }

    /// What to do with one subscription message seen by the publishing XPUB socket.
    public enum SubscriptionAction: Sendable, Equatable {
        /// Publish a welcome command to `processID` (it subscribed its welcome request).
        case sendWelcome(to: String)
        /// `processID` subscribed to its unicast prefix: it now receives what we send it.
        case subscriberJoined(String)
        /// `processID` unsubscribed its unicast prefix (it disconnected).
        case subscriberLeft(String)
        case ignore
    }

    /// Counters of everything received (a snapshot is a value).
    public struct Statistics: Sendable, Equatable {
        public var framesReceived = 0
        public var dispatched = 0
        public var pingsAnswered = 0
        public var repliesMatched = 0
        public var welcomesReceived = 0
        public var notForUs = 0
        public var duplicates = 0
        public var malformed = 0
        /// Commands of a type with no handler (not counted again after the first of a type is logged).
        public var unhandled = 0
        /// Replies whose request already timed out.
        public var lateReplies = 0
        /// Filled in by the driver.
        public var handlerErrors = 0
        public var sent = 0
        public var welcomesSent = 0
        public init() {}
    }

    public let processID: String
    /// How many recent command ids are remembered for duplicate suppression.
    public let duplicateWindow: Int
    public private(set) var statistics = Statistics()
    /// Command types the application handles.
    public private(set) var handledTypes: Set<String> = []
    private var pending: Set<String> = []
    private var recentIDs: CommandIDWindow
    private var loggedTypes: Set<String> = []

    public init(processID: String, duplicateWindow: Int = 4096) {
        self.processID = processID
        self.duplicateWindow = max(1, duplicateWindow)
        recentIDs = CommandIDWindow(capacity: self.duplicateWindow)
    }

    public mutating func registerHandler(type: String) {
        handledTypes.insert(type)
        lastLookup = nil
    }

    /// The last type looked up in ``handledTypes`` (commands come in runs of one type: no hashing for those).
    private var lastLookup: (type: String, handled: Bool)?

    private mutating func isHandled(_ type: String) -> Bool {
        if let last = lastLookup, last.type == type { return last.handled }
        let handled = handledTypes.contains(type)
        lastLookup = (type, handled)
        return handled
    }
    /// A handler for every type without its own handler (`ping` keeps its default answer unless handled).
    public private(set) var hasCatchAll = false
    public mutating func registerCatchAll() { hasCatchAll = true }
    public mutating func requestSent(commandID: String) { pending.insert(commandID) }
    /// The request timed out or was cancelled: a reply arriving later is counted as late.
    public mutating func requestAbandoned(commandID: String) { pending.remove(commandID) }
    public mutating func countSent() { statistics.sent += 1 }
    public mutating func countHandlerError() { statistics.handlerErrors += 1 }
    public mutating func countWelcomeSent() { statistics.welcomesSent += 1 }

    /// One received frame; `connection` (when the driver knows which process it came from) names it in logs.
    public mutating func received(frame: UnsafeRawBufferPointer, from connection: String? = nil) -> Action {
        statistics.framesReceived += 1
        let command: IPCCommand
        switch IPCCommand.decode(frame: frame) {
        case .failure(let error):
            statistics.malformed += 1
            guard Self.isLogWorthy(statistics.malformed) else { return .ignore }
            let origin = connection.map { " from \($0)" } ?? ""
            return .logProblem("malformed command frame #\(statistics.malformed)\(origin): \(error.reason); sample: \(Self.sample(frame))")
        case .success(let c): command = c
        }
        guard CommandTopic.matches(target: command.targetID, processID: processID) else {
            statistics.notForUs += 1
            return .ignore
        }
        if command.commandType == CommandType.welcome {
            statistics.welcomesReceived += 1
            return .welcomed(processID: command.senderID)
        }
        guard remember(command.commandID) else {
            statistics.duplicates += 1
            return .ignore
        }
        let handled = isHandled(command.commandType)
        // `in_reply_to` (a scan of the payload) matters only with requests pending or for a type nobody handles.
        if !pending.isEmpty || !(handled || hasCatchAll), let request = command.inReplyTo {
            if pending.remove(request) != nil {
                statistics.repliesMatched += 1
                return .completeRequest(commandID: request, reply: command)
            }
            if !handled && !hasCatchAll {
                statistics.lateReplies += 1
                return .ignore
            }
        }
        if handled {
            statistics.dispatched += 1
            return .dispatch(command)
        }
        if command.commandType == CommandType.ping {
            statistics.pingsAnswered += 1
            return .answerPing(command)
        }
        if hasCatchAll {
            statistics.dispatched += 1
            return .dispatch(command)
        }
        statistics.unhandled += 1
        if loggedTypes.insert(command.commandType).inserted {
            return .logProblem("no handler for command type '\(command.commandType)' (from \(command.senderID)); sample: \(command.jsonText)")
        }
        return .ignore
    }

    public mutating func received(frame: [UInt8], from connection: String? = nil) -> Action {
        frame.withUnsafeBytes { received(frame: $0, from: connection) }
    }

    /// One message read from the XPUB socket: `0x01` + prefix (subscribe) or `0x00` + prefix (unsubscribe).
    public func subscription(_ message: [UInt8]) -> SubscriptionAction {
        guard let kind = message.first, kind <= 1, message.count > 1 else { return .ignore }
        let prefix = message[1...]
        if kind == 0 {
            if prefix.last == UInt8(ascii: "."), prefix.count > 1, prefix[prefix.endIndex - 2] != UInt8(ascii: "*") {
                return .subscriberLeft(String(decoding: prefix.dropLast(), as: UTF8.self))
            }
            return .ignore
        }
        let welcomeSuffix = Array(("." + CommandType.welcome).utf8)
        if prefix.count > welcomeSuffix.count, prefix.suffix(welcomeSuffix.count).elementsEqual(welcomeSuffix) {
            return .sendWelcome(to: String(decoding: prefix.dropLast(welcomeSuffix.count), as: UTF8.self))
        }
        if prefix.last == UInt8(ascii: "."), prefix.count > 1, prefix[prefix.endIndex - 2] != UInt8(ascii: "*") {
            return .subscriberJoined(String(decoding: prefix.dropLast(), as: UTF8.self))
        }
        return .ignore
    }

    /// The default answer to `ping`: `pong` to the sender, echoing `time`, with `in_reply_to`.
    public static func pong(answering ping: IPCCommand) -> JSONValue {
        var payload: [String: JSONValue] = [IPCCommand.inReplyToKey: .string(ping.commandID)]
        if let time = ping.payload["time"] { payload["time"] = time }
        return .object(payload)
    }

    /// Adds `id` to the window of recent ids; false when it was already there.
    private mutating func remember(_ id: String) -> Bool {
        recentIDs.insert(id)
    }

    /// The first problem, then every power of ten.
    static func isLogWorthy(_ n: Int) -> Bool {
        var n = n
        while n >= 10 && n % 10 == 0 { n /= 10 }
        return n == 1
    }

    /// Up to 120 bytes of a frame, printable ASCII kept, the rest as `\xNN`.
    static func sample(_ frame: UnsafeRawBufferPointer) -> String {
        var s = ""
        for b in frame.prefix(120) {
            if b >= 0x20 && b < 0x7F { s.unicodeScalars.append(Unicode.Scalar(b)) } else {
                let hex = String(b, radix: 16)
                s += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return frame.count > 120 ? s + "… (\(frame.count) bytes)" : s
    }
}
