#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blocks a consumer thread until the producer signals it or a deadline passes: a POSIX mutex and condition
/// variable (monotonic clock where the platform has it).
///
/// The parked/not-parked decision is made by the queue's atomic `waiter` flag; this type only provides the
/// sleeping. The protocol that makes it free of lost wake-ups: the consumer checks the flag while holding the
/// mutex and sleeps with `wait` (which releases the mutex atomically); the waker clears the flag first, then
/// takes the mutex and signals. A waker therefore either sees the consumer not yet asleep (and the consumer sees
/// the cleared flag before sleeping), or finds it asleep and wakes it.
///
/// The waker holds the mutex only for the signal, and the consumer only for its checks, so the producer's wait
/// for it (once per parked batch, never per event) is a few hundred nanoseconds at worst.
///
/// Ownership: owned by one queue, which calls ``destroy()`` from its `deinit`.
struct ThreadParker {
    let mutex = PosixMutex()
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        condition = .allocate(capacity: 1)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if canImport(Glibc)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        let status = pthread_cond_init(condition, &attributes)
        precondition(status == 0, "pthread_cond_init failed: \(status)")
        pthread_condattr_destroy(&attributes)
    }

    /// Releases the mutex and condition. Nobody may be waiting.
    func destroy() {
        pthread_cond_destroy(condition)
        condition.deallocate()
        mutex.destroy()
    }

    func lock() {
        mutex.lock()
    }

    func unlock() {
        mutex.unlock()
    }

    /// Wakes the thread sleeping in ``sleep(until:)``, if any. Call with the mutex held.
    func signal() {
        pthread_cond_signal(condition)
    }

    /// Sleeps (mutex held on entry and on return) until signalled, a spurious wake-up, or `deadline`.
    /// Returns false when the deadline has passed (or the wait failed, which is treated the same way).
    func sleep(until deadline: timespec?) -> Bool {
        guard var deadline else {
            pthread_cond_wait(condition, mutex.pointer)
            return true
        }
        return pthread_cond_timedwait(condition, mutex.pointer, &deadline) == 0
    }

    /// The absolute deadline `timeout` from now (negative counts as zero), on the clock ``sleep(until:)`` uses.
    static func deadline(after timeout: Duration) -> timespec {
        var now = timespec()
        #if canImport(Glibc)
        clock_gettime(CLOCK_MONOTONIC, &now)
        #else
        clock_gettime(CLOCK_REALTIME, &now)
        #endif
        let (seconds, attoseconds) = timeout.components
        // At most ~68 years ahead, so that the seconds fit any time_t.
        let delay = seconds < 0 ? Int64(0) : Swift.min(seconds, Int64(Int32.max)) * 1_000_000_000 + attoseconds / 1_000_000_000
        let total = Int64(now.tv_nsec) + Swift.max(0, delay)
        return timespec(tv_sec: now.tv_sec + time_t(total / 1_000_000_000), tv_nsec: Int(total % 1_000_000_000))
    }
}

/// A POSIX mutex at a stable address, for the queue's two slow paths: the conflation side path and the parking
/// of a consumer thread (with ``ThreadParker``'s condition variable).
///
/// Why not `Synchronization.Mutex`: on Linux the standard library is not instrumented for ThreadSanitizer, so
/// TSan cannot see the ordering a `Mutex` provides and reports every value it protects as racing. POSIX
/// mutexes are intercepted by TSan, which keeps `swift test --sanitize=thread` meaningful for the queue. Both are
/// futex-based and cost the same uncontended.
///
/// Ownership: a value holding a pointer; the owner calls ``destroy()`` exactly once, when nobody holds it.
struct PosixMutex {
    let pointer: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        pointer = .allocate(capacity: 1)
        let status = pthread_mutex_init(pointer, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
    }

    func destroy() {
        pthread_mutex_destroy(pointer)
        pointer.deallocate()
    }

    func lock() {
        let status = pthread_mutex_lock(pointer)
        precondition(status == 0, "pthread_mutex_lock failed: \(status)")
    }

    func unlock() {
        pthread_mutex_unlock(pointer)
    }

    /// Runs `body` with the mutex held.
    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock()
        defer { unlock() }
        return try body()
    }
}
