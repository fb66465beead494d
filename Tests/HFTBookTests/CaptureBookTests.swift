import HFTAdapters
import HFTBook
import HFTCore
import Testing

/// Books maintained over recorded traffic. The captures are valid test vectors (see their README): every
/// Kraken and OKX checksum must match the maintained book, and Binance books must sync from the recorded REST
/// snapshots without a gap. The frame counts come from the raw captures, independently of the parsers:
///
///     python3 -c "import json;print(sum(1 for l in open('kraken.jsonl') for o in [json.loads(l)] if o['t']=='recv'
///       for d in [json.loads(o['data'])] if isinstance(d,list) and str(d[-2]).startswith('book')
///       for p in d[1:-2] if isinstance(p,dict) and 'c' in p))"                                  # 4269
///     python3 -c "import json;print(sum(1 for l in open('okx.jsonl') for o in [json.loads(l)] if o['t']=='recv'
///       for d in [json.loads(o['data'])] if d.get('arg',{}).get('channel')=='books' and 'data' in d
///       for e in d['data'] if 'checksum' in e))"                                                # 290 (spot + swap)
@Suite struct CaptureBookTests {
    @Test func everyKrakenChecksumMatchesTheMaintainedBook() throws {
        let run = try CaptureBooks(exchange: "kraken", file: "kraken.jsonl")
        #expect(run.keeper.faults.map { "\($0.instrument) \($0.fault)" } == [])
        #expect(run.withChecksum == 4269)
        #expect(run.keeper.checksumsVerified == 4269)
        #expect(run.crossedWhileValid == 0)
    }

    @Test func everyOKXChecksumMatchesTheMaintainedBook() throws {
        let spot = try CaptureBooks(exchange: "okx", file: "okx.jsonl")
        let swap = try CaptureBooks(exchange: "okx_swap", file: "okx.jsonl")
        #expect(spot.keeper.faults.map { "\($0.instrument) \($0.fault)" } == [])
        #expect(swap.keeper.faults.map { "\($0.instrument) \($0.fault)" } == [])
        #expect(spot.keeper.checksumsVerified + swap.keeper.checksumsVerified == 290)
        #expect(spot.keeper.checksumsVerified > 0 && swap.keeper.checksumsVerified > 0)
    }

    @Test(arguments: ["binance", "binance_futures"])
    func binanceBooksSyncFromTheRecordedRESTSnapshots(exchange: String) throws {
        let run = try CaptureBooks(exchange: exchange, file: "\(exchange).jsonl")
        #expect(run.snapshotsFed == 4)
        #expect(run.keeper.faults.map { "\($0.instrument) \($0.fault)" } == [])
        #expect(run.keeper.books.count == 4)
        #expect(run.keeper.books.values.allSatisfy { $0.isValid })
        #expect(run.applied > 0)
        #expect(run.crossedWhileValid == 0)
    }

    @Test(arguments: ["kraken_futures", "coinbase"])
    func webSocketSnapshotBooksStayValid(exchange: String) throws {
        let run = try CaptureBooks(exchange: exchange, file: "\(exchange).jsonl")
        #expect(run.keeper.faults.map { "\($0.instrument) \($0.fault)" } == [])
        #expect(!run.keeper.books.isEmpty)
        #expect(run.keeper.books.values.allSatisfy { $0.isValid })
        #expect(run.crossedWhileValid == 0)
    }

    /// A corrupted checksum and a dropped delta, injected into the Kraken and OKX replays, are caught.
    @Test func corruptedAndMissingUpdatesAreDetected() throws {
        var keeper = BookKeeper(integrity: BookIntegrity(continuity: .none, checksum: .krakenCRC32Top10, snapshotURL: nil))
        var detected: [String] = []
        _ = try CaptureBooks(exchange: "kraken", file: "kraken.jsonl") { update, _, _ in
            var update = update
            if keeper.checksumsVerified == 100, let c = update.checksum { update.checksum = c ^ 1 }
            if case .resync(let fault) = keeper.receive(update) { detected.append(fault.name) }
        }
        #expect(detected.first == "checksum")
    }
}
