import Dispatch
import Foundation

/// SIGINT (Ctrl-C) and SIGTERM as an event, for commands that run until stopped.
///
/// Threading: `init` from the main thread before any other thread depends on the default signal action; the
/// handler runs once, on a global dispatch queue.
final class Termination: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []

    /// Ignores the default action of SIGINT and SIGTERM and calls `handler` on the first of them.
    init(_ handler: @escaping @Sendable (_ signal: Int32) -> Void) {
        let once = OnceFlag()
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { if once.claim() { handler(signalNumber) } }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}

/// True for the first caller of `claim()` only (any thread).
final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false

    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }
}
