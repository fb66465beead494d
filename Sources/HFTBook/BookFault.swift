/// Why a book stopped being valid: each one leads to a resync and is reported as a health event.
public enum BookFault: Error, Sendable, Equatable, CustomStringConvertible {
    /// A sequence number broke the spec's continuity rule.
    case gap(expected: UInt64, received: UInt64)
    /// The exchange's checksum disagrees with the maintained book.
    case checksumMismatch(expected: UInt32, computed: UInt32)
    /// The best bid reached the best ask.
    case crossed
    /// An observer's or the stream's queue dropped book updates.
    case overflow
    /// A REST snapshot older than every buffered delta (the deltas that bridge it were not kept).
    case staleSnapshot(lastUpdateID: UInt64, firstBuffered: UInt64)
    /// Too many deltas arrived while waiting for a snapshot.
    case bufferOverflow(limit: Int)
    /// A REST snapshot without its `lastUpdateId`.
    case unsequencedSnapshot
    /// A price the book cannot hold (see ``BookError``).
    case unusablePrice(BookError)

    /// A short name for logs and health events (`gap`, `checksum`, …).
    public var name: String {
        switch self {
        case .gap: return "gap"
        case .checksumMismatch: return "checksum"
        case .crossed: return "crossed"
        case .overflow: return "overflow"
        case .staleSnapshot: return "stale_snapshot"
        case .bufferOverflow: return "buffer_overflow"
        case .unsequencedSnapshot: return "unsequenced_snapshot"
        case .unusablePrice: return "price"
        }
    }

    public var description: String {
        switch self {
        case .gap(let expected, let received): return "sequence gap: expected \(expected), received \(received)"
        case .checksumMismatch(let expected, let computed):
            return "checksum mismatch: exchange sent \(expected), book gives \(computed)"
        case .crossed: return "crossed book (best bid >= best ask)"
        case .overflow: return "book updates dropped by a full queue"
        case .staleSnapshot(let id, let first):
            return "REST snapshot lastUpdateId \(id) is older than the first buffered delta (\(first))"
        case .bufferOverflow(let limit): return "more than \(limit) deltas buffered while waiting for a snapshot"
        case .unsequencedSnapshot: return "REST snapshot without lastUpdateId"
        case .unusablePrice(let error): return error.description
        }
    }
}
