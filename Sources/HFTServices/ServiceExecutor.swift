import Dispatch
import Foundation
public import HFTStream
import Synchronization

/// The one thread of control of a service: a dedicated thread with a run queue that is at the same time
///
/// - the `SerialExecutor` of the service actor (its async methods and tasks run here),
/// - the drainer of the service's stream queues (``ObserverDrainer``: events are delivered here, in place, with no
///   hop or task per event; a slow callback only makes this service's queues grow, never a stream or another
///   service wait),
/// - the timer wheel of ``Service/every(_:_:)`` and ``Service/runOnce(after:_:)``.
///
/// Everything a service's code sees runs on this thread one thing at a time, so service code needs no locks.
/// Order per round: queued jobs and blocks, due timers, then up to 256 events per channel queue of every stream.
///
/// Threading: every method may be called from any thread. ``shutdown()`` ends the thread after it delivered what
/// stopped streams had queued; actor jobs and blocks that arrive later (a caller awaiting the service after the
/// runtime stopped) still run, one at a time, on a serial dispatch queue.
public final class ServiceExecutor: SerialExecutor, ObserverDrainer, @unchecked Sendable {
    public let name: String
    private let condition = NSCondition()
    // Under `condition`:
    private var jobs: [UnownedJob] = []
    private var blocks: [@Sendable () -> Void] = []
    private var timers: [ServiceTimer] = []
    private var bindings: [ObserverBinding] = []
    private var woken = false
    private var stopping = false
    private var exited = false
    /// Runs jobs that arrive after the thread ended (serially, so the actor stays exclusive).
    private let afterExit = DispatchQueue(label: "hftkit.service.after-exit")
    private var afterDrain: [@Sendable () -> Void] = []
    private let threadID = Atomic<UInt>(0)
    private let nextTimerID = Atomic<Int>(1)

    public init(name: String) {
        self.name = name
        let thread = Thread { [self] in run() }
        thread.name = String("svc-\(name)".prefix(15))
        thread.start()
        condition.lock()
        while threadID.load(ordering: .acquiring) == 0 { condition.wait() }
        condition.unlock()
    }

    // MARK: SerialExecutor

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        if exited {
            condition.unlock()
            afterExit.async { unowned.runSynchronously(on: self.asUnownedSerialExecutor()) }
            return
        }
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// True on the executor's thread: lets `assumeIsolated` work from the thread's own loop (event delivery, timers).
    public var isCurrent: Bool { threadID.load(ordering: .relaxed) == UInt(bitPattern: Int(bitPattern: UInt(pthread_self()))) }

    public func checkIsolated() {
        precondition(isCurrent, "not on the thread of service executor '\(name)'")
    }

    public func isIsolatingCurrentContext() -> Bool? { isCurrent }

    // MARK: Work

    /// Runs `block` on the executor thread (after what is queued).
    public func execute(_ block: @escaping @Sendable () -> Void) {
        condition.lock()
        if exited {
            condition.unlock()
            afterExit.async(execute: block)
            return
        }
        blocks.append(block)
        condition.signal()
        condition.unlock()
    }

    /// Schedules `action` on the executor thread after `delay`, then every `repeating` (nil: once).
    @discardableResult
    public func schedule(after delay: Duration, repeating: Duration?, _ action: @escaping @Sendable () -> Void) -> TimerHandle {
        let id = nextTimerID.wrappingAdd(1, ordering: .relaxed).oldValue
        let timer = ServiceTimer(id: id, deadline: Self.now() + delay.nanoseconds, interval: repeating.map { max(1, $0.nanoseconds) }, action: action)
        condition.lock()
        timers.append(timer)
        condition.signal()
        condition.unlock()
        return TimerHandle(id: id, executor: self)
    }

    func cancelTimer(_ id: Int) {
        condition.lock()
        timers.removeAll { $0.id == id }
        condition.unlock()
    }

    /// Cancels every timer (the service is stopping).
    public func cancelAllTimers() {
        condition.lock()
        timers.removeAll()
        condition.unlock()
    }

    /// Executor thread: delivers everything the stream queues hold now.
    func drainAll() {
        precondition(isCurrent)
        let sources = condition.withLock { bindings }
        while sources.contains(where: { $0.drain() }) {}
    }

    /// `hook` runs on the executor thread after every pass that delivered events or ran jobs (flushes batched
    /// callbacks). Any thread.
    func addAfterDrain(_ hook: @escaping @Sendable () -> Void) {
        condition.lock()
        afterDrain.append(hook)
        condition.unlock()
    }

    /// Ends the thread once the stopped streams' queues are delivered and the queued work has run; waits for it.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        while !exited && !isCurrent { condition.wait() }
        condition.unlock()
    }

    // MARK: ObserverDrainer

    public func adopt(_ binding: ObserverBinding) {
        condition.lock()
        bindings.append(binding)
        woken = true
        condition.signal()
        condition.unlock()
    }

    public func wake() {
        condition.lock()
        woken = true
        condition.signal()
        condition.unlock()
    }

    // MARK: The loop

    private func run() {
        threadID.store(UInt(bitPattern: Int(bitPattern: UInt(pthread_self()))), ordering: .releasing)
        condition.lock()
        condition.broadcast()
        condition.unlock()
        while true {
            condition.lock()
            let takenJobs = jobs
            let takenBlocks = blocks
            jobs.removeAll(keepingCapacity: true)
            blocks.removeAll(keepingCapacity: true)
            let now = Self.now()
            var due: [ServiceTimer] = []
            for i in timers.indices where timers[i].deadline <= now {
                due.append(timers[i])
                if let interval = timers[i].interval {
                    // Fixed rate; a late thread skips missed beats instead of firing them in a burst.
                    let behind = (now - timers[i].deadline) / interval + 1
                    timers[i].deadline += behind * interval
                }
            }
            timers.removeAll { $0.interval == nil && $0.deadline <= now }
            let sources = bindings
            let hooks = afterDrain
            let stop = stopping
            condition.unlock()

            for job in takenJobs { job.runSynchronously(on: asUnownedSerialExecutor()) }
            for block in takenBlocks { block() }
            for timer in due { timer.action() }
            var delivered = false
            for binding in sources where binding.drain() { delivered = true }
            if delivered || !takenJobs.isEmpty || !takenBlocks.isEmpty {
                for hook in hooks { hook() }
            }
            if delivered || !takenJobs.isEmpty || !takenBlocks.isEmpty || !due.isEmpty { continue }
            if stop {
                // Deliver what finished streams left, then leave.
                if sources.allSatisfy({ !$0.drain() }) { break }
                continue
            }
            // Nothing to do: announce sleep to every binding, then sleep unless something arrived meanwhile.
            guard sources.allSatisfy({ $0.prepareToSleep() }) else { continue }
            condition.lock()
            if jobs.isEmpty && blocks.isEmpty && !woken && !stopping {
                let next = timers.map(\.deadline).min()
                if let next {
                    let seconds = Double(max(0, next - Self.now())) / 1e9
                    _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
                } else {
                    condition.wait()
                }
            }
            woken = false
            condition.unlock()
        }
        condition.lock()
        exited = true
        let leftJobs = jobs
        let leftBlocks = blocks
        jobs.removeAll()
        blocks.removeAll()
        bindings.removeAll()
        timers.removeAll()
        condition.broadcast()
        condition.unlock()
        for job in leftJobs { afterExit.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) } }
        for block in leftBlocks { afterExit.async(execute: block) }
    }

    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// A timer of a ``ServiceExecutor``.
struct ServiceTimer {
    let id: Int
    var deadline: Int64
    let interval: Int64?
    let action: @Sendable () -> Void
}

/// Cancels a scheduled timer. Any thread; cancelling twice or after a one-shot fired does nothing.
public struct TimerHandle: Sendable, Hashable {
    let id: Int
    let executor: ServiceExecutor

    public func cancel() { executor.cancelTimer(id) }

    public static func == (a: TimerHandle, b: TimerHandle) -> Bool { a.id == b.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
