import Foundation
import HFTIPC
import Synchronization

/// A private temporary IPC directory, removed by `remove()`.
struct CommandTestDirectory {
    let directory: IPCDirectory
    init() {
        // Short: ipc:// paths are limited to ~107 bytes (sun_path).
        let path = "/tmp/hftipc-\(getpid())-\(UUID().uuidString.prefix(8))"
        directory = IPCDirectory(path: path)
    }
    var path: String { directory.path }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Collects what handlers receive; tests await counts with a generous deadline (never as a timing assertion).
final class CommandCollector: Sendable {
    private let items = Mutex<[IPCCommand]>([])

    func add(_ c: IPCCommand) { items.withLock { $0.append(c) } }
    var all: [IPCCommand] { items.withLock { $0 } }
    var count: Int { items.withLock { $0.count } }

    /// Waits until at least `n` commands arrived or `seconds` passed; returns what arrived.
    @discardableResult
    func wait(for n: Int, seconds: Double = 20) async -> [IPCCommand] {
        let deadline = Date().addingTimeInterval(seconds)
        while count < n && Date() < deadline { try? await Task.sleep(nanoseconds: 2_000_000) }
        return all
    }

    /// Lets any stray extra command arrive (used only where a test checks that nothing more comes).
    func settle() async -> [IPCCommand] {
        try? await Task.sleep(nanoseconds: 200_000_000)
        return all
    }
}

extension IPCCommandSystem {
    /// A started system in `dir` whose handlers for `types` feed `collector`.
    static func started(_ id: String, in dir: CommandTestDirectory, collecting types: [String] = [], into collector: CommandCollector? = nil) throws -> IPCCommandSystem {
        let system = try IPCCommandSystem(processID: id, directory: dir.directory)
        try system.start()
        for type in types {
            system.registerHandler(type: type) { collector?.add($0) }
        }
        return system
    }
}

/// Paths of the built products next to the test bundle, and child processes.
enum Products {
    static var folder: URL {
        Bundle.main.executableURL?.deletingLastPathComponent()
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }
    static var hft: URL { folder.appendingPathComponent("hft") }
    static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}

/// A child process whose standard output is read line by line.
///
/// A dedicated thread reads the pipe with blocking `read(2)` until end of file. (Foundation's `readabilityHandler`
/// on Linux lost the last chunk of a 10 000-line burst once in CI: the child had printed every line and exited, the
/// test saw 27 fewer.)
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()
    private let lines = LineCollector()

    init(_ executable: URL, _ arguments: [String], ipcDirectory: String, extraEnvironment: [String: String] = [:]) throws {
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["HFT_IPC_DIR"] = ipcDirectory
        env["PYTHONPATH"] = Products.packageRoot + "/python"
        env["PYTHONUNBUFFERED"] = "1"
        for (k, v) in extraEnvironment { env[k] = v }
        process.environment = env
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        // `run()` closed the parent's copy of the write end, so the reader sees end of file when the child exits.
        let reading = output.fileHandleForReading
        let collector = lines
        let reader = Thread {
            collector.readUntilEndOfFile(reading.fileDescriptor)
            try? reading.close()
        }
        reader.start()
    }

    static func python(_ arguments: [String], ipcDirectory: String) throws -> ChildProcess {
        try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + arguments, ipcDirectory: ipcDirectory)
    }

    var printed: [String] { lines.all }

    /// Waits until a printed line satisfies `predicate` (or `seconds` pass); returns it.
    func waitForLine(seconds: Double = 30, _ predicate: (String) -> Bool) async -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let line = printed.first(where: predicate) { return line }
            if !process.isRunning, printed.first(where: predicate) == nil { return nil }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        return nil
    }

    /// Waits until `n` printed lines satisfy `predicate`.
    func waitForLines(_ n: Int, seconds: Double = 30, _ predicate: (String) -> Bool) async -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let matching = printed.filter(predicate)
            if matching.count >= n { return matching }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        return printed.filter(predicate)
    }

    /// SIGTERM (SIGINT may be ignored in children of the test runner), then SIGKILL after 10 s.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Lines read from a file descriptor by one thread, read by others.
final class LineCollector: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    /// Blocking reads until end of file (or an error other than EINTR); each complete line is appended as it arrives.
    func readUntilEndOfFile(_ fd: Int32) {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            pending.append(contentsOf: chunk[..<n])
            var start = 0
            var complete: [String] = []
            while let nl = pending[start...].firstIndex(of: 0x0A) {
                complete.append(String(decoding: pending[start..<nl], as: UTF8.self))
                start = nl + 1
            }
            pending.removeFirst(start)
            if !complete.isEmpty { lines.withLock { $0.append(contentsOf: complete) } }
        }
        if !pending.isEmpty { lines.withLock { $0.append(String(decoding: pending, as: UTF8.self)) } }
    }
}
