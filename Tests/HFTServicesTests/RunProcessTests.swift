import Foundation
import Testing

/// `hft run` as users run it: real processes talking over real ZeroMQ sockets in a temporary `HFT_IPC_DIR`.
@Suite(.serialized) struct RunProcessTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static var hft: URL {
        let folder = Bundle.main.executableURL?.deletingLastPathComponent()
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return folder.appendingPathComponent("hft")
    }

    /// A process writing its standard output to a file (read at any time, no pipe to fill up).
    final class Running {
        let process = Process()
        let output: URL
        init(_ arguments: [String], ipcDirectory: String, environment extra: [String: String] = [:], executable: URL = RunProcessTests.hft) throws {
            output = URL(fileURLWithPath: ipcDirectory + "-\(arguments.last!.split(separator: "/").last!)-\(UUID().uuidString.prefix(6)).out")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            process.executableURL = executable
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: RunProcessTests.packageRoot)
            var environment = ProcessInfo.processInfo.environment
            environment["HFT_IPC_DIR"] = ipcDirectory
            for (k, v) in extra { environment[k] = v }
            process.environment = environment
            // One handle (one file offset) for both, so that neither overwrites the other.
            let handle = try FileHandle(forWritingTo: output)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }
        var text: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
        /// Polls with `Task.sleep`: a blocking wait would hold a thread of the cooperative pool and starve the async
        /// tests running beside it.
        func waitForLine(_ predicate: (Substring) -> Bool, seconds: Double) async -> Bool {
            let deadline = Date(timeIntervalSinceNow: seconds)
            while Date() < deadline {
                if text.split(separator: "\n").contains(where: predicate) { return true }
                if !process.isRunning { return text.split(separator: "\n").contains(where: predicate) }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return false
        }
        func terminate() -> Int32 {
            if process.isRunning { process.terminate() }  // SIGTERM
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: output)
            return process.terminationStatus
        }
    }

    /// `hft simulate --capture capture <options>` and the `ws://127.0.0.1:PORT` address it prints.
    static func simulator(_ capture: String, _ options: [String], ipcDirectory: String) async throws -> (Running, url: String) {
        let simulator = try Running(["simulate", "--capture", capture] + options, ipcDirectory: ipcDirectory)
        let started = await simulator.waitForLine({ $0.hasPrefix("ws://127.0.0.1:") }, seconds: 60)
        let url = simulator.text.split(separator: "\n").first { $0.hasPrefix("ws://") }
        guard started, let url else {
            _ = simulator.terminate()
            throw SimulatorDidNotStart(output: simulator.text)
        }
        return (simulator, String(url))
    }

    struct SimulatorDidNotStart: Error, CustomStringConvertible {
        let output: String
        var description: String { "hft simulate printed no address:\n\(output)" }
    }

    static func temporaryIPCDirectory() -> String {
        NSTemporaryDirectory() + "hft-run-test-\(getpid())-\(UUID().uuidString.prefix(8))"
    }

    /// Files left in the IPC directory (sockets, locks), recursively.
    static func leftovers(_ directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).filter { !$0.hasSuffix("command") }
    }

    /// examples/pingpong: process_a pings process_b every second, process_b answers with pong to the sender.
    @Test func pingPongBetweenTwoProcesses() async throws {
        let dir = Self.temporaryIPCDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let b = try Running(["run", "examples/pingpong/process_b.json"], ipcDirectory: dir)
        let a = try Running(["run", "examples/pingpong/process_a.json"], ipcDirectory: dir)
        let gotThree = await a.waitForLine({ $0.hasPrefix("pong #3 ← process_b") }, seconds: 60)
        let aText = a.text, bText = b.text
        #expect(gotThree, "process_a printed:\n\(aText)\nprocess_b printed:\n\(bText)")
        // process_b saw the same pings, numbered in order, from process_a.
        let pings = bText.split(separator: "\n").filter { $0.hasPrefix("ping #") }
        #expect(pings.count >= 3 && pings.prefix(3).elementsEqual(["ping #1 ← process_a", "ping #2 ← process_a", "ping #3 ← process_a"]), "\(bText)")
        // Every pong answers a ping that was sent, with its number.
        let sent = Set(aText.split(separator: "\n").filter { $0.hasPrefix("ping #") }.compactMap { $0.split(separator: " ")[1].dropFirst() })
        let answered = aText.split(separator: "\n").filter { $0.hasPrefix("pong #") }.compactMap { $0.split(separator: " ")[1].dropFirst() }
        #expect(answered.allSatisfy { sent.contains($0) }, "\(aText)")
        #expect(a.terminate() == 0, "SIGTERM must stop process_a gracefully")
        #expect(b.terminate() == 0, "SIGTERM must stop process_b gracefully")
        #expect(Self.leftovers(dir).isEmpty, "left behind: \(Self.leftovers(dir))")
    }

    /// An invalid configuration fails at start with the key path, and prints no secret.
    @Test func invalidConfigurationFailsWithKeyPath() async throws {
        let dir = Self.temporaryIPCDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "-bad.json"
        try """
            {"service.mm": {"class_name": "PublisherService", "setting": {
              "apis": [{"exchange": "binance", "api_key": "${TEST_KEY}", "api_secret": "${TEST_SECRET}"}],
              "streams": [{"exchange": "nowhere", "currency_pairs": ["BTC-USDT"], "subscribe_channels": ["trade"]}]}}}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let run = try Running(["run", file], ipcDirectory: dir, environment: ["TEST_KEY": "KEY-value-123", "TEST_SECRET": "SECRET-value-456"])
        while run.process.isRunning { try await Task.sleep(for: .milliseconds(100)) }  // not waitUntilExit: see waitForLine
        let text = run.text
        #expect(run.process.terminationStatus == 1)
        #expect(text.contains("service.mm.setting.streams[0].exchange: unknown exchange 'nowhere'"), "\(text)")
        #expect(!text.contains("KEY-value-123") && !text.contains("SECRET-value-456"), "\(text)")
        _ = run.terminate()
    }

    /// The demo, headless (standard output not a terminal): simulators, gateway and console for a few seconds; the
    /// console's plain snapshots show every exchange's instruments with prices from the recorded sessions.
    @Test func demoRunsHeadless() async throws {
        let dir = Self.temporaryIPCDirectory()
        let tmp = dir + "-tmp"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try Running(["scripts/demo.sh"], ipcDirectory: dir, environment: ["DEMO_SECONDS": "8", "HFT": Self.hft.path, "TMPDIR": tmp],
                              executable: URL(fileURLWithPath: "/bin/sh"))
        while run.process.isRunning { try await Task.sleep(for: .milliseconds(100)) }  // not waitUntilExit: see waitForLine
        let text = run.text
        #expect(run.process.terminationStatus == 0, "\(text)")
        let lines = text.split(separator: "\n")
        let snapshots = lines.filter { $0.hasPrefix("--- console console: snapshot") }
        #expect(snapshots.count >= 3, "\(text)")
        // Rows of the last periodic snapshot: the recorded sessions' instruments, with bid and ask from their tickers.
        func row(_ exchange: String, _ symbol: String) -> [Substring]? {
            lines.last { $0.hasPrefix(exchange) && $0.split(separator: " ")[1] == symbol }?.split(separator: " ", omittingEmptySubsequences: true)
        }
        // Truth: first tickers of the captures (binance NKNUSDT bookTicker b/a, coinbase BTC-USD ticker).
        #expect(row("binance", "NKN-USDT").map { $0[2].hasPrefix("0.35") } == true, "\(text)")
        #expect(row("coinbase", "BTC-USD") != nil, "\(text)")
        #expect(row("kraken", "XMR-USD") != nil, "\(text)")
        #expect(text.contains("publishing binance on ipc://"), "\(text)")
        // The script's trap removed its IPC directory (it makes its own under TMPDIR).
        let left = (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []
        #expect(left.isEmpty, "left behind: \(left)")
        _ = run.terminate()
    }
}
