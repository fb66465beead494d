import Foundation
import HFTAdapters
import HFTCapture
import HFTCore
import HFTExchanges
import Testing

/// `hft simulate` and `hft stream` as a user runs them: two processes talking over loopback. What the stream
/// prints must be the offline replay of the same capture (the independent truth), and both must end cleanly.
@Suite(.serialized) struct LiveCommandsTests {
    static let capture = ArgumentValidationTests.packageRoot + "/Tests/ExchangeConformanceTests/Captures/binance.jsonl"

    /// The built `hft` next to the test bundle (`swift test` builds every product).
    static var hft: URL {
        let folder = Bundle.main.executableURL?.deletingLastPathComponent()
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return folder.appendingPathComponent("hft")
    }

    @Test func streamPrintsWhatTheSimulatorServes() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.hft.path), "no hft at \(Self.hft.path)")
        // Truth: the offline replay, without receive times, grouped by channel and symbol.
        let file = try CaptureFile(contentsOf: URL(fileURLWithPath: Self.capture))
        let adapter = try ExchangeCatalog.adapter(for: ExchangeID(rawValue: "binance")!, instruments: file.instruments)
        var expected: [String] = []
        var replay = CaptureReplay()
        replay.run(file, adapter: adapter) { expected.append(Self.withoutReceiveTime(EventJSON.encode($0))) }

        let (simulator, url) = try Self.simulate(["--max", "--loop"])
        defer { if simulator.isRunning { simulator.terminate() } }
        #expect(url.hasPrefix("ws://127.0.0.1:"))

        let count = 200
        let stream = Process()
        stream.executableURL = Self.hft
        stream.arguments = ["stream", "binance"] + file.instruments.map(\.description)
            + ["--channels", "l2_book,ticker,candles,trade", "--endpoint", url, "--count", "\(count)", "--seconds", "60"]
        let streamOutput = Pipe()
        stream.standardOutput = streamOutput
        stream.standardError = FileHandle.nullDevice
        try stream.run()
        let printed = await Self.offThePool { streamOutput.fileHandleForReading.readDataToEndOfFile() }
        await Self.offThePool { stream.waitUntilExit() }
        #expect(stream.terminationStatus == 0)
        let lines = String(decoding: printed, as: UTF8.self).split(separator: "\n").map { Self.withoutReceiveTime(String($0)) }
        #expect(lines.count == count)
        // The simulator starts each connection at the beginning of the recording and loops: every channel × symbol
        // sequence the stream printed is the replay's sequence for it, repeated.
        let expectedGroups = Self.grouped(expected)
        for (group, got) in Self.grouped(lines) {
            let truth = expectedGroups[group] ?? []
            let mismatch = got.indices.first { truth.isEmpty || got[$0] != truth[$0 % truth.count] }
            #expect(mismatch == nil, "\(group): event \(mismatch ?? 0) of \(got.count) differs from the replay")
        }

        kill(simulator.processIdentifier, SIGINT)
        simulator.waitUntilExit()
        #expect(simulator.terminationReason == .exit && simulator.terminationStatus == 0, "SIGINT must stop the simulator cleanly")
    }

    /// `--fault drop@2s` closes the stream's connection; the stream reports it on standard error, reconnects and
    /// is served again.
    @Test func scheduledFaultIsSeenByTheStream() async throws {
        let file = try CaptureFile(contentsOf: URL(fileURLWithPath: Self.capture))
        let (simulator, url) = try Self.simulate(["--loop", "--fault", "drop@2s"])
        defer { if simulator.isRunning { simulator.terminate() } }

        let stream = Process()
        stream.executableURL = Self.hft
        stream.arguments = ["stream", "binance"] + file.instruments.map(\.description)
            + ["--channels", "l2_book,ticker,candles,trade", "--endpoint", url, "--seconds", "8"]
        let health = Pipe()
        stream.standardOutput = FileHandle.nullDevice
        stream.standardError = health
        try stream.run()
        let text = String(decoding: await Self.offThePool { health.fileHandleForReading.readDataToEndOfFile() }, as: UTF8.self)
        await Self.offThePool { stream.waitUntilExit() }
        #expect(stream.terminationStatus == 0)
        let lines = text.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("# health binance/public#1 disconnected") }, "\(text)")
        #expect(lines.contains { $0.hasPrefix("# health binance/public#1 reconnecting") }, "\(text)")
        #expect(lines.filter { $0 == "# health binance/public#1 subscribed" }.count >= 2, "\(text)")
        kill(simulator.processIdentifier, SIGINT)
        simulator.waitUntilExit()
        #expect(simulator.terminationStatus == 0)
    }

    /// `hft simulate --capture <capture> <arguments>` started, and the URL it prints as its first line.
    static func simulate(_ arguments: [String]) throws -> (Process, String) {
        let simulator = Process()
        simulator.executableURL = hft
        simulator.arguments = ["simulate", "--capture", capture] + arguments
        let output = Pipe()
        simulator.standardOutput = output
        simulator.standardError = FileHandle.nullDevice
        try simulator.run()
        let firstLine = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard let url = firstLine.split(separator: "\n").first.map(String.init) else {
            simulator.terminate()
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "hft simulate printed no URL"])
        }
        return (simulator, url)
    }

    /// Runs `body` on a thread of its own and resumes when it returns. Reading a child's output to its end or
    /// waiting for it to exit takes seconds; done inline it would hold one of the cooperative pool's threads (two on
    /// this 2-core machine) and starve the async tests running beside it.
    static func offThePool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in Thread { continuation.resume(returning: body()) }.start() }
    }

    static func withoutReceiveTime(_ line: String) -> String {
        line.replacing(/,"receiveTime":[0-9]+/, with: "")
    }

    /// Lines grouped by their `"channel"` and `"symbol"` members, keeping order within a group.
    static func grouped(_ lines: [String]) -> [String: [String]] {
        var groups: [String: [String]] = [:]
        for line in lines {
            let channel = line.firstMatch(of: /"channel":"([^"]+)"/)?.1 ?? ""
            let symbol = line.firstMatch(of: /"symbol":"([^"]+)"/)?.1 ?? ""
            groups["\(channel) \(symbol)", default: []].append(line)
        }
        return groups
    }
}
