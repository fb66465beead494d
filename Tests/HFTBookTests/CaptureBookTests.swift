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
        let run = try CaptureBooks.run(exchange: "kraken", file: "kraken.jsonl")
        #expect(run.keeper.faults.map { "\($0.instrument) \($0.fault)" } == [])
                #expect(run.keeper.checksumsVerified == 4269)
        #expect(run.crossedWhileValid == 0)
    }

    @Test func everyOKXChecksumMatchesTheMaintainedBook() throws {
        let spot = try CaptureBooks.run(exchange: "okx", file: "okx.jsonl")
        let swap = try CaptureBooks.run(exchange: "okx_swap", file: "okx.jsonl")
        #expect(spot.keeper.faults.map { "\($0.instrument) \($0.fault)" } == [])
        #expect(swap.keeper.faults.map { "\($0.instrument) \($0.fault)" } == [])
        #expect(spot.keeper.checksumsVerified + swap.keeper.checksumsVerified == 290)
        #expect(spot.keeper.checksumsVerified > 0 && swap.keeper.checksumsVerified > 0)
    }

    @Test(arguments: ["binance", "binance_futures"])
    func binanceBooksSyncFromTheRecordedRESTSnapshots(exchange: String) throws {
        let run = try CaptureBooks.run(exchange: exchange, file: "\(exchange).jsonl")
        #expect(run.snapshotsFed == 4)
        #expect(run.keeper.faults.map { "\($0.instrument) \($0.fault)" } == [])
        #expect(run.keeper.books.count == 4)
        #expect(run.keeper.books.values.allSatisfy { $0.isValid })
        #expect(run.applied > 0)
        #expect(run.crossedWhileValid == 0)
    }

    @Test(arguments: ["kraken_futures", "coinbase"])
    func webSocketSnapshotBooksStayValid(exchange: String) throws {
        let run = try CaptureBooks.run(exchange: exchange, file: "\(exchange).jsonl")
        #expect(run.keeper.faults.map { "\($0.instrument) \($0.fault)" } == [])
        #expect(!run.keeper.books.isEmpty)
        #expect(run.keeper.books.values.allSatisfy { $0.isValid })
        #expect(run.crossedWhileValid == 0)
    }

    /// A corrupted checksum and a dropped delta, injected into the replays, are caught at once; the book
    /// recovers at the next snapshot (Kraken and OKX send one only on subscribe, so the rest stays invalid).
    @Test func corruptedAndMissingUpdatesAreDetected() throws {
        var seen = 0
        let corrupted = try CaptureBooks.run(exchange: "kraken", file: "kraken.jsonl", transform: { update in
            guard update.checksum != nil else { return update }
            seen += 1
            var changed = update
            if seen == 100 { changed.checksum = update.checksum! ^ 1 }
            return changed
        })
        #expect(corrupted.keeper.faults.count == 1)
        #expect(corrupted.keeper.faults.first?.fault.name == "checksum")

        var deltas = 0
        let dropped = try CaptureBooks.run(exchange: "okx", file: "okx.jsonl", transform: { update in
            guard update.kind == .delta else { return update }
            deltas += 1
            return deltas == 20 ? nil : update
        })
        // OKX 2022 frames carry no seqId: the checksum of the next update catches the missing delta.
        #expect(dropped.keeper.faults.first?.fault.name == "checksum")

        var binanceDeltas = 0
        let gap = try CaptureBooks.run(exchange: "binance", file: "binance.jsonl", transform: { update in
            binanceDeltas += 1
            return binanceDeltas == 50 ? nil : update
        })
        #expect(gap.keeper.faults.first.map { "\($0.fault.name)" } == "gap")
    }
}
