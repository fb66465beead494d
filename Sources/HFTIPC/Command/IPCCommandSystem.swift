import CZeroMQ
import HFTCore
public import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A named process's command system: publish commands on your own address, receive from the processes you connect to.
///
/// - `start()` takes `{ipc_dir}/command/{id}.lock` (flock; a live holder is an error naming its pid, a stale socket
///   file is replaced), binds an XPUB socket at `ipc://{ipc_dir}/command/{id}.ipc` (mode 0600, directory 0700).
/// - `connect(toProcess:)` subscribes to another process and returns once the subscription is live there: the
///   publisher answers the receiver's last subscription (`{id}._ipc_welcome`) with a welcome command, and ZeroMQ
///   delivers in order, so nothing it sends afterwards is lost. Peers that send no welcome (plain PUB sockets of the
///   original Python design) are probed with `ping` after ``Options/probeAfter``; their `pong` proves it too.
/// - One SUB socket connects to every process listened to (ZeroMQ fair-queues them); one loop thread (`CommandLoop`)
///   blocks in `zmq_msg_recv` on it, routes frames through ``CommandRouter`` and feeds one inbox that one dispatcher
///   task drains, running handlers one at a time, in arrival order. The loop thread is the dispatcher's executor: no
///   thread hop per command. A second thread reads the publishing socket's subscription messages (welcomes).
/// - Pings are answered with `pong` (echoing `time`) unless a `ping` handler is registered.
/// - High-water marks are 0 (unlimited) by default: commands are rare and are never dropped by ZeroMQ.
///
/// Thread safety: every method may be called from any thread or task. Handlers run one at a time in arrival order:
/// async ones on the dispatcher task, synchronous ones (``SynchronousHandler``) inline on the loop thread when the
/// dispatcher is idle; a handler may send, reply and (async) even `await request(...)` (replies are matched as
/// frames arrive, not by the dispatcher). A system is started once; after `stop()` create a new one.
public final class IPCCommandSystem: Sendable {
    public typealias Handler = @Sendable (IPCCommand) async throws -> Void
    /// A handler that does not suspend: run inline on the loop thread as its frame arrives (no task hop) whenever
    /// no earlier command is queued or running, else queued behind them (order and one-at-a-time are kept).
    public typealias SynchronousHandler = @Sendable (IPCCommand) throws -> Void

    public struct Options: Sendable {
        /// Command ids remembered for duplicate suppression.
        public var duplicateWindow = 4096
        /// ZMQ_SNDHWM / ZMQ_RCVHWM of the command sockets (0: unlimited).
        public var highWaterMark: Int32 = 0
        /// How long `connect(toProcess:)` waits for the subscription to be live, in seconds.
        public var connectTimeout: Double = 5
        /// Seconds without a welcome after which `connect(toProcess:)` also probes with `ping`.
        public var probeAfter: Double = 0.5
        public init() {}
    }

    public let processID: String
    public let directory: IPCDirectory
    public let options: Options
    /// `ipc://{ipc_dir}/command/{processID}.ipc`.
    public var endpoint: String { directory.commandEndpoint(processID: processID) }

    private let logger: Logger
    private let publisher = Mutex(Publisher())
    private let state: Mutex<State>
    private let counter = Atomic<Int>(0)
    private let sentCount = Atomic<Int>(0)
    private let inbox = CommandInbox()

    /// Checks the process id; nothing is opened before `start()`.
    public init(processID: String, directory: IPCDirectory = .fromEnvironment(), options: Options = Options(), logger: Logger = Logger(label: "hftkit.ipc.commands")) throws(IPCError) {
        try CommandTopic.validate(processID: processID)
        self.processID = processID
        self.directory = directory
        self.options = options
        self.logger = logger
        state = Mutex(State(router: CommandRouter(processID: processID, duplicateWindow: options.duplicateWindow),
                            lock: ProcessLock(path: "\(directory.path)/command/\(processID).lock")))
    }

    deinit {
        stop()
    }

    // MARK: Lifecycle

    /// Locks the process id, binds the publishing socket and starts the dispatcher.
    public func start() throws(IPCError) {
        let socketFile = directory.commandSocketFile(processID: processID)
        try state.withLock { s throws(IPCError) in
            guard !s.started else { throw .invalidArgument("command system '\(processID)' was already started") }
            try directory.prepare()
            try s.lock.acquire(processID: processID)
            do {
                unlink(socketFile)  // no live holder of the lock: any socket file is stale
                let context = try ZMQContext()
                let xpub = try ZMQSocket(context, .xpub)
                try xpub.setXPubVerbose(true)
                try xpub.setHighWaterMarks(send: options.highWaterMark, receive: options.highWaterMark)
                try xpub.bind(endpoint)
                guard chmod(socketFile, 0o600) == 0 else {
                    throw IPCError.fileSystem(path: socketFile, detail: "cannot chmod 0600: \(String(cString: strerror(errno)))")
                }
                let descriptor = xpub.notificationDescriptor
                let box = SocketBox(xpub)
                publisher.withLock { $0.socket = box.take() }
                let loop = try CommandLoop(
                    context: context, subscriptions: CommandTopic.subscriptions(processID: processID),
                    welcomeRequest: CommandTopic.welcomeRequest(processID: processID), highWaterMark: options.highWaterMark,
                    publisherDescriptor: descriptor, callbacks: .init(
                        frame: { [unowned self] bytes in
                            let (action, handler) = state.withLock { s -> (CommandRouter.Action, State.HandlerKind?) in
                                let action = s.router.received(frame: bytes)
                                guard case .dispatch(let command) = action else { return (action, nil) }
                                return (action, s.handler(for: command.commandType))
                            }
                            // Inline when nothing is queued or running: no task hop for synchronous handlers.
                            if case .dispatch(let command) = action, case .sync(let run)? = handler, inbox.isIdle {
                                runHandler(command) { () throws in try run(command) }
                            } else {
                                execute(action)
                            }
                        },
                        publisherEvents: { [unowned self] in drainSubscriptions() }))
                s.context = context
                s.started = true
                s.running = true
                s.loop = loop
            } catch let error as ZMQError {
                publisher.withLock { $0.socket = nil }
                s.lock.release()
                throw .zmq(error, endpoint: endpoint)
            } catch {
                s.lock.release()
                throw error as! IPCError
            }
        }
        let loop = state.withLock { $0.loop }!
        Task(executorPreference: loop) { [self] in
            while let command = await inbox.next() { await run(command) }
        }
    }

    /// Closes every socket, removes the socket and lock files, fails pending requests and waits with
    /// ``IPCError/notRunning``, and ends the dispatcher after the commands already queued. Idempotent.
    public func stop() {
        let taken = state.withLock { s -> State.Taken? in
            guard s.running else { return nil }
            s.running = false
            return s.takeAll()
        }
        guard let taken else { return }
        taken.loop?.stop()
        taken.context?.shutdown()
        publisher.withLock { $0.socket = nil }
        unlink(directory.commandSocketFile(processID: processID))
        state.withLock { $0.lock.release() }
        for request in taken.requests.values { request.resume(throwing: IPCError.notRunning) }
        for waiter in taken.waiters.values.flatMap(\.values) { waiter.resume(throwing: IPCError.notRunning) }
        inbox.finish()
    }

    // MARK: Handlers and statistics

    /// Runs `handler` for every command of `type` addressed to this process (replacing an earlier one).
    /// Registering `ping` replaces the default pong.
    public func registerHandler(type: String, handler: @escaping Handler) {
        state.withLock {
            $0.handlers[type] = .async(handler)
            $0.router.registerHandler(type: type)
        }
    }

    /// Runs a synchronous `handler` for every command of `type` (replacing an earlier one): the fast path, as the
    /// frame arrives on the loop thread when the dispatcher is idle (see ``SynchronousHandler``). A trailing
    /// closure without `await` picks this overload. It must not block (it holds up every connection).
    public func registerHandler(type: String, sync handler: @escaping SynchronousHandler) {
        state.withLock {
            $0.handlers[type] = .sync(handler)
            $0.router.registerHandler(type: type)
        }
    }

    /// Runs `handler` for every command whose type has no handler of its own (`ping` is still answered by the
    /// default pong unless a `ping` handler is registered). For tools that show everything (`hft ipc listen`).
    public func registerCatchAllHandler(_ handler: @escaping Handler) {
        state.withLock {
            $0.catchAll = .async(handler)
            $0.router.registerCatchAll()
        }
    }

    /// A snapshot of the counters (frames, dispatched, duplicates, malformed, unhandled, handler errors, sent…).
    public var statistics: CommandRouter.Statistics {
        var s = state.withLock { $0.router.statistics }
        s.sent = sentCount.load(ordering: .relaxed)
        return s
    }

    /// Processes this one is connected to.
    public var connectedProcesses: [String] {
        state.withLock { $0.connections.sorted() }
    }

    // MARK: Sending

    /// Publishes a command to `target` (a process id, `*`, or a group `prefix.*`); returns its command id.
    /// Throws ``IPCError/topicTooLong(topic:bytes:)``, ``IPCError/notRunning`` or a ZeroMQ error.
    @discardableResult
    public func sendCommand(target: String, type: String, payload: JSONValue = .object([:])) throws(IPCError) -> String {
        try send(target: target, type: type, payload: payload, inReplyTo: nil)
    }

    /// Publishes a command to every connected process (`target_id` `*`); returns its command id.
    @discardableResult
    public func broadcast(type: String, payload: JSONValue = .object([:])) throws(IPCError) -> String {
        try sendCommand(target: "*", type: type, payload: payload)
    }

    /// Answers `request` with a command to its sender whose payload carries `in_reply_to` (an object payload gets
    /// the member added; any other payload is wrapped as `{"value": …}`). The type defaults to `{type}_reply`.
    @discardableResult
    public func reply(to request: IPCCommand, type: String? = nil, payload: JSONValue = .object([:])) throws(IPCError) -> String {
        let members: JSONValue = payload.objectValue != nil ? payload : (payload == .null ? [:] : ["value": payload])
        return try send(target: request.senderID, type: type ?? request.commandType + "_reply", payload: members, inReplyTo: request.commandID)
    }

    /// Sends a command and waits for the command that answers it (`payload.in_reply_to` == its id).
    /// Throws ``IPCError/timeout(commandID:target:type:seconds:)`` after `timeout` seconds, and `CancellationError`
    /// as soon as the calling task is cancelled. Either way a reply arriving later is counted as late, not delivered.
    public func request(target: String, type: String, payload: JSONValue = .object([:]), timeout: Double = 5) async throws -> IPCCommand {
        let command = try makeCommand(target: target, type: type, payload: payload)
        let frame = try command.encodeFrame()
        let id = command.commandID
        var timer: Task<Void, Never>?
        defer { timer?.cancel() }  // answered or cancelled: the timer has nothing left to do
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<IPCCommand, any Error>) in
                let registered = state.withLock { s -> Bool in
                    guard s.running else { return false }
                    s.requests[id] = continuation
                    s.router.requestSent(commandID: id)
                    return true
                }
                guard registered else { return continuation.resume(throwing: IPCError.notRunning) }
                // Cancelled before the request was registered: the cancellation handler found nothing to end.
                if Task.isCancelled {
                    takeRequest(id)?.resume(throwing: CancellationError())
                    return
                }
                do {
                    try publish(frame)
                } catch {
                    takeRequest(id)?.resume(throwing: error)
                    return
                }
                timer = Task { [self] in
                    try? await Task.sleep(nanoseconds: UInt64(max(timeout, 0) * 1e9))
                    guard !Task.isCancelled else { return }
                    takeRequest(id)?.resume(throwing: IPCError.timeout(commandID: id, target: target, type: type, seconds: timeout))
                }
            }
        } onCancel: {
            takeRequest(id)?.resume(throwing: CancellationError())
        }
    }

    // MARK: Connecting

    /// Subscribes to `processID`'s commands (unicast, broadcast and its groups) and returns once the subscription
    /// is live at that process: every command it sends after this returns arrives. Throws
    /// ``IPCError/processNotRunning(processID:endpoint:seconds:)`` after `timeout` (default
    /// ``Options/connectTimeout``); with `waitUntilLive: false` it returns at once and the connection becomes live
    /// whenever the process appears (ZeroMQ reconnects on its own).
    public func connect(toProcess processID: String, timeout: Double? = nil, waitUntilLive: Bool = true) async throws {
        try CommandTopic.validate(processID: processID)
        let timeout = timeout ?? options.connectTimeout
        let loop = try state.withLock { s throws(IPCError) -> CommandLoop? in
            guard s.running, let loop = s.loop else { throw .notRunning }
            return s.connections.insert(processID).inserted ? loop : nil
        }
        if let loop {
            try await openConnection(to: processID, loop: loop)
        }
        guard waitUntilLive else { return }
        let probe = Task { [self] in
            try await Task.sleep(nanoseconds: UInt64(options.probeAfter * 1e9))
            while !Task.isCancelled {
                if (try? await request(target: processID, type: CommandType.ping, payload: ["time": .number(Self.nowMicroseconds())], timeout: 0.25)) != nil {
                    markWelcomed(processID)
                    return
                }
            }
        }
        defer { probe.cancel() }
        do {
            try await wait(for: .welcome(processID), timeout: timeout,
                           error: .processNotRunning(processID: processID, endpoint: directory.commandEndpoint(processID: processID), seconds: timeout))
        } catch let error as IPCError where error != .notRunning {
            disconnect(fromProcess: processID)
            throw error
        }
    }

    /// Stops receiving from `processID` (`zmq_disconnect` of its endpoint; what it sent and was not read yet is
    /// dropped).
    public func disconnect(fromProcess processID: String) {
        let loop = state.withLock { s -> CommandLoop? in
            s.welcomed.remove(processID)
            return s.connections.remove(processID) != nil ? s.loop : nil
        }
        loop?.disconnect(directory.commandEndpoint(processID: processID))
    }

    /// Waits until `processID` has subscribed to this process (seen on the XPUB socket): from then on, what this
    /// process sends to it arrives. For senders that must not publish before a known receiver listens
    /// (`hft ipc send`). Throws ``IPCError/processNotRunning(processID:endpoint:seconds:)`` after `timeout`.
    public func waitForSubscriber(_ processID: String, timeout: Double) async throws {
        try await wait(for: .subscriber(processID), timeout: timeout,
                       error: .processNotRunning(processID: processID, endpoint: directory.commandEndpoint(processID: processID), seconds: timeout))
    }

    /// Processes subscribed to this one right now (by their unicast prefix).
    public var subscribers: [String] {
        state.withLock { $0.subscribers.sorted() }
    }

    // MARK: Internals

    /// Microseconds since the epoch (the envelope's `timestamp`).
    public static func nowMicroseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000
    }

    private func makeCommand(target: String, type: String, payload: JSONValue) throws(IPCError) -> IPCCommand {
        try Self.check(target: target, type: type)
        let now = Self.nowMicroseconds()
        let n = counter.add(1, ordering: .relaxed).newValue
        return IPCCommand(commandID: "\(processID)_\(now)_\(n)", senderID: processID, targetID: target, commandType: type, timestamp: now, payload: payload)
    }

    /// Encodes the command into the publisher's reusable buffer and sends it (no frame array, no envelope value);
    /// `inReplyTo` is added to an object payload. Returns the command id.
    private func send(target: String, type: String, payload: JSONValue, inReplyTo: String?) throws(IPCError) -> String {
        try Self.check(target: target, type: type)
        let now = Self.nowMicroseconds()
        let n = counter.add(1, ordering: .relaxed).newValue
        var failure: IPCError?
        let sentID = publisher.withLock { p -> String? in
            guard let socket = p.socket else {
                failure = .notRunning
                return nil
            }
            p.buffer.removeAll(keepingCapacity: true)
            p.buffer.append(contentsOf: target.utf8)
            p.buffer.append(UInt8(ascii: "."))
            p.buffer.append(contentsOf: type.utf8)
            guard p.buffer.count <= CommandTopic.size else {
                failure = .topicTooLong(topic: target + "." + type, bytes: p.buffer.count)
                return nil
            }
            let spaces: StaticString = "                                                                "  // 64
            p.buffer.append(contentsOf: UnsafeBufferPointer(start: spaces.utf8Start, count: CommandTopic.size - p.buffer.count))
            JSONWriter.writeLiteral(#"{"command_id":""#, to: &p.buffer)
            let idStart = p.buffer.count
            JSONWriter.writeStringContent(processID, to: &p.buffer)
            let idEscaped = p.buffer.count - idStart != processID.utf8.count
            p.buffer.append(UInt8(ascii: "_"))
            JSONWriter.writeInteger(now, to: &p.buffer)
            p.buffer.append(UInt8(ascii: "_"))
            JSONWriter.writeInteger(Int64(n), to: &p.buffer)
            let id = idEscaped ? "\(processID)_\(now)_\(n)"
                : p.buffer.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[idStart...]), as: UTF8.self) }
            JSONWriter.writeLiteral(#"","sender_id":"#, to: &p.buffer)
            JSONWriter.writeString(processID, to: &p.buffer)
            JSONWriter.writeLiteral(#","target_id":"#, to: &p.buffer)
            JSONWriter.writeString(target, to: &p.buffer)
            JSONWriter.writeLiteral(#","command_type":"#, to: &p.buffer)
            JSONWriter.writeString(type, to: &p.buffer)
            JSONWriter.writeLiteral(#","timestamp":"#, to: &p.buffer)
            JSONWriter.writeInteger(now, to: &p.buffer)
            JSONWriter.writeLiteral(#","payload":"#, to: &p.buffer)
            if let inReplyTo, case .object(let members) = payload {
                JSONWriter.writeObject(members, extra: (IPCCommand.inReplyToKey, inReplyTo), to: &p.buffer)
            } else {
                JSONWriter.write(payload, to: &p.buffer)
            }
            p.buffer.append(UInt8(ascii: "}"))
            let sent = p.buffer.withUnsafeBytes { zmq_send(socket.handle, $0.baseAddress, $0.count, 0) }
            guard sent >= 0 else {
                failure = .zmq(.last("zmq_send"), endpoint: endpoint)
                return nil
            }
            return id
        }
        guard let sentID else { throw failure ?? .notRunning }
        sentCount.add(1, ordering: .relaxed)
        return sentID
    }

    private static func check(target: String, type: String) throws(IPCError) {
        guard !target.isEmpty else { throw .invalidArgument("empty target") }
        guard !type.isEmpty, !type.utf8.contains(where: { $0 <= 0x20 }) else {
            throw .invalidArgument("command type '\(type)' must be non-empty, without spaces or control characters")
        }
    }

    private func publish(_ frame: [UInt8]) throws(IPCError) {
        let error = publisher.withLock { p -> IPCError? in
            guard let socket = p.socket else { return .notRunning }
            do throws(ZMQError) {
                try socket.send(frame)
                return nil
            } catch {
                return .zmq(error, endpoint: endpoint)
            }
        }
        if let error { throw error }
        sentCount.add(1, ordering: .relaxed)
    }

    private func takeRequest(_ id: String) -> CheckedContinuation<IPCCommand, any Error>? {
        state.withLock { s in
            let c = s.requests.removeValue(forKey: id)
            if c != nil { s.router.requestAbandoned(commandID: id) }
            return c
        }
    }

    /// Connects the loop's SUB socket to `peer` (already in `connections`; removed again on failure).
    private func openConnection(to peer: String, loop: CommandLoop) async throws(IPCError) {
        let peerEndpoint = directory.commandEndpoint(processID: peer)
        let failure = await withCheckedContinuation { (continuation: CheckedContinuation<ZMQError?, Never>) in
            loop.connect(peerEndpoint) { continuation.resume(returning: $0) }
        }
        guard let failure else { return }
        state.withLock { _ = $0.connections.remove(peer) }
        throw failure.errno == ETERM ? .notRunning : .zmq(failure, endpoint: peerEndpoint)
    }

    private func execute(_ action: CommandRouter.Action) {
        switch action {
        case .dispatch(let command):
            inbox.push(command)
        case .answerPing(let ping):
            do {
                try sendCommand(target: ping.senderID, type: CommandType.pong, payload: CommandRouter.pong(answering: ping))
            } catch {
                logger.warning("cannot answer ping \(ping.commandID) from \(ping.senderID): \(error)")
            }
        case .completeRequest(let id, let reply):
            let continuation = state.withLock { $0.requests.removeValue(forKey: id) }
            continuation?.resume(returning: reply)
        case .welcomed(let peer):
            markWelcomed(peer)
        case .logProblem(let text):
            logger.warning("\(text)")
        case .ignore:
            break
        }
    }

    private func markWelcomed(_ peer: String) {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.welcomed.insert(peer)
            return Array((s.waiters.removeValue(forKey: .welcome(peer)) ?? [:]).values)
        }
        for waiter in waiters { waiter.resume() }
    }

    private func run(_ command: IPCCommand) async {
        switch state.withLock({ $0.handler(for: command.commandType) }) {
        case .async(let handler)?:
            do {
                try await handler(command)
            } catch {
                handlerFailed(command, error)
            }
        case .sync(let handler)?:
            runHandler(command) { () throws in try handler(command) }
        case nil:
            break
        }
    }

    private func runHandler(_ command: IPCCommand, _ body: () throws -> Void) {
        do {
            try body()
        } catch {
            handlerFailed(command, error)
        }
    }

    private func handlerFailed(_ command: IPCCommand, _ error: any Error) {
        let count = state.withLock { s -> Int in
            s.router.countHandlerError()
            return s.router.statistics.handlerErrors
        }
        if CommandRouter.isLogWorthy(count) {
            logger.error("handler for '\(command.commandType)' failed (\(count) handler errors so far) on \(command.jsonText): \(error)")
        }
    }

    /// The XPUB's subscription messages: welcomes to send, subscribers joining and leaving (on the loop thread).
    private func drainSubscriptions() {
        do {
            let messages = publisher.withLock { p -> [[UInt8]] in
                var out: [[UInt8]] = []
                while let socket = p.socket, let message = try? socket.receiveIfReady() { out.append(message) }
                return out
            }
            for message in messages {
                // Read in place: a copy of the router would make its next frame copy the id window.
                switch state.withLock({ $0.router.subscription(message) }) {
                case .sendWelcome(let peer):
                    do {
                        try sendCommand(target: peer, type: CommandType.welcome, payload: [:])
                        state.withLock { $0.router.countWelcomeSent() }
                    } catch {
                        logger.warning("cannot welcome \(peer): \(error)")
                    }
                case .subscriberJoined(let peer):
                    let waiters = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
                        s.subscribers.insert(peer)
                        return Array((s.waiters.removeValue(forKey: .subscriber(peer)) ?? [:]).values)
                    }
                    for waiter in waiters { waiter.resume() }
                case .subscriberLeft(let peer):
                    _ = state.withLock { $0.subscribers.remove(peer) }
                case .ignore:
                    break
                }
            }
        }
    }

    private func wait(for key: State.WaitKey, timeout: Double, error: IPCError) async throws {
        let token = counter.add(1, ordering: .relaxed).newValue
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome = state.withLock { s -> Result<Bool, IPCError> in
                guard s.running else { return .failure(.notRunning) }
                if s.isDone(key) { return .success(true) }
                s.waiters[key, default: [:]][token] = continuation
                return .success(false)
            }
            switch outcome {
            case .failure(let e): return continuation.resume(throwing: e)
            case .success(true): return continuation.resume()
            case .success(false): break
            }
            Task { [self] in
                try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                let expired = state.withLock { $0.waiters[key]?.removeValue(forKey: token) }
                expired?.resume(throwing: error)
            }
        }
    }
}
