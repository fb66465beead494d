public import Logging
import Synchronization

/// Counts problems with bad input and logs each distinct kind of problem once, with a sample.
///
/// "Bad input never crashes a process and never passes silently": a parser that meets a malformed frame
/// calls ``record(_:)`` and moves on. The first occurrence of each key (error kind + exchange + channel +
/// message kind + field) is logged at `warning` with its sample; later ones are only counted, with a reminder
/// at every power of ten. ``snapshot()`` surfaces the counts (for health events, `hft` summaries and tests).
///
/// Thread safety: all methods may be called from any thread (a `Mutex` guards the table; recording is on the
/// error path only, never per good message).
public final class ProblemLog: Sendable {
    /// One distinct problem and how often it happened.
    public struct Entry: Sendable {
        public var first: HFTError
        public var count: Int
    }

    struct Key: Hashable {
        var kind: HFTError.Kind
        var context: ErrorContext
    }

    private let logger: Logger
    private let table = Mutex<[Key: Entry]>([:])

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Counts `error`; logs it if it is the first of its key (or its count reached a power of ten).
    public func record(_ error: HFTError) {
        let key = Key(kind: error.kind, context: error.context)
        let count = table.withLock { table -> Int in
            if var entry = table[key] {
                entry.count += 1
                table[key] = entry
                return entry.count
            }
            table[key] = Entry(first: error, count: 1)
            return 1
        }
        if count == 1 {
            logger.warning("\(error)")
        } else if Self.isPowerOfTen(count) {
            logger.warning("\(count) times so far: [\(error.kind.rawValue)] \(error.context): \(error.message)")
        }
    }

    /// Total number of problems recorded.
    public var total: Int {
        table.withLock { $0.values.reduce(0) { $0 + $1.count } }
    }

    /// Every distinct problem with its first occurrence and count, most frequent first.
    public func snapshot() -> [Entry] {
        table.withLock { Array($0.values) }.sorted { $0.count > $1.count }
    }

    static func isPowerOfTen(_ n: Int) -> Bool {
        var n = n
        while n >= 10 && n % 10 == 0 { n /= 10 }
        return n == 1
    }
}
