import CZeroMQ
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The command system's one thread: it polls the SUB socket of every connection (each connection is a receive
/// worker: its own socket, drained in turn) and is the executor of the dispatcher task, so a command goes from its
/// socket through the router to its handler without a thread hop (a hop costs more than the rest of the path).
///
/// Jobs enqueued from other threads wake the loop through an eventfd in the poll set. After `stop()`, jobs run on
/// global dispatch threads, so tasks that still had this executor as preference finish.
///
/// Thread safety: `adopt`, `remove`, `enqueue` and `stop` from any thread; everything else on the loop thread.
final class CommandLoop: TaskExecutor, @unchecked Sendable {
    /// What the loop calls, on its thread.
    struct Callbacks: Sendable {
        /// One frame from the connection to `peer`.
        var frame: @Sendable (UnsafeRawBufferPointer, String) -> Void
        /// The publishing socket may have subscription messages (its descriptor was readable, or 10 ms passed).
        var publisherEvents: @Sendable () -> Void
    }

    private struct Shared {
        var jobs: [UnownedJob] = []
        var adopted: [(String, ZMQSocket)] = []
        var removed: [String] = []
        var stopping = false
        var stopped = false
    }

    private let shared = Mutex<Shared>(Shared())
    private let wakeDescriptor: Int32  // read end of a non-blocking pipe
    private let wakeWriter: Int32
    private let publisherDescriptor: Int32
    private let callbacks: Callbacks
    private var thread: WorkerThread?
    private var loopThread = pthread_t()
    private var sockets: [(peer: String, socket: ZMQSocket)] = []  // loop thread only

    init(publisherDescriptor: Int32, callbacks: Callbacks) {
        var fds: [Int32] = [-1, -1]
        precondition(pipe(&fds) == 0, "pipe failed: \(errno)")
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeDescriptor = fds[0]
        wakeWriter = fds[1]
        self.publisherDescriptor = publisherDescriptor
        self.callbacks = callbacks
        let started = Mutex<Bool>(false)
        thread = WorkerThread(name: "ipc-commands") { [self] in
            loopThread = pthread_self()
            started.withLock { $0 = true }
            run()
        }
        while !started.withLock({ $0 }) { sched_yield() }
    }

    deinit {
        close(wakeDescriptor)
        close(wakeWriter)
    }

    /// Hands a connected SUB socket to the loop.
    func adopt(_ socket: SocketBox, peer: String) {
        shared.withLock { $0.adopted.append((peer, socket.take())) }
        wake()
    }

    /// Closes the connection to `peer` (on the loop thread, soon).
    func remove(peer: String) {
        shared.withLock { $0.removed.append(peer) }
        wake()
    }

    /// Stops the loop, closes its sockets and waits for the thread to end.
    func stop() {
        let first = shared.withLock { s -> Bool in
            defer { s.stopping = true }
            return !s.stopping
        }
        guard first else { return }
        wake()
        // Called from a handler (on this thread): the loop ends after the current job, unjoined.
        guard pthread_equal(pthread_self(), loopThread) == 0 else { return }
        thread?.join()
        thread = nil
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let stopped = shared.withLock { s -> Bool in
            if s.stopped { return true }
            s.jobs.append(unowned)
            return false
        }
        if stopped {
            let executor = asUnownedTaskExecutor()
            DispatchJobRunner.run { unowned.runSynchronously(on: executor) }
        } else if pthread_equal(pthread_self(), loopThread) == 0 {
            wake()
        }
    }

    private func wake() {
        var one: UInt8 = 1
        _ = write(wakeWriter, &one, 1)  // a full pipe already wakes the loop
    }

    private func run() {
        var lastPublisherCheck: UInt64 = 0
        var items: [zmq_pollitem_t] = []
        while true {
            let (jobs, adopted, removed, stopping) = shared.withLock { s in
                defer {
                    s.jobs.removeAll(keepingCapacity: true)
                    s.adopted.removeAll()
                    s.removed.removeAll()
                }
                return (s.jobs, s.adopted, s.removed, s.stopping)
            }
            if stopping { break }
            for (peer, socket) in adopted { sockets.append((peer, socket)) }
            if !removed.isEmpty { sockets.removeAll { removed.contains($0.peer) } }
            let executor = asUnownedTaskExecutor()
            for job in jobs { job.runSynchronously(on: executor) }

            items.removeAll(keepingCapacity: true)
            items.append(zmq_pollitem_t(socket: nil, fd: wakeDescriptor, events: Int16(ZMQ_POLLIN), revents: 0))
            items.append(zmq_pollitem_t(socket: nil, fd: publisherDescriptor, events: Int16(ZMQ_POLLIN), revents: 0))
            for (_, socket) in sockets {
                items.append(zmq_pollitem_t(socket: socket.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0))
            }
            let pending = shared.withLock { !$0.jobs.isEmpty }
            let count = zmq_poll(&items, Int32(items.count), pending ? 0 : 10)
            if count < 0 && zmq_errno() == ETERM { break }
            if items[0].revents != 0 {
                var buffer = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
                while withUnsafeMutableBytes(of: &buffer, { read(wakeDescriptor, $0.baseAddress, $0.count) }) > 0 {}
            }
            for index in sockets.indices where items[index + 2].revents != 0 {
                drain(sockets[index].socket, peer: sockets[index].peer)
            }
            let now = Self.monotonicMilliseconds()
            if items[1].revents != 0 || now - lastPublisherCheck >= 10 {
                lastPublisherCheck = now
                callbacks.publisherEvents()
            }
        }
        sockets.removeAll()  // closes them, on their thread
        let leftover = shared.withLock { s -> [UnownedJob] in
            s.stopped = true
            defer { s.jobs.removeAll() }
            return s.jobs
        }
        let executor = asUnownedTaskExecutor()
        for job in leftover { DispatchJobRunner.run { job.runSynchronously(on: executor) } }
    }

    /// Every frame waiting on `socket` (bounded per turn, so one busy peer cannot starve the others or the jobs).
    private func drain(_ socket: ZMQSocket, peer: String) {
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        for _ in 0..<256 {
            guard zmq_msg_recv(&message, socket.handle, ZMQ_DONTWAIT) >= 0 else { return }
            callbacks.frame(UnsafeRawBufferPointer(start: zmq_msg_data(&message), count: zmq_msg_size(&message)), peer)
        }
    }

    private static func monotonicMilliseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }
}

/// Runs work elsewhere when the loop is gone (rare: only jobs of tasks still running after `stop()`).
enum DispatchJobRunner {
    static func run(_ body: @escaping @Sendable () -> Void) {
        DispatchQueue.global().async(execute: body)
    }
}
