import Foundation
import HFTCapture
import HFTSimulator
import Testing

/// Which part of a recording the simulator serves to a client, checked over the captures (no sockets): the truth
/// is each frame's own routing fields (`stream`, `arg.instId`, `feed`, Kraken's trailing pair), read here with
/// Foundation, and the frame counts of the specs' `conformance.counts` (computed by their Python count commands).
@Suite struct SimulatorScriptTests {
    static func script(_ file: String) throws -> SimulatorScript {
        try SimulatorScript(capture: CaptureFile(contentsOf: ReplayFixture.capturesFolder.appendingPathComponent(file)))
    }

    static func object(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    @Test func urlKeysAreTheStreamsOfTheQuery() {
        #expect(SimulatorScript.keys(pathAndQuery: "/public/stream?streams=btcusdt@bookTicker/ethusdt@depth@100ms")
            == ["btcusdt@bookticker", "ethusdt@depth@100ms"])
        #expect(SimulatorScript.keys(pathAndQuery: "/ws/v1").isEmpty)
        #expect(SimulatorScript.keys(subscription: #"{"op":"subscribe","args":[{"channel":"tickers","instId":"BTC-USDT"}]}"#)
            == ["subscribe", "tickers", "btc-usdt"])
        #expect(SimulatorScript.keys(subscription: "not json").isEmpty)
    }

    /// A recording that subscribed nothing (an exchange streaming on connect) serves a client at the same path;
    /// a recorded text frame that is not JSON names no key and goes to every client.
    @Test func aRecordingWithoutSubscriptionsServesItsPath() throws {
        let capture = try CaptureFile(text: """
            {"t":"header","exchange":"X","config":{}}
            {"t":"connect","conn":"X.ws.1","ts":1.0,"addr":"wss://x.example/feed"}
            {"t":"recv","conn":"X.ws.1","ts":1.5,"data":"{\\"p\\":\\"1\\"}"}
            {"t":"recv","conn":"X.ws.1","ts":2.0,"data":"pong"}
            """)
        let script = SimulatorScript(capture: capture)
        let recording = try #require(script.match([], pathAndQuery: "/feed"))
        #expect(recording.frames.map(\.text) == [#"{"p":"1"}"#, "pong"])
        #expect(recording.frames.map(\.offset) == [0, 500_000_000])
        #expect(recording.frames(for: []).count == 2)
        #expect(script.match([], pathAndQuery: "/other") == nil)
    }

    /// Binance Futures, recorded on the root `/stream`: today's `/public` and `/market` connections each get the
    /// frames of their own streams, and together every frame exactly once.
    @Test func binanceFuturesRoutedConnectionsShareTheRootRecording() throws {
        let script = try Self.script("binance_futures.jsonl")
        let symbols = ["sushiusdt", "akrousdt", "keepusdt", "ctkusdt"]
        let publicPath = "/public/stream?streams=" + symbols.flatMap { ["\($0)@depth@100ms", "\($0)@bookTicker"] }.joined(separator: "/")
        let marketPath = "/market/stream?streams=" + symbols.flatMap { ["\($0)@aggTrade", "\($0)@kline_1m"] }.joined(separator: "/")
        let publicKeys = SimulatorScript.keys(pathAndQuery: publicPath)
        let marketKeys = SimulatorScript.keys(pathAndQuery: marketPath)
        let recording = try #require(script.match(publicKeys, pathAndQuery: publicPath))
        #expect(script.match(marketKeys, pathAndQuery: marketPath)?.name == recording.name)
        #expect(!recording.isCovered(by: publicKeys))
        let publicFrames = recording.frames(for: publicKeys)
        let marketFrames = recording.frames(for: marketKeys)
        // Spec counts: bookTicker 613 + depthUpdate 764; aggTrade 91 + kline 67.
        #expect(publicFrames.count == 613 + 764)
        #expect(marketFrames.count == 91 + 67)
        for frame in publicFrames {
            let stream = Self.object(frame.text)?["stream"] as? String ?? ""
            #expect(stream.hasSuffix("@bookTicker") || stream.hasSuffix("@depth@100ms"), "\(stream)")
        }
        for frame in marketFrames {
            let stream = Self.object(frame.text)?["stream"] as? String ?? ""
            #expect(stream.hasSuffix("@aggTrade") || stream.hasSuffix("@kline_1m"), "\(stream)")
        }
        // A client asking for one stream gets that stream only.
        let one: Set<String> = ["ctkusdt@aggtrade"]
        let served = recording.frames(for: one)
        #expect(!served.isEmpty)
        #expect(served.count == recording.frames.filter { Self.object($0.text)?["stream"] as? String == "ctkusdt@aggTrade" }.count)
    }

    /// OKX: one recorded connection carries spot, swap and futures; a spot client gets the BTC-USDT frames (and
    /// their acks), a swap/futures client the others, and no frame goes to both.
    @Test func okxSpotAndSwapClientsGetTheirInstrumentsOnly() throws {
        let script = try Self.script("okx.jsonl")
        func request(_ instruments: [String]) -> Set<String> {
            let args = instruments.flatMap { i in ["tickers", "trades", "books"].map { #"{"channel":"\#($0)","instId":"\#(i)"}"# } }
            return SimulatorScript.keys(subscription: #"{"op":"subscribe","args":[\#(args.joined(separator: ","))]}"#)
        }
        let spot = request(["BTC-USDT"])
        let swap = request(["BTC-USD-220527", "UNI-USD-SWAP"])
        let recording = try #require(script.match(spot, pathAndQuery: "/ws/v5/public"))
        func instrument(_ frame: SimulatorScript.Frame) -> String? {
            (Self.object(frame.text)?["arg"] as? [String: Any])?["instId"] as? String
        }
        let spotFrames = recording.frames(for: spot)
        let swapFrames = recording.frames(for: swap)
        #expect(spotFrames.allSatisfy { instrument($0) == "BTC-USDT" })
        #expect(swapFrames.allSatisfy { ["BTC-USD-220527", "UNI-USD-SWAP"].contains(instrument($0)) })
        #expect(spotFrames.count + swapFrames.count == recording.frames.count)
        // Spec counts (okx.json): tickers 25, trades 69, books 1 + 97 data frames for spot; 200 for the others.
        #expect(spotFrames.filter { Self.object($0.text)?["data"] != nil }.count == 25 + 69 + 1 + 97)
        #expect(swapFrames.filter { Self.object($0.text)?["data"] != nil }.count == 200)
        #expect(recording.isCovered(by: spot.union(swap)))
    }

    /// Kraken Futures: the recording subscribed `ticker_lite`; a client subscribing `ticker` gets book and trade
    /// frames (snapshots and acks included) but no ticker_lite frame. Symbols match without case.
    @Test func krakenFuturesServesNoTickerLiteForATickerSubscription() throws {
        let script = try Self.script("kraken_futures.jsonl")
        let products = ["fi_ethusd_211231", "pi_xrpusd", "pi_ltcusd", "fi_bchusd_210730", "pi_ethusd", "fi_xbtusd_210924",
                        "fi_ethusd_210730", "fi_bchusd_210924", "fi_xrpusd_210924", "fi_xbtusd_210730"]
        let quoted = products.map { "\"\($0)\"" }.joined(separator: ",")
        let request = ["book", "trade", "ticker"].reduce(into: Set<String>()) { keys, feed in
            keys.formUnion(SimulatorScript.keys(subscription: #"{"event":"subscribe","feed":"\#(feed)","product_ids":[\#(quoted)]}"#))
        }
        let recording = try #require(script.match(request, pathAndQuery: "/ws/v1"))
        #expect(!recording.isCovered(by: request))
        let served = recording.frames(for: request)
        var feeds: [String: Int] = [:]
        for frame in served {
            let object = Self.object(frame.text)
            feeds["\(object?["event"] as? String ?? "data") \(object?["feed"] as? String ?? "-")", default: 0] += 1
        }
        // Spec counts: book 7014, book_snapshot 10, trade 3, trade_snapshot 10; then the info frame and the acks.
        #expect(feeds["data book"] == 7014 && feeds["data book_snapshot"] == 10 && feeds["data trade"] == 3)
        #expect(feeds["data trade_snapshot"] == 10 && feeds["info -"] == 1)
        #expect(feeds["subscribed book"] == 10 && feeds["subscribed trade"] == 10)
        #expect(feeds["data ticker_lite"] == nil && feeds["subscribed ticker_lite"] == nil)
        #expect(served.count == recording.frames.count - 107 - 10)  // less ticker_lite frames and their 10 acks
        // One product only.
        let one = SimulatorScript.keys(subscription: #"{"event":"subscribe","feed":"book","product_ids":["pi_xrpusd"]}"#)
        for frame in recording.frames(for: one) {
            if let product = Self.object(frame.text)?["product_id"] as? String { #expect(product == "PI_XRPUSD") }
        }
    }

    /// Kraken: three recorded connections with the same URL, one channel each: a client is matched by channel, and a
    /// client asking for one pair gets that pair's frames and the frames naming no pair (heartbeats, status).
    @Test func krakenClientsAreMatchedByChannelAndServedTheirPairs() throws {
        let script = try Self.script("kraken.jsonl")
        let trade = SimulatorScript.keys(subscription: #"{"event":"subscribe","pair":["XBT/CHF","ETH/CHF"],"subscription":{"name":"trade"}}"#)
        let book = SimulatorScript.keys(subscription: #"{"event":"subscribe","pair":["XBT/CHF"],"subscription":{"name":"book","depth":1000}}"#)
        let tradeRecording = try #require(script.match(trade, pathAndQuery: "/"))
        let bookRecording = try #require(script.match(book, pathAndQuery: "/"))
        #expect(tradeRecording.name == "KRAKEN.ws.48" && bookRecording.name == "KRAKEN.ws.50")
        for frame in bookRecording.frames(for: book) {
            let value = try JSONSerialization.jsonObject(with: Data(frame.text.utf8))
            if let array = value as? [Any] { #expect(array.last as? String == "XBT/CHF") }
            else if let pair = (value as? [String: Any])?["pair"] as? String { #expect(pair == "XBT/CHF") }
        }
        let xbtFrames = bookRecording.frames.filter { (try? JSONSerialization.jsonObject(with: Data($0.text.utf8)) as? [Any])?.last as? String == "XBT/CHF" }
        #expect(!xbtFrames.isEmpty)
        #expect(bookRecording.frames(for: book).filter { $0.text.hasPrefix("[") }.count == xbtFrames.count)
        #expect(script.match(["nothing-recorded"], pathAndQuery: "/") == nil)
    }
}
