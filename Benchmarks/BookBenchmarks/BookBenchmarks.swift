// Order books: delta apply against a C sorted-array book (Benchmarks/CBookBaseline) on the same update stream,
// and checksum verification against the raw CRC32 of the same bytes (the checksum texts written out beforehand).
// Workloads come from the Kraken and OKX captures. Targets (issue 5): apply ≤ 1.5× C; checksum ≤ 1.5× raw CRC32.
import Benchmark
import CBookBaseline
import Foundation
import HFTAdapters
import HFTBook
import HFTCapture
import HFTCore
import HFTExchanges

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Book updates of a capture, in order, as the adapter parses them.
func bookUpdates(exchange: String, file: String) -> [BookUpdate] {
    let url = packageRoot.appendingPathComponent("Tests/ExchangeConformanceTests/Captures/\(file)")
    guard let capture = try? CaptureFile(contentsOf: url),
          let descriptor = ExchangeCatalog.descriptor(for: ExchangeID(rawValue: exchange)!) else { return [] }
    let instruments = capture.instruments.filter { descriptor.adapter.configuration.nativeSymbol($0) != nil }
    guard let adapter = try? descriptor.adapter.init(instruments: instruments) else { return [] }
    var out: [BookUpdate] = []
    for frame in capture.receivedFrames {
        var sink = EventBatch()
        let bytes = Array(frame.data.utf8)
        _ = bytes.withUnsafeBytes { adapter.parse($0, receiveTime: frame.time, into: &sink) }
        for case .book(let update) in sink.events { out.append(update) }
    }
    return out
}

/// The same stream for the C book: one operation per level, keys at each instrument's largest price scale.
struct CWorkload {
    var book: [Int32] = []
    var isBid: [Bool] = []
    var key: [Int64] = []
    var size: [Int64] = []
    /// Operation index → a snapshot starts here (clear the book first).
    var clearsBefore: [Bool] = []
    var books = 0
}

let updates = bookUpdates(exchange: "kraken", file: "kraken.jsonl")
    + bookUpdates(exchange: "okx", file: "okx.jsonl") + bookUpdates(exchange: "okx_swap", file: "okx.jsonl")
let instruments: [Instrument] = Array(Set(updates.map(\.instrument))).sorted()
let index: [Instrument: Int] = Dictionary(uniqueKeysWithValues: instruments.enumerated().map { ($1, $0) })
let levelCount = updates.reduce(0) { $0 + $1.bids.count + $1.asks.count }
/// The book of each update, looked up once (as the C workload's book numbers are).
let updateBooks: [Int] = updates.map { index[$0.instrument]! }

let cWorkload: CWorkload = {
    var scale = [UInt8](repeating: 0, count: instruments.count)
    for u in updates { for l in u.bids + u.asks { scale[index[u.instrument]!] = max(scale[index[u.instrument]!], l.price.scale) } }
    var w = CWorkload()
    w.books = instruments.count
    for u in updates {
        let b = index[u.instrument]!
        var first = u.kind == .snapshot
        for (levels, bid) in [(u.bids, true), (u.asks, false)] {
            for l in levels {
                var k = Int64(l.price.mantissa)
                for _ in 0..<Int(scale[b] - l.price.scale) { k *= 10 }
                w.book.append(Int32(b)); w.isBid.append(bid); w.key.append(bid ? k : -k)
                w.size.append(Int64(truncatingIfNeeded: l.size.mantissa)); w.clearsBefore.append(first)
                first = false
            }
        }
    }
    return w
}()

/// The book after every checksummed update of the Kraken and OKX replays, in order (cut to their top 30 levels,
/// which the checksums never pass), with the checksum text written out by the exchange's rule.
struct ChecksumSample {
    let book: OrderBook
    let algorithm: BookIntegrity.Checksum
    let stream: Int
    let text: [UInt8]
}

let checksumSamples: [ChecksumSample] = {
    var out: [ChecksumSample] = []
    var streams: [Instrument: Int] = [:]
    for (exchange, algorithm) in [("kraken", BookIntegrity.Checksum.krakenCRC32Top10), ("okx", .okxCRC32Top25)] {
        var keeper = BookKeeper(integrity: BookIntegrity(continuity: .none, checksum: algorithm, snapshotURL: nil))
        for u in bookUpdates(exchange: exchange, file: "\(exchange).jsonl") {
            _ = keeper.receive(u)
            guard u.checksum != nil, let sync = keeper.books[u.instrument], sync.isValid else { continue }
            var book = OrderBook(instrument: u.instrument)
            let top = sync.book.top(30)
            try! book.apply(bids: top.bids, asks: top.asks)
            var text = ""
            if algorithm == .krakenCRC32Top10 {
                for side in [book.asks, book.bids] {
                    for l in side.top(10) { text += "\(l.price.mantissa.magnitude)\(l.size.mantissa.magnitude)" }
                }
            } else {
                var parts: [String] = []
                for r in 0..<25 {
                    if r < book.bids.count { let l = book.bids.level(at: r); parts.append("\(l.price.plainText):\(l.size.plainText)") }
                    if r < book.asks.count { let l = book.asks.level(at: r); parts.append("\(l.price.plainText):\(l.size.plainText)") }
                }
                text = parts.joined(separator: ":")
            }
            let stream = streams[u.instrument] ?? streams.count
            streams[u.instrument] = stream
            out.append(ChecksumSample(book: book, algorithm: algorithm, stream: stream, text: Array(text.utf8)))
        }
    }
    return out
}()
let checksumStreams = Set(checksumSamples.map(\.stream)).count

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .one,
        maxDuration: .seconds(1), maxIterations: 100)

    Benchmark("book apply: OrderBook (per \(levelCount) levels)") { benchmark in
        var books = instruments.map { OrderBook(instrument: $0) }
        for _ in benchmark.scaledIterations {
            for i in updates.indices { try? books[updateBooks[i]].apply(updates[i]) }
            blackHole(books[0].bids.count)
        }
    }
    Benchmark("book apply: baseline C sorted array (per \(levelCount) levels)") { benchmark in
        let w = cWorkload
        var sides = [cbook_side](repeating: cbook_side(), count: w.books * 2)
        for i in sides.indices { cbook_side_init(&sides[i]) }
        for _ in benchmark.scaledIterations {
            for i in 0..<w.key.count {
                let s = Int(w.book[i]) * 2 + (w.isBid[i] ? 0 : 1)
                if w.clearsBefore[i] { cbook_side_clear(&sides[s - (w.isBid[i] ? 0 : 1)]); cbook_side_clear(&sides[s - (w.isBid[i] ? 0 : 1) + 1]) }
                cbook_side_set(&sides[s], w.key[i], w.size[i])
            }
            blackHole(sides[0].count)
        }
        for i in sides.indices { cbook_side_free(&sides[i]) }
    }
    Benchmark("book checksum: verification as BookSync does it (per \(checksumSamples.count) updates)") { benchmark in
        for _ in benchmark.scaledIterations {
            var caches = [ChecksumCache](repeating: ChecksumCache(), count: checksumStreams)
            var x: UInt32 = 0
            for s in checksumSamples { x ^= caches[s.stream].compute(s.algorithm, s.book) ?? 0 }
            blackHole(x)
        }
    }
    Benchmark("book checksum: every level formatted again (per \(checksumSamples.count) updates)") { benchmark in
        for _ in benchmark.scaledIterations {
            var x: UInt32 = 0
            for s in checksumSamples { x ^= s.algorithm.compute(s.book) ?? 0 }
            blackHole(x)
        }
    }
    Benchmark("book checksum: baseline raw CRC32 of the same texts (per \(checksumSamples.count) updates)") { benchmark in
        for _ in benchmark.scaledIterations {
            var x: UInt32 = 0
            for s in checksumSamples { x ^= s.text.withUnsafeBytes { CRC32.checksum($0) } }
            blackHole(x)
        }
    }
    Benchmark("book checksum: zlib crc32 of the same texts (per \(checksumSamples.count) updates)") { benchmark in
        for _ in benchmark.scaledIterations {
            var x: UInt32 = 0
            for s in checksumSamples { x ^= s.text.withUnsafeBufferPointer { cbook_zlib_crc32($0.baseAddress, $0.count) } }
            blackHole(x)
        }
    }
}
