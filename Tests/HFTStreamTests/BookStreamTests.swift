import Foundation
import HFTAdapters
import HFTBook
import HFTCapture
import HFTCore
import HFTExchanges
import HFTSimulator
import HFTStream
import Synchronization
import Testing

/// Collects book views and health events (consumer thread), and checks every view as it arrives.
final class BookViewObserver: StreamObserver, @unchecked Sendable {
    let views = Mutex<[BookTop]>([])
    let health = Mutex<[HealthEvent]>([])
    /// Views published as valid while crossed (must stay 0).
    let crossedValid = Atomic<Int>(0)
    func onEvent(_ event: MarketEvent) {
        guard case .bookTop(let view) = event else { return }
        if view.isValid, let bid = view.bestBid, let ask = view.bestAsk, bid.price >= ask.price {
            crossedValid.add(1, ordering: .relaxed)
        }
        views.withLock { $0.append(view) }
    }
    func onHealth(_ event: HealthEvent) { health.withLock { $0.append(event) } }

    func invalidReasons(_ instrument: Instrument) -> [String] {
        health.withLock { $0.compactMap { e in
            if case .bookInvalid(instrument, let reason) = e.kind { return reason } else { return nil }
        } }
    }
    func resynced(_ instrument: Instrument) -> Int {
        health.withLock { $0.filter { $0.kind == .bookResynced(instrument: instrument) }.count }
    }
}

/// Books kept by a live stream over real sockets, against the simulator serving a capture with a fault on one
/// chosen book delta: the fault is detected (a health event with the reason, an invalid view), healed by a resync
/// (a resubscription, or a new REST snapshot from the simulator), and at the end every book equals the book
/// rebuilt offline from the full capture (HFTBook over CaptureBookReplay), level by level.
@Suite(.serialized) struct BookStreamTests {
    /// The offline books of the whole capture, and the instrument's deltas in order (to choose one to fault).
    static func offline(_ exchange: String, _ file: String, dropping: (Instrument, Int)? = nil)
        throws -> (replay: CaptureBookReplay, deltas: [Instrument: Int]) {
        let capture = try CaptureFile(contentsOf: ReplayFixture.capturesFolder.appendingPathComponent(file))
        let id = ExchangeID(rawValue: exchange)!
        let descriptor = ExchangeCatalog.descriptor(for: id)!
        let instruments = capture.instruments.filter { descriptor.adapter.configuration.nativeSymbol($0) != nil }
        let adapter = try descriptor.adapter.init(instruments: instruments)
        var replay = CaptureBookReplay(integrity: descriptor.adapter.configuration.book)
        var deltas: [Instrument: Int] = [:]
        try replay.run(capture, adapter: adapter, exchange: id, transform: { update in
            guard update.kind == .delta else { return update }
            deltas[update.instrument, default: 0] += 1
            if let (instrument, n) = dropping, instrument == update.instrument, deltas[instrument] == n { return nil }
            return update
        })
        return (replay, deltas)
    }

    /// The first delta (from the 5th on) of `instrument` whose loss the offline keeper detects: a dropped delta
    /// that changes no checksummed level cannot be seen, by any implementation.
    static func detectableDrop(_ exchange: String, _ file: String, _ instrument: Instrument, from: Int = 5) throws -> Int {
        for n in from..<(from + 200) where try !offline(exchange, file, dropping: (instrument, n)).replay.keeper.faults.isEmpty {
            return n
        }
        throw HFTError(.configuration, "no detectable delta drop for \(instrument)")
    }

    /// Runs the stream against the simulator with `faults` and checks detection, healing and the final books.
    func run(
        _ exchange: String, _ file: String, faults: [ExchangeSimulator.BookFrameFault], reasons: [String], speed: Double? = nil
    ) async throws {
        let fixture = try ReplayFixture(exchange: exchange, capture: file)
        let truth = try Self.offline(exchange, file).replay
        #expect(truth.keeper.faults.isEmpty)
        let simulator = try fixture.simulator {
            $0.bookFaults = faults
            $0.exchange = fixture.exchange
            $0.speed = speed
        }
        defer { simulator.stop() }
        let stream = try fixture.stream(endpoint: simulator.baseURL)
        let observer = BookViewObserver()
        stream.bind(observer, book: .top(depth: 10))
        try stream.start()
        defer { stream.stop() }

        // Ends when every book equals the offline one, level by level.
        var mismatch = ""
        let equal = await CollectingObserver().wait(seconds: 90) {
            let live = stream.bookStates()
            mismatch = ""
            for (instrument, sync) in truth.keeper.books {
                guard let state = live[instrument] else { mismatch += "\(instrument): no live book; "; continue }
                if !state.isValid { mismatch += "\(instrument): invalid; " }
                if state.book.bids.top(state.book.bids.count) != sync.book.bids.top(sync.book.bids.count)
                    || state.book.asks.top(state.book.asks.count) != sync.book.asks.top(sync.book.asks.count) {
                    mismatch += "\(instrument): levels differ (\(state.book.bids.count)/\(state.book.asks.count) vs \(sync.book.bids.count)/\(sync.book.asks.count)); "
                }
            }
            return mismatch.isEmpty
        }
        #expect(equal, "\(exchange): \(mismatch) health: \(observer.health.withLock { $0.map(\.description) })")
        #expect(simulator.bookFaultsApplied == faults.count)
        for (fault, reason) in zip(faults, reasons) {
            let seen = observer.invalidReasons(fault.instrument)
            #expect(seen.contains { $0.hasPrefix(reason) }, "\(fault.instrument): \(seen)")
            #expect(observer.resynced(fault.instrument) >= 1)
            // The views of that instrument: an invalid one, and valid ones after it (healed).
            let views = observer.views.withLock { $0.filter { $0.instrument == fault.instrument } }
            let firstInvalid = views.firstIndex { !$0.isValid }
            #expect(firstInvalid != nil && views[(firstInvalid ?? 0)...].contains { $0.isValid })
            #expect(views.allSatisfy { $0.isValid || ($0.bids.isEmpty && $0.asks.isEmpty) })
        }
        #expect(observer.crossedValid.load(ordering: .relaxed) == 0)
    }

    @Test func krakenChecksumFaultsAreDetectedAndHealedByResubscribing() async throws {
        let xbt = Instrument("BTC-CHF")!
        let ada = Instrument("ADA-BTC")!
        let drop = try Self.detectableDrop("kraken", "kraken.jsonl", ada)
        try await run("kraken", "kraken.jsonl",
                faults: [.init(.corruptChecksum, instrument: xbt, delta: 10), .init(.drop, instrument: ada, delta: drop)],
                reasons: ["checksum", "checksum"])
    }

    @Test func binanceGapIsDetectedAndHealedByANewRESTSnapshot() async throws {
        let nkn = Instrument("NKN-USDT")!
        // A delta lost before the REST snapshot is fetched is covered by it (the simulator's snapshot is the book
        // at the point it has served): paced at 10x (3 s), the 100th of 150 deltas is lost well after the sync.
        let drop = try Self.detectableDrop("binance", "binance.jsonl", nkn, from: 100)
        try await run("binance", "binance.jsonl", faults: [.init(.drop, instrument: nkn, delta: drop)], reasons: ["gap"], speed: 10)
    }

    @Test func okxDroppedDeltaIsCaughtByTheChecksumAndHealed() async throws {
        let btc = Instrument("BTC-USDT")!
        let drop = try Self.detectableDrop("okx", "okx.jsonl", btc)
        try await run("okx", "okx.jsonl", faults: [.init(.drop, instrument: btc, delta: drop)], reasons: ["checksum"])
    }
}
