public import HFTAdapters

/// Remembers the checksum text of each top level between updates, so that verifying a checksum after a delta
/// formats only the levels that changed (usually one or two) and copies the others' bytes.
///
/// Kept per book by ``BookSync``. Each side remembers, per rank of the top N, the level's price key, its size
/// and its text (Kraken: price and size digits; OKX: `price:size`). After an update a level is found at the same
/// rank or one away (an insert or delete above it shifts it by one); a level whose size changed, or a new one, is
/// formatted again. The result equals ``BookIntegrity/Checksum/compute(_:)`` exactly (the book tests verify both
/// against every checksum of the captures).
///
/// Thread safety: a plain value owned by one book's thread. Its buffers are allocated once, at the first use.
public struct ChecksumCache: Sendable {
    static let slot = 96  // bytes per level text: 2 × 41 + ':' fits

    struct Entry: Sendable {
        var key: Int64 = .min
        /// The level's packed size and scales (`BookSide.Entry.bits`).
        var size: Int64 = .min
        var length: UInt8 = 0
    }

    // Per side (0 bids, 1 asks), by rank: what each cached text was made from, and the texts (`slot` bytes each).
    var bidEntries: [Entry] = []
    var askEntries: [Entry] = []
    var bidTexts: [UInt8] = []
    var askTexts: [UInt8] = []
    var spareEntries: [Entry] = []
    var spareTexts: [UInt8] = []
    var out: [UInt8] = []
    /// The book's key scale the cached keys were taken at (a wider scale changes every key).
    var keyScale: UInt8 = 0
    var depth = 0

    public init() {}

    /// The checksum of `book` by `algorithm`, or nil when it is not verifiable.
    public mutating func compute(_ algorithm: BookIntegrity.Checksum, _ book: OrderBook) -> UInt32? {
        let depth: Int
        switch algorithm {
        case .krakenCRC32Top10: depth = 10
        case .okxCRC32Top25: depth = 25
        case .none, .krakenV2CRC32Top10: return nil
        }
        if depth != self.depth || book.keyScale != keyScale {
            self.depth = depth
            keyScale = book.keyScale
            out = [UInt8](repeating: 0, count: 2 * depth * Self.slot)
            bidTexts = [UInt8](repeating: 0, count: depth * Self.slot)
            askTexts = bidTexts
            spareTexts = bidTexts
            bidEntries = [Entry](repeating: Entry(), count: depth)
            askEntries = bidEntries
            spareEntries = bidEntries
        }
        let okx = algorithm == .okxCRC32Top25
        Self.refresh(book.bids, depth: depth, okx: okx, &bidEntries, &bidTexts, &spareEntries, &spareTexts)
        Self.refresh(book.asks, depth: depth, okx: okx, &askEntries, &askTexts, &spareEntries, &spareTexts)
        let bidCount = min(depth, book.bids.count)
        let askCount = min(depth, book.asks.count)
        let slot = Self.slot
        return bidEntries.withUnsafeBufferPointer { be in
            askEntries.withUnsafeBufferPointer { ae in
                bidTexts.withUnsafeBufferPointer { bt in
                    askTexts.withUnsafeBufferPointer { at in
                        out.withUnsafeMutableBufferPointer { o -> UInt32 in
                            let p = o.baseAddress!
                            var n = 0
                            @inline(__always) func append(_ e: UnsafeBufferPointer<Entry>, _ t: UnsafeBufferPointer<UInt8>, _ rank: Int) {
                                let length = Int(e[rank].length)
                                Self.copyWords(p + n, t.baseAddress! + rank &* slot, length)
                                n &+= length
                            }
                            if okx {
                                for rank in 0..<max(bidCount, askCount) {
                                    if rank < bidCount { if n > 0 { p[n] = 58; n &+= 1 }; append(be, bt, rank) }
                                    if rank < askCount { if n > 0 { p[n] = 58; n &+= 1 }; append(ae, at, rank) }
                                }
                            } else {
                                for rank in 0..<askCount { append(ae, at, rank) }
                                for rank in 0..<bidCount { append(be, bt, rank) }
                            }
                            var crc = CRC32()
                            crc.update(UnsafePointer(p), count: n)
                            return crc.value
                        }
                    }
                }
            }
        }
    }

    /// Copies `count` bytes 8 at a time, possibly writing up to 7 bytes past them: texts are short (under 90
    /// bytes) and every destination has room to spare (slots of 96 bytes; the output is 2 × depth slots).
    @inline(__always)
    static func copyWords(_ destination: UnsafeMutablePointer<UInt8>, _ source: UnsafePointer<UInt8>, _ count: Int) {
        var i = 0
        while i < count {
            UnsafeMutableRawPointer(destination + i).storeBytes(of: UnsafeRawPointer(source + i).loadUnaligned(as: UInt64.self),
                                                                as: UInt64.self)
            i &+= 8
        }
    }

    /// Brings one side's per-rank texts up to date with the book, building them in the spare buffers and
    /// swapping (the old ones become the spares).
    static func refresh(
        _ side: BookSide, depth: Int, okx: Bool,
        _ entries: inout [Entry], _ texts: inout [UInt8], _ spareEntries: inout [Entry], _ spareTexts: inout [UInt8]
    ) {
        let count = min(depth, side.count)
        side.entries.withUnsafeBufferPointer { stored in
            do {
                entries.withUnsafeBufferPointer { old in
                    texts.withUnsafeBufferPointer { oldTexts in
                        spareEntries.withUnsafeMutableBufferPointer { new in
                            spareTexts.withUnsafeMutableBufferPointer { newTexts in
                                for rank in 0..<count {
                                    let i = stored.count &- 1 &- rank
                                    let entry = stored[i]
                                    let key = entry.key
                                    // The packed size and scales identify the text (price text: key and price scale).
                                    let size = Int64(bitPattern: entry.bits)
                                    let destination = newTexts.baseAddress! + rank &* slot
                                    var reused = false
                                    if entry.sizeScale != BookSide.Entry.bigMarker {
                                        for attempt in 0..<3 {
                                            let candidate = attempt == 0 ? rank : (attempt == 1 ? rank &- 1 : rank &+ 1)
                                            guard candidate >= 0, candidate < depth else { continue }
                                            let e = old[candidate]
                                            if e.key == key, e.size == size {
                                                Self.copyWords(destination, oldTexts.baseAddress! + candidate &* slot, Int(e.length))
                                                new[rank] = e
                                                reused = true
                                                break
                                            }
                                        }
                                    }
                                    if !reused {
                                        let level = side.level(index: i)
                                        var n = 0
                                        if okx {
                                            BookIntegrity.Checksum.writePlain(level.price, destination, &n)
                                            destination[n] = 58
                                            n &+= 1
                                            BookIntegrity.Checksum.writePlain(level.size, destination, &n)
                                        } else {
                                            BookIntegrity.Checksum.writeDigits(level.price, destination, &n)
                                            BookIntegrity.Checksum.writeDigits(level.size, destination, &n)
                                        }
                                        new[rank] = Entry(key: key, size: size, length: UInt8(n))
                                    }
                                }
                                for rank in count..<depth { new[rank] = Entry() }
                            }
                        }
                    }
                }
            }
        }
        swap(&entries, &spareEntries)
        swap(&texts, &spareTexts)
    }
}
