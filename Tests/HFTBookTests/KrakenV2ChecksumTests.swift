import Foundation
import HFTAdapters
import HFTBook
import HFTCore
import HFTExchanges
import Testing

/// Kraken spot v2 book checksums (`kraken_v2_crc32_top10`): the JSON numbers of the book written with the pair's
/// precisions, point and leading zeros removed, asks then bids, CRC-32.
@Suite struct KrakenV2ChecksumTests {
    // The worked example of Kraken's guide "Spot Websockets (v2) Book Checksum"
    // (https://docs.kraken.com/api/docs/guides/spot-ws-book-v2, also docs.kraken.com/exchange/guides/websockets/
    // book-checksum-v2): a BTC/USD snapshot, its asks and bids texts and its checksum, copied from the page.
    static let docBids = [("45283.5", "0.10000000"), ("45283.4", "1.54582015"), ("45282.1", "0.10000000"), ("45281.0", "0.10000000"),
                          ("45280.3", "1.54592586"), ("45279.0", "0.07990000"), ("45277.6", "0.03310103"), ("45277.5", "0.30000000"),
                          ("45277.3", "1.54602737"), ("45276.6", "0.15445238")]
    static let docAsks = [("45285.2", "0.00100000"), ("45286.4", "1.54571953"), ("45286.6", "1.54571109"), ("45289.6", "1.54560911"),
                          ("45290.2", "0.15890660"), ("45291.8", "1.54553491"), ("45294.7", "0.04454749"), ("45296.1", "0.35380000"),
                          ("45297.5", "0.09945542"), ("45299.5", "0.18772827")]
    static let docAsksText = "45285210000045286415457195345286615457110945289615456091145290215890660452918154553491452947445474945296135380000452975994554245299518772827"
    static let docBidsText = "452835100000004528341545820154528211000000045281010000000452803154592586452790799000045277633101034527753000000045277315460273745276615445238"
    static let docChecksum: UInt32 = 3_310_070_434
    /// BTC/USD's decimals, from Kraken's FIX checksum guide (docs.kraken.com/api/docs/guides/spot-fix-checksums:
    /// `2349=1`, price precision 1; `5010=8`, quantity precision 8).
    static let btcPrecision = BookPrecision(price: 1, quantity: 8)!
    static let integrity = BookIntegrity(continuity: .none, checksum: .krakenV2CRC32Top10, snapshotURL: nil, depth: 10)

    /// A JSON number as a serializer prints it: no trailing zeros (`0.10000000` → `0.1`, `45281.0` → `45281`).
    static func jsonNumber(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var t = text
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }

    static func levels(_ pairs: [(String, String)], asJSONNumbers: Bool) throws -> [BookLevel] {
        try pairs.map { p, q in
            BookLevel(price: try ExactDecimal(asJSONNumbers ? jsonNumber(p) : p), size: try ExactDecimal(asJSONNumbers ? jsonNumber(q) : q))
        }
    }

    static func update(_ kind: BookUpdate.Kind, bids: [BookLevel], asks: [BookLevel], checksum: UInt32?) throws -> BookUpdate {
        BookUpdate(exchange: ExchangeID(rawValue: "kraken_v2")!, instrument: try Instrument(parsing: "BTC-USD"), kind: kind,
                   bids: bids, asks: asks, checksum: checksum, exchangeTime: nil, receiveTime: Timestamp(nanosecondsSinceEpoch: 0))
    }

    @Test func theGuideTextsHaveTheGuideChecksum() {
        // The page's texts and checksum agree (CRC32 itself is checked against zlib in ChecksumTests).
        #expect(Array((Self.docAsksText + Self.docBidsText).utf8).withUnsafeBytes { CRC32.checksum($0) } == Self.docChecksum)
    }

    /// The guide's book, as printed (all decimals) and as JSON numbers (trailing zeros lost): the precisions
    /// restore the same text either way.
    @Test(arguments: [false, true])
    func theGuideExampleVerifies(asJSONNumbers: Bool) throws {
        var book = OrderBook(instrument: try Instrument(parsing: "BTC-USD"))
        try book.apply(bids: try Self.levels(Self.docBids, asJSONNumbers: asJSONNumbers),
                       asks: try Self.levels(Self.docAsks, asJSONNumbers: asJSONNumbers))
        #expect(BookIntegrity.Checksum.krakenV2CRC32Top10.compute(book, precision: Self.btcPrecision) == Self.docChecksum)
        #expect(BookIntegrity.Checksum.krakenV2CRC32Top10.compute(book) == nil)  // no precisions: not verifiable
    }

    /// Snapshot then delta through a `BookKeeper`, as the stream feeds it: both verified. The delta's expected
    /// text is written by hand from the rule: best ask's size 0.5, best bid 45283.5 deleted, bid 45284 (0.25) added.
    @Test func snapshotsAndUpdatesAreVerified() throws {
        var keeper = BookKeeper(integrity: Self.integrity)
        let instrument = try Instrument(parsing: "BTC-USD")
        keeper.setPrecision(instrument, Self.btcPrecision)
        let snapshot = try Self.update(.snapshot, bids: try Self.levels(Self.docBids, asJSONNumbers: true),
                                       asks: try Self.levels(Self.docAsks, asJSONNumbers: true), checksum: Self.docChecksum)
        #expect(keeper.receive(snapshot) == .applied)

        let asks = "452852" + "50000000" + Self.docAsksText.dropFirst("452852100000".count)
        let bids = "452840" + "25000000" + Self.docBidsText.dropFirst("45283510000000".count)
        let expected = Array((asks + bids).utf8).withUnsafeBytes { CRC32.checksum($0) }
        let delta = try Self.update(.delta, bids: [BookLevel(price: try ExactDecimal("45283.5"), size: try ExactDecimal("0")),
                                                   BookLevel(price: try ExactDecimal("45284"), size: try ExactDecimal("0.25"))],
                                    asks: [BookLevel(price: try ExactDecimal("45285.2"), size: try ExactDecimal("0.5"))], checksum: expected)
        #expect(keeper.receive(delta) == .applied)
        #expect(keeper.checksumsVerified == 2)
        #expect(keeper.checksumsUnverified == 0)
        #expect(keeper.faults.isEmpty)
    }

    /// A corrupted checksum, on a snapshot or on an update, and a wrong precision are each a checksum fault.
    @Test func corruptedChecksumsAreDetected() throws {
        let instrument = try Instrument(parsing: "BTC-USD")
        let bids = try Self.levels(Self.docBids, asJSONNumbers: true)
        let asks = try Self.levels(Self.docAsks, asJSONNumbers: true)

        var corruptSnapshot = BookKeeper(integrity: Self.integrity)
        corruptSnapshot.setPrecision(instrument, Self.btcPrecision)
        let action = corruptSnapshot.receive(try Self.update(.snapshot, bids: bids, asks: asks, checksum: Self.docChecksum ^ 0x10))
        #expect(action == .resync(.checksumMismatch(expected: Self.docChecksum ^ 0x10, computed: Self.docChecksum)))
        #expect(corruptSnapshot.books[instrument]?.isValid == false)

        var corruptUpdate = BookKeeper(integrity: Self.integrity)
        corruptUpdate.setPrecision(instrument, Self.btcPrecision)
        #expect(corruptUpdate.receive(try Self.update(.snapshot, bids: bids, asks: asks, checksum: Self.docChecksum)) == .applied)
        // Size 0.2 at the best bid, sent with the checksum of the untouched book: a lost or corrupted update.
        let changed = try Self.update(.delta, bids: [BookLevel(price: try ExactDecimal("45283.5"), size: try ExactDecimal("0.2"))],
                                      asks: [], checksum: Self.docChecksum)
        #expect(corruptUpdate.receive(changed).isResync(named: "checksum"))
        #expect(corruptUpdate.faults.map(\.fault.name) == ["checksum"])

        var wrongPrecision = BookKeeper(integrity: Self.integrity)
        wrongPrecision.setPrecision(instrument, BookPrecision(price: 2, quantity: 8)!)
        #expect(wrongPrecision.receive(try Self.update(.snapshot, bids: bids, asks: asks, checksum: Self.docChecksum)).isResync(named: "checksum"))
    }

    /// Before the precisions are known, v2 checksums are counted as unverified: never a fault, never verified.
    /// Set later, they apply to the book already kept.
    @Test func withoutPrecisionChecksumsAreCountedUnverified() throws {
        let instrument = try Instrument(parsing: "BTC-USD")
        var keeper = BookKeeper(integrity: Self.integrity)
        let snapshot = try Self.update(.snapshot, bids: try Self.levels(Self.docBids, asJSONNumbers: true),
                                       asks: try Self.levels(Self.docAsks, asJSONNumbers: true), checksum: Self.docChecksum)
        #expect(keeper.receive(snapshot) == .applied)
        #expect(keeper.checksumsUnverified == 1)
        #expect(keeper.checksumsVerified == 0)
        keeper.setPrecision(instrument, Self.btcPrecision)
        #expect(keeper.receive(snapshot) == .applied)
        #expect(keeper.checksumsVerified == 1)
        #expect(keeper.faults.isEmpty)
    }

    /// The book page's snapshot example (MATIC/USD, checksum 2439117997; the frame is the spec's conformance case,
    /// copied verbatim from docs.kraken.com), parsed by the generated kraken_v2 adapter. The page gives no
    /// precisions: 4 and 8 are the most decimals its prices and quantities carry (`0.5666`, `4831.75496356`), and
    /// the values print without trailing zeros (`0.566`, `18097.1547`), so padding is exercised.
    @Test func theBookPageSnapshotVerifiesThroughTheAdapter() throws {
        let specURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("specs/kraken_v2.json")
        let spec = try JSONSerialization.jsonObject(with: Data(contentsOf: specURL)) as! [String: Any]
        let cases = (spec["conformance"] as! [String: Any])["cases"] as! [[String: Any]]
        let frame = try #require(cases.first { $0["name"] as? String == "book snapshot with checksum" }?["frame"] as? String)

        let instrument = try Instrument(parsing: "MATIC-USD")
        let descriptor = try #require(ExchangeCatalog.descriptor(for: ExchangeID(rawValue: "kraken_v2")!))
        let adapter = try descriptor.adapter.init(instruments: [instrument])
        var sink = EventBatch()
        var bytes = Array(frame.utf8)
        _ = bytes.withUnsafeMutableBytes { adapter.parse(UnsafeRawBufferPointer($0), receiveTime: Timestamp(nanosecondsSinceEpoch: 0), into: &sink) }
        let updates = sink.events.compactMap { event -> BookUpdate? in if case .book(let u) = event { u } else { nil } }
        #expect(updates.count == 1)
        #expect(updates.first?.checksum == 2_439_117_997)

        var keeper = BookKeeper(integrity: descriptor.adapter.configuration.book)
        keeper.setPrecision(instrument, BookPrecision(price: 4, quantity: 8)!)
        for update in updates { #expect(keeper.receive(update) == .applied) }
        #expect(keeper.checksumsVerified == 1)
        #expect(keeper.faults.isEmpty)
    }
}

extension BookSync.Action {
    func isResync(named name: String) -> Bool {
        if case .resync(let fault) = self { return fault.name == name }
        return false
    }
}
