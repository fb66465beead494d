import HFTAdapters
import HFTBook
import HFTCore
import HFTExchanges

/// The order-book side of a recording, found with the exchange's own adapters (the specs compiled in): which
/// recorded frames are book snapshots and deltas of which instrument, and the recorded REST snapshots. It lets
/// the simulator drop or corrupt a chosen book delta, answer a book resubscription with a fresh snapshot, and
/// serve REST snapshots (docs/simulator.md, "Books").
///
/// Built once, lazily, on the simulator's service thread (parsing the recording costs a few milliseconds).
/// Pure value.
struct SimulatorBooks {
    struct BookFrame {
        let instrument: Instrument
        let isSnapshot: Bool
        let checksum: UInt32?
    }

    /// Per recorded connection name: its book frames by frame index.
    let frames: [String: [Int: BookFrame]]
    /// Per recorded connection and instrument: the keys its book frames name (what a (un)subscribe message must
    /// name to concern that book).
    let bookKeys: [String: [Instrument: Set<String>]]
    /// Native symbol (uppercased) → instrument, for REST requests (`symbol=BTCUSDT`).
    let instrumentsByNative: [String: Instrument]
    let adapters: [any ExchangeAdapter]
    let exchange: ExchangeID?

    /// `exchange` nil: the specs named like the recorded exchange (`okx` → `okx`, `okx_swap`).
    init(script: SimulatorScript, exchange: ExchangeID?) {
        let recorded = script.exchange.lowercased()
        let ids = exchange.map { [$0] }
            ?? ExchangeCatalog.all.map(\.id).filter { $0.rawValue == recorded || $0.rawValue.hasPrefix(recorded + "_") }
        var adapters: [any ExchangeAdapter] = []
        var natives: [String: Instrument] = [:]
        for id in ids {
            guard let descriptor = ExchangeCatalog.descriptor(for: id) else { continue }
            let instruments = script.instruments.filter { descriptor.adapter.configuration.nativeSymbol($0) != nil }
            guard !instruments.isEmpty, let adapter = try? descriptor.adapter.init(instruments: instruments) else { continue }
            adapters.append(adapter)
            for entry in adapter.symbols.entries { natives[entry.native.uppercased()] = entry.instrument }
        }
        self.adapters = adapters
        self.exchange = exchange ?? ids.first { $0.rawValue == recorded }
        instrumentsByNative = natives
        var frames: [String: [Int: BookFrame]] = [:]
        var keys: [String: [Instrument: Set<String>]] = [:]
        var sink = EventBatch()
        for connection in script.connections {
            for (index, frame) in connection.frames.enumerated() {
                var bytes = Array(frame.text.utf8)
                for adapter in adapters {
                    sink.removeAll()
                    _ = bytes.withUnsafeMutableBytes { adapter.parse(UnsafeRawBufferPointer($0), receiveTime: Timestamp(nanosecondsSinceEpoch: 0), into: &sink) }
                    guard case .book(let update)? = sink.events.first(where: { if case .book = $0 { true } else { false } }) else { continue }
                    frames[connection.name, default: [:]][index] = BookFrame(
                        instrument: update.instrument, isSnapshot: update.kind == .snapshot, checksum: update.checksum)
                    keys[connection.name, default: [:]][update.instrument, default: []].formUnion(frame.keys)
                    break
                }
            }
        }
        self.frames = frames
        bookKeys = keys
    }

    /// `text` with its checksum changed (the last digit of the checksum's decimal text, unsigned or signed, as
    /// the exchange writes it); nil when the frame carries none.
    static func corruptingChecksum(_ text: String, _ checksum: UInt32?) -> String? {
        guard let checksum, checksum != 0 else { return nil }
        let bytes = Array(text.utf8)
        for form in [String(checksum), String(Int32(bitPattern: checksum))] {
            let needle = Array(form.utf8)
            var i = bytes.count - needle.count
            while i >= 0 {
                if bytes[i..<(i + needle.count)].elementsEqual(needle),
                   i == 0 || !(bytes[i - 1] >= 48 && bytes[i - 1] <= 57 || bytes[i - 1] == 45),
                   i + needle.count == bytes.count || !(bytes[i + needle.count] >= 48 && bytes[i + needle.count] <= 57) {
                    var out = bytes
                    let last = i + needle.count - 1
                    out[last] = 48 + (out[last] - 48 + 1) % 10
                    return String(decoding: out, as: UTF8.self)
                }
                i -= 1
            }
        }
        return nil
    }

    /// The REST snapshot body for `instrument` after the book deltas `served` (recorded texts, in order): the
    /// recorded snapshot when no served delta goes beyond it, else the book rebuilt from it and the served deltas
    /// (with HFTBook, as a client would), in Binance's depth format with `lastUpdateId` = the last delta's `u`.
    func restSnapshot(_ instrument: Instrument, recorded: String, served: [String]) -> String {
        guard let exchange, let adapter = adapters.first(where: { a in a.symbols.entries.contains { $0.instrument == instrument } })
        else { return recorded }
        var bytes = Array(recorded.utf8)
        guard let snapshot = try? bytes.withUnsafeMutableBytes({ raw in
            try RESTBookSnapshot.binanceDepth(UnsafeRawBufferPointer(raw), exchange: exchange, instrument: instrument,
                                              receiveTime: Timestamp(nanosecondsSinceEpoch: 0))
        }) else { return recorded }
        var sync = BookSync(instrument: instrument, integrity: type(of: adapter).configuration.book)
        _ = sync.receiveSnapshot(snapshot)
        var last: UInt64?
        var sink = EventBatch()
        for text in served {
            var frame = Array(text.utf8)
            sink.removeAll()
            _ = frame.withUnsafeMutableBytes { adapter.parse(UnsafeRawBufferPointer($0), receiveTime: Timestamp(nanosecondsSinceEpoch: 0), into: &sink) }
            for case .book(let update) in sink.events where update.instrument == instrument {
                if sync.receive(update) == .applied { last = update.sequence.last }
            }
        }
        guard let last, sync.isValid else { return recorded }
        func levels(_ side: [BookLevel]) -> String {
            side.map { "[\"\($0.price.plainText)\",\"\($0.size.plainText)\"]" }.joined(separator: ",")
        }
        let top = sync.book.top(max(sync.book.bids.count, sync.book.asks.count))
        return "{\"lastUpdateId\":\(last),\"bids\":[\(levels(top.bids))],\"asks\":[\(levels(top.asks))]}"
    }
}
