public import HFTAdapters
import HFTCore

/// Verifies a book's checksum after each update from each top level's cached CRC: a level that did not change
/// is neither formatted nor hashed again.
///
/// Kept per book by ``BookSync``. Each side remembers, per rank of the top N, the level's price key, its packed
/// size, the length of its checksum text (Kraken: price and size digits; OKX: `:price:size`) and the CRC of that
/// text alone. After an update a level is found at the same rank or one away (an insert or delete above it
/// shifts it by one); a level whose size changed, or a new one, is formatted and hashed. The checksum of the
/// whole text is then combined from the levels' CRCs (``CRC32Combine``: one carry-less multiplication per level,
/// one reduction), which equals the CRC-32 of the text written out; the book tests check it against every
/// checksum of the Kraken and OKX captures, and against texts written by hand from the exchanges' rules.
///
/// `kraken_v2_crc32_top10` needs the instrument's precisions (``setPrecision(_:)``); without them it answers nil.
///
/// Thread safety: a plain value owned by one book's thread. Its buffers are allocated once, at the first use.
public struct ChecksumCache: Sendable {
    /// Room for one level's text: two 39-digit numbers with up to 18 zeros of precision padding each, or OKX's
    /// `:price:size` with texts of up to 41 bytes.
    static let maxText = 128

    struct Entry: Sendable {
        var key: Int64 = .min
        /// The level's packed size and scales (`BookSide.Entry.bits`).
        var size: Int64 = .min
        /// `R(0, text)`: the CRC register after the level's text alone, from zero, no final XOR.
        var crc: UInt32 = 0
        var length: UInt32 = 0
    }

    // Per side (bids, asks), by rank: the levels the cached CRCs were made from.
    var bidEntries: [Entry] = []
    var askEntries: [Entry] = []
    var spareEntries: [Entry] = []
    /// The terms of the combination (``CRC32Combine/term(_:following:_:)``), one per level and one more.
    var terms: [UInt64] = []
    /// One level's text while it is formatted.
    var text: [UInt8] = []
    var algorithm = BookIntegrity.Checksum.none
    /// The book's key scale the cached keys were taken at (a wider scale changes every key).
    var keyScale: UInt8 = 0
    /// Kraken v2: the instrument's price and quantity decimals.
    public private(set) var precision: BookPrecision?

    public init(precision: BookPrecision? = nil) {
        self.precision = precision
    }

    /// Sets the decimals `kraken_v2_crc32_top10` formats prices and quantities with (forgetting cached levels).
    public mutating func setPrecision(_ precision: BookPrecision?) {
        self.precision = precision
        algorithm = .none
    }

    /// The checksum of `book` by `algorithm`, or nil when it is not verifiable (`none`; Kraken v2 without
    /// precisions).
    public mutating func compute(_ algorithm: BookIntegrity.Checksum, _ book: OrderBook) -> UInt32? {
        let depth: Int
        switch algorithm {
        case .krakenCRC32Top10: depth = 10
        case .krakenV2CRC32Top10:
            guard precision != nil else { return nil }
            depth = 10
        case .okxCRC32Top25: depth = 25
        case .none: return nil
        }
        if algorithm != self.algorithm || book.keyScale != keyScale {
            self.algorithm = algorithm
            keyScale = book.keyScale
            bidEntries = [Entry](repeating: Entry(), count: depth)
            askEntries = bidEntries
            spareEntries = bidEntries
            terms = [UInt64](repeating: 0, count: 2 * depth + 1)
            text = [UInt8](repeating: 0, count: Self.maxText + 8)
        }
        let format = LevelFormat(algorithm: algorithm, priceDecimals: precision?.price ?? 0, quantityDecimals: precision?.quantity ?? 0)
        format.refresh(book.bids, depth: depth, &bidEntries, &spareEntries, &text)
        format.refresh(book.asks, depth: depth, &askEntries, &spareEntries, &text)
        let bidCount = min(depth, book.bids.count)
        let askCount = min(depth, book.asks.count)
        let okx = algorithm == .okxCRC32Top25
        return bidEntries.withUnsafeBufferPointer { bids in
            askEntries.withUnsafeBufferPointer { asks in
                terms.withUnsafeMutableBufferPointer { terms in
                    CRC32Combine.multipliers.withUnsafeBufferPointer { m -> UInt32 in
                        let k = m.baseAddress!
                        var n = 0
                        var following = 0
                        // Last level first: each term needs the number of bytes after its level.
                        @inline(__always) func add(_ e: Entry) {
                            terms[n] = CRC32Combine.term(e.crc, following: following, k)
                            n &+= 1
                            following &+= Int(e.length)
                        }
                        if okx {  // bid1, ask1, bid2, ask2, …: each level's text starts with its ':'
                            var rank = max(bidCount, askCount)
                            while rank > 0 {
                                rank &-= 1
                                if rank < askCount { add(asks[rank]) }
                                if rank < bidCount { add(bids[rank]) }
                            }
                            guard following > 0 else { return 0 }  // the CRC of an empty text
                            // The initial register, and R(0, ":") at the same place, cancel the first ':'.
                            terms[n] = CRC32Combine.term(0xFFFF_FFFF ^ LevelFormat.colonCRC, following: following &- 1, k)
                        } else {  // Kraken: the asks, then the bids
                            for rank in stride(from: bidCount &- 1, through: 0, by: -1) { add(bids[rank]) }
                            for rank in stride(from: askCount &- 1, through: 0, by: -1) { add(asks[rank]) }
                            terms[n] = CRC32Combine.term(0xFFFF_FFFF, following: following, k)
                        }
                        n &+= 1
                        return CRC32Combine.reduce(CRC32Combine.xorOfProducts(terms.baseAddress!, count: n)) ^ 0xFFFF_FFFF
                    }
                }
            }
        }
    }
}

/// How one level's checksum text is written, and the refresh of a side's cached levels.
struct LevelFormat {
    let algorithm: BookIntegrity.Checksum
    /// Kraken v2's decimals.
    let priceDecimals: UInt8
    let quantityDecimals: UInt8

    /// `R(0, ":")`.
    static let colonCRC: UInt32 = CRC32.advance(0, [UInt8(ascii: ":")])

    /// Writes the level's text at `out` (room for ``ChecksumCache/maxText`` bytes), returning its length.
    @inline(__always)
    func write(_ level: BookLevel, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        switch algorithm {
        case .okxCRC32Top25:
            out[0] = 58
            n = 1
            BookIntegrity.Checksum.writePlain(level.price, out, &n)
            out[n] = 58
            n &+= 1
            BookIntegrity.Checksum.writePlain(level.size, out, &n)
        case .krakenV2CRC32Top10:
            BookIntegrity.Checksum.writeDigits(level.price, decimals: priceDecimals, out, &n)
            BookIntegrity.Checksum.writeDigits(level.size, decimals: quantityDecimals, out, &n)
        default:
            BookIntegrity.Checksum.writeDigits(level.price, out, &n)
            BookIntegrity.Checksum.writeDigits(level.size, out, &n)
        }
        return n
    }

    /// Brings one side's cached levels up to date with the book, building them in `spare` and swapping (the old
    /// ones become the spares).
    func refresh(_ side: BookSide, depth: Int, _ entries: inout [ChecksumCache.Entry], _ spare: inout [ChecksumCache.Entry], _ text: inout [UInt8]) {
        let count = min(depth, side.count)
        side.entries.withUnsafeBufferPointer { stored in
            entries.withUnsafeBufferPointer { old in
                spare.withUnsafeMutableBufferPointer { new in
                    text.withUnsafeMutableBufferPointer { text in
                        for rank in 0..<count {
                            let i = stored.count &- 1 &- rank
                            let entry = stored[i]
                            let key = entry.key
                            // The packed size and scales identify the text (price text: key and price scale).
                            let size = Int64(bitPattern: entry.bits)
                            if entry.sizeScale != BookSide.Entry.bigMarker {
                                // Unchanged, or shifted by one by an insert or a delete above it.
                                var e = old[rank]
                                if e.key == key, e.size == size { new[rank] = e; continue }
                                if rank > 0 {
                                    e = old[rank &- 1]
                                    if e.key == key, e.size == size { new[rank] = e; continue }
                                }
                                if rank &+ 1 < depth {
                                    e = old[rank &+ 1]
                                    if e.key == key, e.size == size { new[rank] = e; continue }
                                }
                            }
                            let length = write(side.level(index: i), text.baseAddress!)
                            new[rank] = ChecksumCache.Entry(key: key, size: size, crc: CRC32.advance(0, text.baseAddress!, count: length),
                                                            length: UInt32(length))
                        }
                        for rank in count..<depth { new[rank] = ChecksumCache.Entry() }
                    }
                }
            }
        }
        swap(&entries, &spare)
    }
}
