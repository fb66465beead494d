import Foundation
import HFTCore
import HFTIPC
import HFTStream
import Testing

/// Interop with a real Python peer (python/hftkit/market_data.py, pyzmq + protobuf) as a separate process.
@Suite(.serialized) struct MarketDataPythonTests {
    static let pythonFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("python").path

    /// `python3 -m hftkit.market_data ARGS` with the test's IPC directory; standard output collected.
    final class PythonProcess {
        let process = Process()
        let outFile: String
        let errFile: String
        init(_ arguments: [String], ipcDirectory: IPCDirectory) throws {
            outFile = ipcDirectory.path + "/python-\(UInt32.random(in: 0...UInt32.max)).out"
            errFile = outFile + ".err"
            _ = FileManager.default.createFile(atPath: outFile, contents: nil)
            _ = FileManager.default.createFile(atPath: errFile, contents: nil)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-m", "hftkit.market_data"] + arguments
            var environment = ProcessInfo.processInfo.environment
            environment["PYTHONPATH"] = MarketDataPythonTests.pythonFolder
            environment["HFT_IPC_DIR"] = ipcDirectory.path
            environment.removeValue(forKey: "HFT_MD_ENDPOINTS")
            process.environment = environment
            process.standardOutput = FileHandle(forWritingAtPath: outFile)
            process.standardError = FileHandle(forWritingAtPath: errFile)
            try process.run()
        }
        /// Waits for the exit (terminating the process after `seconds`); returns standard output and error.
        /// Polls with `Task.sleep`, so that waiting does not hold a thread of the cooperative pool.
        func finish(seconds: Double = 120) async -> (status: Int32, stdout: String, stderr: String) {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(10)) }
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            let out = (try? String(contentsOfFile: outFile, encoding: .utf8)) ?? ""
            let err = (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? ""
            return (process.terminationStatus, out, err)
        }
        deinit { if process.isRunning { process.terminate() } }
    }

    /// The JSON object Python prints for `event` (to_dict's format: decimals as plain strings, times in ns), built
    /// here from the Swift values field by field.
    static func pythonFields(_ event: MarketEvent) -> [String: AnyHashable] {
        func dec(_ d: ExactDecimal?) -> AnyHashable { d.map { AnyHashable($0.plainText) } ?? AnyHashable(NSNull()) }
        func time(_ t: Timestamp?) -> AnyHashable { t.map { AnyHashable($0.nanosecondsSinceEpoch) } ?? AnyHashable(NSNull()) }
        var d: [String: AnyHashable] = [
            "exchange": event.exchange.rawValue, "instrument": event.instrument.description,
            "receive_time": event.receiveTime.nanosecondsSinceEpoch,
        ]
        switch event {
        case .ticker(let t):
            d["kind"] = "ticker"
            d["exchange_time"] = time(t.exchangeTime)
            d["bid_price"] = dec(t.bidPrice); d["bid_size"] = dec(t.bidSize)
            d["ask_price"] = dec(t.askPrice); d["ask_size"] = dec(t.askSize); d["last_price"] = dec(t.lastPrice)
        case .trade(let t):
            d["kind"] = "trade"
            d["exchange_time"] = time(t.exchangeTime)
            d["price"] = dec(t.price); d["size"] = dec(t.size); d["side"] = t.side == .buy ? "buy" : "sell"
            d["trade_id"] = t.tradeID == .none ? AnyHashable(NSNull()) : AnyHashable(t.tradeID.description)
        case .book(let b):
            d["kind"] = "book"
            d["exchange_time"] = time(b.exchangeTime)
            d["snapshot"] = b.kind == .snapshot
            d["bids"] = b.bids.map { [$0.price.plainText, $0.size.plainText] }
            d["asks"] = b.asks.map { [$0.price.plainText, $0.size.plainText] }
            d["last_sequence"] = b.sequence.last.map { AnyHashable(Int($0)) } ?? AnyHashable(NSNull())
            d["checksum"] = b.checksum.map { AnyHashable(Int($0)) } ?? AnyHashable(NSNull())
        case .candle(let c):
            d["kind"] = "candle"
            d["exchange_time"] = time(c.exchangeTime)
            d["interval_seconds"] = Int(c.intervalSeconds); d["start_time"] = c.startTime.nanosecondsSinceEpoch
            d["open"] = dec(c.open); d["high"] = dec(c.high); d["low"] = dec(c.low); d["close"] = dec(c.close)
            d["volume"] = dec(c.volume)
        default:
            d["kind"] = "other"
        }
        return d
    }

    /// Python's JSON objects restricted to the keys the Swift side computed.
    static func restricted(_ object: [String: Any], to keys: Dictionary<String, AnyHashable>.Keys) -> [String: AnyHashable] {
        var out: [String: AnyHashable] = [:]
        for key in keys {
            switch object[key] {
            case let a as [[String]]: out[key] = a
            case let n as NSNumber where key == "snapshot": out[key] = n.boolValue
            case let n as NSNumber: out[key] = n.int64Value == Int64(n.intValue) ? AnyHashable(n.intValue) : AnyHashable(n.int64Value)
            case let s as String: out[key] = s
            case is NSNull, nil: out[key] = NSNull()
            case let other?: out[key] = "\(other)"
            }
        }
        return out
    }

    @Test func pythonDecodesWhatSwiftPublishes() async throws {
        let dir = MarketDataIPCDirectory()
        let capture = try CaptureEvents(exchange: "binance", capture: "binance.jsonl")
        let channels: [Channel] = [.ticker, .trade, .l2Book, .candles]
        // The instrument with the most kinds of events in the recording.
        let symbol = Dictionary(grouping: capture.events, by: \.instrument).max {
            (Set($0.value.map(\.channel)).count, $0.value.count) < (Set($1.value.map(\.channel)).count, $1.value.count)
        }!.key.description
        let expected = capture.events.filter { $0.instrument.description == symbol }
        try #require(Set(expected.map(\.channel)).count >= 3, "the capture has \(Set(expected.map(\.channel))) for \(symbol)")
        let publishers = try Dictionary(uniqueKeysWithValues: channels.map {
            ($0, try MarketDataPublisher(exchange: capture.exchange, channel: $0, endpoints: dir.endpoints))
        })
        let python = try PythonProcess(
            ["subscribe", "--exchange", "binance"] + channels.flatMap { ["--channel", $0.rawValue] }
                + ["--symbol", symbol, "--count", "\(expected.count)", "--seconds", "120"],
            ipcDirectory: dir.directory)
        for publisher in publishers.values {
            #expect(publisher.waitForSubscribers(timeoutSeconds: 60), "python did not subscribe")
        }
        // Every event of the capture; Python subscribed to one instrument only.
        for event in capture.events { publishers[event.channel]?.publish(event) }
        let result = await python.finish()
        #expect(result.status == 0, "\(result.stderr)")
        let objects = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.count == expected.count)
        // Per kind in order (four publishers: their streams interleave freely).
        let want = Dictionary(grouping: expected.map(Self.pythonFields)) { $0["kind"] as? String ?? "" }
        let got = Dictionary(grouping: objects) { $0["kind"] as? String ?? "" }
        #expect(Set(got.keys) == Set(want.keys))
        for (kind, wanted) in want {
            let received = got[kind] ?? []
            #expect(received.count == wanted.count, "\(kind)")
            for (object, fields) in zip(received, wanted) {
                #expect(Self.restricted(object, to: fields.keys) == fields)
            }
        }
        for publisher in publishers.values { publisher.close() }
    }

    @Test func swiftDecodesWhatPythonPublishes() async throws {
        let dir = MarketDataIPCDirectory()
        let capture = try CaptureEvents(exchange: "binance", capture: "binance.jsonl")
        let trades = capture.events.filter { $0.channel == .ticker }
        try #require(trades.count > 10)
        // The events as Python's JSON lines (to_dict's format), built field by field from the Swift values.
        let jsonl = try trades.map { event -> String in
            var fields = Self.pythonFields(event).mapValues { $0.base }
            fields["kind"] = "ticker"
            return String(decoding: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
        }.joined(separator: "\n")
        let file = dir.directory.path + "/events.jsonl"
        try jsonl.write(toFile: file, atomically: true, encoding: .utf8)

        var options = MarketDataSubscriber.Options()
        options.endpoints = dir.endpoints
        let subscriber = try MarketDataSubscriber(exchange: capture.exchange, channels: [.ticker], options: options)
        let collector = EventCollector()
        subscriber.bind(collector)
        try subscriber.start()
        defer { subscriber.stop() }
        let python = try PythonProcess(
            ["publish", "--exchange", "binance", "--channel", "ticker", "--jsonl", file, "--wait-subscribers", "1",
             "--rounds", "1", "--seconds", "120"],
            ipcDirectory: dir.directory)
        #expect(await collector.wait(seconds: 120) { collector.count >= trades.count })
        let result = await python.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(collector.lines == trades.map(line))
        #expect(subscriber.statistics.malformed == 0 && subscriber.statistics.lost == 0)
    }
}
