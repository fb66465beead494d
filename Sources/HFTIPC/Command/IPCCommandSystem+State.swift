// The mutable state of an IPCCommandSystem, kept behind its Mutex.

extension IPCCommandSystem {
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
        var handlers: [String: Handler] = [:]
        var catchAll: Handler?
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
