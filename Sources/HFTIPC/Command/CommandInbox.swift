import Synchronization

/// Hands a socket to the thread that will own it.
final class SocketBox: @unchecked Sendable {
    private var socket: ZMQSocket?
    init(_ socket: ZMQSocket) { self.socket = socket }
    func take() -> ZMQSocket {
        defer { socket = nil }
        return socket!
    }
}

/// The queue between the router and the dispatcher task: commands in arrival order; `next()` suspends when empty
/// and returns nil once finished and drained.
final class CommandInbox: Sendable {
    private struct Queue {
        var items: [IPCCommand] = []
        var head = 0
        var waiter: UnsafeContinuation<IPCCommand?, Never>?
        var finished = false
    }

    private let queue = Mutex(Queue())

    func push(_ command: IPCCommand) {
        let waiter = queue.withLock { q -> UnsafeContinuation<IPCCommand?, Never>? in
            if let w = q.waiter {
                q.waiter = nil
                return w
            }
            q.items.append(command)
            return nil
        }
        waiter?.resume(returning: command)
    }

    func finish() {
        let waiter = queue.withLock { q -> UnsafeContinuation<IPCCommand?, Never>? in
            q.finished = true
            defer { q.waiter = nil }
            return q.waiter
        }
        waiter?.resume(returning: nil)
    }

    func next() async -> IPCCommand? {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<IPCCommand?, Never>) in
            let ready = queue.withLock { q -> IPCCommand?? in
                if q.head < q.items.count {
                    let item = q.items[q.head]
                    q.head += 1
                    if q.head == q.items.count {
                        q.items.removeAll(keepingCapacity: true)
                        q.head = 0
                    }
                    return .some(item)
                }
                if q.finished { return .some(nil) }
                q.waiter = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
