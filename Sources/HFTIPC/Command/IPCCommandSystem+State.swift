// The mutable state of an IPCCommandSystem, kept behind its Mutex.

extension IPCCommandSystem {
    /// The publishing socket and the buffer every command is encoded into (behind one lock).
    struct Publisher {
        var socket: ZMQSocket?
        var buffer: [UInt8] = []
        init() { buffer.reserveCapacity(512) }
    }

    struct State {
        enum WaitKey: Hashable {
            case welcome(String)
            case subscriber(String)
        }

        struct Taken {
            var context: ZMQContext?
            var loop: CommandLoop?
            var requests: [String: CheckedContinuation<IPCCommand, any Error>]
            var waiters: [WaitKey: [Int: CheckedContinuation<Void, any Error>]]
        }

        var router: CommandRouter
        var lock: ProcessLock
        var started = false
        var running = false
        var context: ZMQContext?
        var loop: CommandLoop?
        enum HandlerKind {
            case async(Handler)
            case sync(SynchronousHandler)
        }

        var handlers: [String: HandlerKind] = [:] {
            didSet { lastHandler = nil }
        }
        var catchAll: HandlerKind? {
            didSet { lastHandler = nil }
        }
        /// The last lookup of ``handler(for:)`` (commands come in runs of one type: no hashing for those).
        private var lastHandler: (type: String, kind: HandlerKind?)?

        /// The handler for `type`, else the catch-all.
        mutating func handler(for type: String) -> HandlerKind? {
            if let last = lastHandler, last.type == type { return last.kind }
            let kind = handlers[type] ?? catchAll
            lastHandler = (type, kind)
            return kind
        }
        var requests: [String: CheckedContinuation<IPCCommand, any Error>] = [:]
        var connections: Set<String> = []
        var welcomed: Set<String> = []
        var subscribers: Set<String> = []
        var waiters: [WaitKey: [Int: CheckedContinuation<Void, any Error>]] = [:]

        init(router: CommandRouter, lock: ProcessLock) {
            self.router = router
            self.lock = lock
        }

        func isDone(_ key: WaitKey) -> Bool {
            switch key {
            case .welcome(let p): return welcomed.contains(p)
            case .subscriber(let p): return subscribers.contains(p)
            }
        }

        mutating func takeAll() -> Taken {
            defer {
                context = nil
                connections = []
                loop = nil
                requests = [:]
                waiters = [:]
            }
            return Taken(context: context, loop: loop, requests: requests, waiters: waiters)
        }
    }
}
