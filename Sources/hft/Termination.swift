import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT (Ctrl-C) and SIGTERM as an event, for commands that run until stopped (`hft stream`, `hft simulate`,
/// `hft ipc listen`).
///
/// A real signal handler writes to a pipe that a thread of its own reads: whichever thread the kernel picks runs
/// the handler, so it works however many threads (lws, ZeroMQ, receive threads, the task pool) exist, unlike a
/// dispatch signal source, which can miss a signal delivered to a thread that does not block it. The signals are
/// unblocked first: a parent may have started us with them blocked (children of `swift test` are).
///
/// Threading: install from the main thread before starting other threads; `handler` runs once, on its own thread.
enum Termination {
    nonisolated(unsafe) private static var writeEnd: Int32 = -1

    /// Calls `handler` with the signal's number, once, at the first SIGINT or SIGTERM.
    static func install(_ handler: @escaping @Sendable (_ signal: Int32) -> Void) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        writeEnd = fds[1]
        for number in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(Termination.writeEnd, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, nil)
        }
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        let readEnd = fds[0]
        Thread {
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) < 0 && errno == EINTR {}
            handler(Int32(byte))
        }.start()
    }
}
