public import HFTAdapters
public import HFTCore

/// The sequence rules of the specs' `book.continuity` (``BookIntegrity/Continuity``), implemented once here.
///
/// | name | snapshot from | rule between consecutive book messages |
/// |---|---|---|
/// | `none` | WebSocket | none (Kraken v1: checksums instead) |
/// | `increment` | WebSocket | `last` = previous `last` + 1 (Kraken Futures `seq`) |
/// | `connection_increment` | WebSocket | `last` > previous `last` (Coinbase `sequence_num` counts every frame of the connection; the stream checks the connection's +1) |
/// | `okx_seq_id` | WebSocket | `previous` (`prevSeqId`) = previous `last` (`seqId`); messages without them are not checked |
/// | `binance_spot` | REST (`lastUpdateId` L) | drop `u` ≤ L; the first applied has `U` ≤ L+1 ≤ `u`; then `U` = previous `u` + 1 |
/// | `binance_futures` | REST (L) | drop `u` < L; the first applied has `U` ≤ L ≤ `u`; then `pu` = previous `u` |
extension BookIntegrity.Continuity {
    /// True when the snapshot comes from a REST request and deltas are buffered until it arrives.
    public var needsRESTSnapshot: Bool { self == .binanceSpot || self == .binanceFutures }

    /// Whether a message with sequence `update` may follow one with `previous`; the fault when it may not.
    /// Sequences the rule needs but the messages lack are not checked.
    public func check(_ update: BookSequence, after previous: BookSequence) -> BookFault? {
        switch self {
        case .none:
            return nil
        case .increment:
            guard let last = previous.last, let next = update.last else { return nil }
            return next == last &+ 1 ? nil : .gap(expected: last &+ 1, received: next)
        case .connectionIncrement:
            guard let last = previous.last, let next = update.last else { return nil }
            return next > last ? nil : .gap(expected: last &+ 1, received: next)
        case .okxSeqId, .binanceFutures:
            guard let last = previous.last, let prior = update.previous else { return nil }
            return prior == last ? nil : .gap(expected: last, received: prior)
        case .binanceSpot:
            guard let last = previous.last, let first = update.first else { return nil }
            return first == last &+ 1 ? nil : .gap(expected: last &+ 1, received: first)
        }
    }

    /// REST recipes: a buffered delta that the snapshot `lastUpdateID` already contains (drop it).
    public func isCovered(_ update: BookSequence, bySnapshot lastUpdateID: UInt64) -> Bool {
        guard let last = update.last else { return false }
        return self == .binanceFutures ? last < lastUpdateID : last <= lastUpdateID
    }

    /// REST recipes: whether the first delta kept after the snapshot continues it (`U ≤ L+1 ≤ u` for spot,
    /// `U ≤ L ≤ u` for USD-M).
    public func bridges(_ update: BookSequence, snapshot lastUpdateID: UInt64) -> Bool {
        guard let first = update.first, let last = update.last else { return true }
        let target = self == .binanceFutures ? lastUpdateID : lastUpdateID &+ 1
        return first <= target && target <= last
    }
}
