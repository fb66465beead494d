import ArgumentParser
import HFTCore
import HFTSimulator
import Testing

@testable import hft

/// What `hft stream` and `hft simulate` accept, and what they say when they refuse (checked against the
/// exchanges compiled from specs/, not against the code's own lists).
@Suite struct ArgumentValidationTests {
    /// The message ArgumentParser would print for these arguments, or nil when they parse.
    func refusal<C: ParsableCommand>(_ command: C.Type, _ arguments: [String]) -> String? {
        do {
            _ = try command.parse(arguments)
            return nil
        } catch {
            return command.message(for: error)
        }
    }

    @Test func streamAcceptsAValidRequest() throws {
        let command = try StreamCommand.parse(["binance", "BTC-USDT", "eth/usdt", "--channels", "trade,l2_book", "--count", "5"])
        let request = try StreamRequest(exchange: command.exchange, symbols: command.symbols, channels: command.channels)
        #expect(request.instruments.map(\.description) == ["BTC-USDT", "ETH-USDT"])
        #expect(request.channels == [.trade, .l2Book])
        #expect(command.format == .json)
    }

    @Test func unknownExchangeListsTheCompiledOnes() throws {
        let message = try #require(refusal(StreamCommand.self, ["nasdaq", "BTC-USDT"]))
        #expect(message.contains("unknown exchange 'nasdaq'"))
        for exchange in ["binance", "coinbase", "kraken", "okx"] { #expect(message.contains(exchange)) }
    }

    @Test func unknownChannelListsTheSpecsChannels() throws {
        let message = try #require(refusal(StreamCommand.self, ["binance", "BTC-USDT", "--channels", "ticker,funding"]))
        // specs/binance.json serves exactly these four.
        #expect(message.contains("unknown channel 'funding' for binance; valid: candles,l2_book,ticker,trade"))
    }

    @Test func symbolsMustBeNormalizedAndServed() throws {
        let bad = try #require(refusal(StreamCommand.self, ["binance", "BTCUSDT"]))
        #expect(bad.contains("symbol 'BTCUSDT'") && bad.contains("BTC-USDT"))
        let perp = try #require(refusal(StreamCommand.self, ["binance", "BTC-USDT-PERP"]))
        #expect(perp.contains("no perpetual markets") && perp.contains("spot"))
        #expect(refusal(StreamCommand.self, ["binance_futures", "BTC-USDT-PERP"]) == nil)
        #expect(try #require(refusal(StreamCommand.self, ["binance"])).contains("no symbols"))
    }

    @Test func streamLimitsAndEndpointAreChecked() throws {
        #expect(try #require(refusal(StreamCommand.self, ["binance", "BTC-USDT", "--count", "0"])).contains("--count"))
        #expect(try #require(refusal(StreamCommand.self, ["binance", "BTC-USDT", "--seconds", "-1"])).contains("--seconds"))
        #expect(try #require(refusal(StreamCommand.self, ["binance", "BTC-USDT", "--endpoint", "http://x"])).contains("ws://"))
        #expect(refusal(StreamCommand.self, ["binance", "BTC-USDT", "--format", "csv"]) != nil)
        #expect(refusal(StreamCommand.self, ["binance", "BTC-USDT", "--endpoint", "ws://127.0.0.1:9000", "--format", "table"]) == nil)
    }

    @Test func simulateChecksItsOptions() throws {
        let capture = "Tests/ExchangeConformanceTests/Captures/binance.jsonl"
        let path = ArgumentValidationTests.packageRoot + "/" + capture
        #expect(try #require(refusal(SimulateCommand.self, ["--capture", "/nonexistent.jsonl"])).contains("no readable file"))
        #expect(try #require(refusal(SimulateCommand.self, ["--capture", path, "--speed", "2", "--max"])).contains("exclude"))
        #expect(try #require(refusal(SimulateCommand.self, ["--capture", path, "--speed", "0"])).contains("--speed"))
        #expect(try #require(refusal(SimulateCommand.self, ["--capture", path, "--cert", path])).contains("go together"))
        #expect(try #require(refusal(SimulateCommand.self, ["--capture", path, "--port", "70000"])).contains("--port"))
        let max = try SimulateCommand.parse(["--capture", path, "--max", "--loop", "--port", "9001"])
        #expect(max.simulatorOptions.speed == nil && max.simulatorOptions.loop && max.simulatorOptions.port == 9001)
        #expect(try SimulateCommand.parse(["--capture", path]).simulatorOptions.speed == 1)
        #expect(try SimulateCommand.parse(["--capture", path, "--speed", "2.5"]).simulatorOptions.speed == 2.5)
    }

    @Test func faultsParseWithTimesAndArguments() throws {
        let schedule = try FaultSchedule(["refuse:5s@10s", "drop@2", "oversized:1048576@500ms", "stall@1.5s", "garbage@3s"])
        #expect(schedule.entries == [
            .init(at: 0.5, fault: .oversized(bytes: 1_048_576)),
            .init(at: 1.5, fault: .stall),
            .init(at: 2, fault: .dropConnections),
            .init(at: 3, fault: .garbage),
            .init(at: 10, fault: .refuseConnections(seconds: 5)),
        ])
        for bad in ["drop", "drop@", "drop@soon", "boom@1s", "oversized@1s", "oversized:-3@1s", "refuse@1s", "stall:2@1s", "drop@-1s"] {
            #expect(throws: ValidationError.self, "\(bad)") { try FaultSchedule([bad]) }
        }
        let path = ArgumentValidationTests.packageRoot + "/Tests/ExchangeConformanceTests/Captures/binance.jsonl"
        #expect(try #require(refusal(SimulateCommand.self, ["--capture", path, "--fault", "boom@1s"])).contains("known: drop, stall"))
    }

    /// The package folder (this file is Tests/HFTCommandLineTests/ArgumentValidationTests.swift).
    static let packageRoot: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()
}
