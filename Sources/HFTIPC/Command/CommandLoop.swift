import CZeroMQ
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The command system's receive thread: it receives every connection's commands on one SUB socket, blocked inside
/// `zmq_msg_recv` as a C receiver is, and is the executor of the dispatcher task, so a command goes from its socket
/// through the router to its handler without a thread hop (a hop costs more than the rest of the path).
///
/// - One SUB socket connects to every peer (ZeroMQ fair-queues between them); `connect` and `disconnect` run on
///   the loop thread (`zmq_connect` / `zmq_disconnect` of the peer's endpoint).
/// - Jobs, connection requests and `stop()` from other threads wake the loop through an inproc PUB socket
///   connected to that same SUB: the frame `{own_id}.` + a zero byte (under the unicast subscription, so peers see
///   no extra subscription; shorter than a topic, so never a command: such a frame is not routed).
/// - The publishing XPUB's subscription messages (welcome requests, subscribers joining and leaving) are read by a
///   second thread, the watcher: it waits with `poll(2)` on the XPUB's ZMQ_FD, at most 100 ms (ZMQ_FD is edge-like:
///   a send on another thread may consume the signal while the watcher is busy), so the receive thread blocks
///   without a timeout, as a C receiver does (a timeout arms a kernel timer per wait). Not 10 ms: wake-ups that
///   frequent made the scheduler move the busy threads of a round trip into slow placements (benchmark: p50 ≈ 37
///   instead of ≈ 28 µs in most runs).
///
/// After `stop()`, jobs run on global dispatch threads, so tasks that still had this executor as preference finish.
///
/// Thread safety: `connect`, `disconnect`, `enqueue` and `stop` from any thread; everything else on the loop thread.
final class CommandLoop: TaskExecutor, @unchecked Sendable {
    /// What the loop calls, on its thread.
    struct Callbacks: Sendable {
        /// One frame from one of the connections.
        var frame: @Sendable (UnsafeRawBufferPointer) -> Void
        /// The publishing socket may have subscription messages (its descriptor was readable, or 100 ms passed);
        /// called on the watcher thread.
        var publisherEvents: @Sendable () -> Void
    }

    /// A connection change, done on the loop thread in the order asked.
    private enum Request {
        case connect(String, done: @Sendable (ZMQError?) -> Void)
        case disconnect(String)
    }

    private struct Shared {
        var jobs: [UnownedJob] = []
        var requests: [Request] = []
        /// A wake frame is on its way (no need to send another).
        var wakeSent = false
        var stopping = false
        var stopped = false
    }

    /// How long the watcher waits at most before reading the publisher's subscriptions again, in milliseconds
    /// (only a signal consumed by a concurrent send waits that long).
    static let publisherCheckMilliseconds: Int32 = 100

    private let shared = Mutex<Shared>(Shared())
    /// The inproc PUB that wakes the loop (nil once the loop ended). Sent to from any thread, under its lock.
    private let waker: Mutex<ZMQSocket?>
    private let callbacks: Callbacks
    private let welcomeRequest: [UInt8]
    /// `{own_id}.` + 0.
    private let wakeFrame: [UInt8]
    private var thread: WorkerThread?
    private var loopThread = pthread_t()
    private var watcher: WorkerThread?
    private var watcherThread = pthread_t()
    /// A pipe that ends the watcher (it polls the read end).
    private let watcherStop: (read: Int32, write: Int32)
    private let publisherDescriptor: Int32
    /// Loop thread only.
    private var socket: ZMQSocket?
    private var welcomeSubscribed = false

    /// Creates the SUB socket (subscribed to `subscriptions`, the first of which is the unicast prefix `{own_id}.`),
    /// the wake path (checked live before returning) and the thread.
    init(context: ZMQContext, subscriptions: [[UInt8]], welcomeRequest: [UInt8], highWaterMark: Int32, publisherDescriptor: Int32,
         callbacks: Callbacks) throws(ZMQError) {
        wakeFrame = subscriptions[0] + [0]
        let sub = try ZMQSocket(context, .sub)
        let pub = try ZMQSocket(context, .pub)
        try sub.setHighWaterMarks(send: highWaterMark, receive: highWaterMark)
        try pub.setHighWaterMarks(send: 0, receive: 0)
        let endpoint = "inproc://hftkit-command-loop-\(UInt(bitPattern: ObjectIdentifier(sub).hashValue))"
        try pub.bind(endpoint)
        for prefix in subscriptions { try sub.subscribe(prefix) }
        try sub.connect(endpoint)
        try Self.awaitWakePath(sub: sub, pub: pub, frame: wakeFrame)
        try sub.setReceiveTimeout(milliseconds: -1)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ZMQError(call: "pipe", errno: errno) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        watcherStop = (fds[0], fds[1])
        self.publisherDescriptor = publisherDescriptor
        socket = sub
        waker = Mutex(pub)
        self.welcomeRequest = welcomeRequest
        self.callbacks = callbacks
        let started = Mutex<Bool>(false)
        thread = WorkerThread(name: "ipc-commands") { [self] in
            loopThread = pthread_self()
            started.withLock { $0 = true }
            run()
        }
        while !started.withLock({ $0 }) { sched_yield() }
        let watching = Mutex<Bool>(false)
        watcher = WorkerThread(name: "ipc-subscriptions") { [self] in
            watcherThread = pthread_self()
            watching.withLock { $0 = true }
            watch()
        }
        while !watching.withLock({ $0 }) { sched_yield() }
    }

    deinit {
        close(watcherStop.read)
        close(watcherStop.write)
    }

    /// A PUB drops what it sends before the SUB's subscription reached it: wake until a wake frame arrives.
    private static func awaitWakePath(sub: ZMQSocket, pub: ZMQSocket, frame: [UInt8]) throws(ZMQError) {
        try sub.setReceiveTimeout(milliseconds: 2)
        for _ in 0..<5000 {
            try pub.send(frame, dontWait: true)
            do throws(ZMQError) {
                if try sub.receive().bytes == frame { return }
            } catch {
                guard error.isWouldBlock else { throw error }
            }
        }
        throw ZMQError(call: "inproc wake path of the command loop never became live", errno: ETIMEDOUT)
    }

    /// Connects the loop's SUB socket to `endpoint` (on the loop thread, soon); `done` gets the outcome, on the loop
    /// thread (or the caller's, once stopped). The welcome request subscription is renewed so it reaches the new
    /// publisher after every other subscription (the renewal also reaches the other publishers, which welcome again).
    func connect(_ endpoint: String, done: @escaping @Sendable (ZMQError?) -> Void) {
        let accepted = shared.withLock { s -> Bool in
            guard !s.stopping else { return false }
            s.requests.append(.connect(endpoint, done: done))
            return true
        }
        if accepted { wake() } else { done(ZMQError(call: "zmq_connect(\(endpoint))", errno: ETERM)) }
    }

    /// Disconnects the SUB socket from `endpoint` (on the loop thread, soon).
    func disconnect(_ endpoint: String) {
        shared.withLock { $0.requests.append(.disconnect(endpoint)) }
        wake()
    }

    /// Stops the loop, closes its sockets and waits for the thread to end.
    func stop() {
        let first = shared.withLock { s -> Bool in
            defer { s.stopping = true }
            return !s.stopping
        }
        guard first else { return }
        wake(force: true)
        var one: UInt8 = 1
        _ = write(watcherStop.write, &one, 1)
        if pthread_equal(pthread_self(), watcherThread) == 0 {
            watcher?.join()
            watcher = nil
        }
        // Called from a handler (on this thread): the loop ends after the current job, unjoined.
        guard pthread_equal(pthread_self(), loopThread) == 0 else { return }
        thread?.join()
        thread = nil
    }

    /// The watcher thread: reads the publisher's subscription messages when its descriptor signals, and every
    /// 100 ms (a signal consumed by a send on another thread is not repeated), until `stop()`.
    private func watch() {
        var items = [pollfd(fd: publisherDescriptor, events: Int16(POLLIN), revents: 0),
                     pollfd(fd: watcherStop.read, events: Int16(POLLIN), revents: 0)]
        while true {
            _ = poll(&items, nfds_t(items.count), Self.publisherCheckMilliseconds)
            if items[1].revents != 0 { return }
            callbacks.publisherEvents()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let onLoop = pthread_equal(pthread_self(), loopThread) != 0
        let outcome = shared.withLock { s -> (stopped: Bool, wake: Bool) in
            if s.stopped { return (true, false) }
            s.jobs.append(unowned)
            return (false, !onLoop)
        }
        if outcome.stopped {
            let executor = asUnownedTaskExecutor()
            DispatchJobRunner.run { unowned.runSynchronously(on: executor) }
        } else if outcome.wake {
            wake()
        }
    }

    /// Sends a wake frame unless one is already on its way.
    private func wake(force: Bool = false) {
        let send = shared.withLock { s -> Bool in
            defer { s.wakeSent = true }
            return force || !s.wakeSent
        }
        guard send else { return }
        waker.withLock { pub in
            guard let pub else { return }
            _ = wakeFrame.withUnsafeBytes { zmq_send(pub.handle, $0.baseAddress, $0.count, ZMQ_DONTWAIT) }
        }
    }

    private func run() {
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        var sawWake = false
        while true {
            let (jobs, requests, stopping) = shared.withLock { s -> ([UnownedJob], [Request], Bool) in
                if sawWake { s.wakeSent = false }
                guard !s.jobs.isEmpty || !s.requests.isEmpty else { return ([], [], s.stopping) }  // no allocation
                var (jobs, requests): ([UnownedJob], [Request]) = ([], [])
                swap(&jobs, &s.jobs)
                swap(&requests, &s.requests)
                return (jobs, requests, s.stopping)
            }
            sawWake = false
            if stopping { break }
            for request in requests { perform(request) }
            let executor = asUnownedTaskExecutor()
            for job in jobs { job.runSynchronously(on: executor) }

            // Work was done: jobs may have queued more on this thread, so look without waiting.
            let idle = jobs.isEmpty && requests.isEmpty
            guard let handle = socket?.handle else { break }
            if zmq_msg_recv(&message, handle, idle ? 0 : ZMQ_DONTWAIT) >= 0 {
                let bytes = UnsafeRawBufferPointer(start: zmq_msg_data(&message), count: zmq_msg_size(&message))
                if bytes.count == wakeFrame.count && bytes.elementsEqual(wakeFrame) {
                    sawWake = true
                } else {
                    callbacks.frame(bytes)
                }
            } else if zmq_errno() == ETERM {
                break  // the context is shutting down: the loop is being stopped
            }
            // EAGAIN (after a look without waiting) and EINTR: go round.
        }
        zmq_msg_close(&message)
        socket = nil  // closes it, on its thread
        waker.withLock { $0 = nil }
        let (leftover, requests) = shared.withLock { s -> ([UnownedJob], [Request]) in
            s.stopped = true
            defer {
                s.jobs.removeAll()
                s.requests.removeAll()
            }
            return (s.jobs, s.requests)
        }
        for case .connect(let endpoint, let done) in requests { done(ZMQError(call: "zmq_connect(\(endpoint))", errno: ETERM)) }
        let executor = asUnownedTaskExecutor()
        for job in leftover { DispatchJobRunner.run { job.runSynchronously(on: executor) } }
    }

    private func perform(_ request: Request) {
        guard let socket else { return }
        switch request {
        case .connect(let endpoint, let done):
            // The welcome request goes last on the new connection: unsubscribe it, connect (the new pipe gets
            // every other subscription), subscribe it again (sent to every pipe, the new one after the rest).
            if welcomeSubscribed { try? socket.unsubscribe(welcomeRequest) }
            welcomeSubscribed = false
            var failure: ZMQError?
            do throws(ZMQError) {
                try socket.connect(endpoint)
            } catch {
                failure = error
            }
            do throws(ZMQError) {
                try socket.subscribe(welcomeRequest)
                welcomeSubscribed = true
            } catch {
                failure = failure ?? error
            }
            done(failure)
        case .disconnect(let endpoint):
            _ = zmq_disconnect(socket.handle, endpoint)  // ENOENT when not connected: nothing to do
        }
    }

}

/// Runs work elsewhere when the loop is gone (rare: only jobs of tasks still running after `stop()`).
enum DispatchJobRunner {
    static func run(_ body: @escaping @Sendable () -> Void) {
        DispatchQueue.global().async(execute: body)
    }
}
