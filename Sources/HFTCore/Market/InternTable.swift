import Synchronization

/// A process-wide, append-only table that gives each distinct value a small integer id, so that events carry a
/// 4-byte id instead of the value (`Instrument`, `ExchangeID`): an event holding only ids and numbers is a plain
/// bit pattern, copied without reference counting on every hand-off (parser → batch → queue → observer).
///
/// Ids are dense (0, 1, 2, …) and never reused; entries are never removed. A process sees a bounded set of
/// instruments and exchanges (thousands at most), so the table stays small.
///
/// Thread safety: every method may be called from any thread. Interning and reading take a lock; hot paths
/// intern nothing (adapters intern their symbols when they are made) and read nothing (ids compare and hash
/// as integers).
@usableFromInline
final class InternTable<Value: Hashable & Sendable>: Sendable {
    private struct State {
        var values: [Value] = []
        var ids: [Value: UInt32] = [:]
    }

    private let state = Mutex(State())

    init() {}

    /// The id of `value`, adding it when it is new.
    func intern(_ value: Value) -> UInt32 {
        state.withLock { state in
            if let id = state.ids[value] { return id }
            let id = UInt32(state.values.count)
            state.values.append(value)
            state.ids[value] = id
            return id
        }
    }

    /// The value of an id this table gave out.
    func value(_ id: UInt32) -> Value {
        state.withLock { $0.values[Int(id)] }
    }
}
