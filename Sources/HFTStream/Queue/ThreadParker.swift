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
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        let mutexStatus = pthread_mutex_init(mutex, nil)
        precondition(mutexStatus == 0, "pthread_mutex_init failed: \(mutexStatus)")
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if canImport(Glibc)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        let conditionStatus = pthread_cond_init(condition, &attributes)
        precondition(conditionStatus == 0, "pthread_cond_init failed: \(conditionStatus)")
        pthread_condattr_destroy(&attributes)
    }

    /// Releases the mutex and condition. Nobody may be waiting.
    func destroy() {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func lock() {
        pthread_mutex_lock(mutex)
    }

    func unlock() {
        pthread_mutex_unlock(mutex)
    }

    /// Wakes the thread sleeping in ``sleep(until:)``, if any. Call with the mutex held.
    func signal() {
        pthread_cond_signal(condition)
    }

    /// Sleeps (mutex held on entry and on return) until signalled, a spurious wake-up, or `deadline`.
    /// Returns false when the deadline has passed.
    func sleep(until deadline: timespec?) -> Bool {
        guard var deadline else {
            pthread_cond_wait(condition, mutex)
            return true
        }
        return pthread_cond_timedwait(condition, mutex, &deadline) != ETIMEDOUT
    }

    /// The absolute deadline `timeout` from now, on the clock ``sleep(until:)`` measures.
    static func deadline(after timeout: Duration) -> timespec {
        var now = timespec()
        #if canImport(Glibc)
        clock_gettime(CLOCK_MONOTONIC, &now)
        #else
        clock_gettime(CLOCK_REALTIME, &now)
        #endif
        let (seconds, attoseconds) = timeout.components
        let clampedSeconds = max(0, min(seconds, Int64(Int32.max)))
        var nanoseconds = Int64(now.tv_nsec) + (seconds < 0 ? 0 : attoseconds / 1_000_000_000)
        var total = Int64(now.tv_sec) + clampedSeconds
        if nanoseconds >= 1_000_000_000 {
            nanoseconds -= 1_000_000_000
            total += 1
        }
        return timespec(tv_sec: time_t(total), tv_nsec: Int(nanoseconds))
    }
}
