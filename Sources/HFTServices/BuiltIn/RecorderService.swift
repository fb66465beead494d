import Foundation
import HFTCore
import HFTIPC
public import HFTStream
import Synchronization

/// `recorder`: writes each stream's raw traffic (connection attempts, sent subscriptions, received frames, with
/// their times) to a capture file in the format of `Tests/ExchangeConformanceTests/Captures` (docs/capture-format.md),
/// so a recorded session can be replayed (`hft replay`), served (`hft simulate`) and used as a fixture.
///
/// Settings: `directory` (default `captures`), where each stream gets `<exchange>-<UTC time>-<index>.jsonl`.
/// Frames are taken on the stream's service thread (copied into a buffer) and written by the service every 200 ms
/// and at stop.
public actor RecorderService: Service, RawTrafficObserving {
    public static let settingKeys: Set<String> = ["directory"]

    public nonisolated let context: ServiceContext
    let directory: String
    private let taps = Mutex<[RecorderTap]>([])

    public init(context: ServiceContext) throws {
        self.context = context
        directory = context.settings["directory"]?.stringValue ?? "captures"
    }

    /// The capture files written so far.
    public nonisolated var files: [String] { taps.withLock { $0.map(\.path) } }

    public nonisolated func rawFrameTap(for setting: StreamSetting, index: Int) -> (any RawFrameTap)? {
        let stamp = Timestamp.now().description.prefix(19).replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "")
        let path = "\(directory)/\(setting.exchange.rawValue)-\(stamp)-\(index).jsonl"
        let tap = RecorderTap(path: path, setting: setting)
        taps.withLock { $0.append(tap) }
        return tap
    }

    public func onSetup() -> Bool {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            context.logger.error("recorder: cannot create \(directory): \(error)")
            return false
        }
        every(.milliseconds(200)) { $0.flush() }
        return true
    }

    public func onStart() {
        for file in files { ServiceOutput.line("recording to \(file)") }
    }

    public func onStop() {
        flush()
        for tap in taps.withLock({ $0 }) {
            tap.close()
            ServiceOutput.line("recorded \(tap.frames) frames to \(tap.path)")
        }
    }

    func flush() {
        for tap in taps.withLock({ $0 }) {
            do {
                try tap.flush()
            } catch {
                context.logger.error("recorder: \(tap.path): \(error)")
            }
        }
    }
}

/// One stream's capture file. `connecting`/`sent`/`received` run on the stream's service thread and only append
/// to a locked buffer; `flush` (the recorder's thread) writes it.
final class RecorderTap: RawFrameTap, @unchecked Sendable {
    let path: String
    private let pending = Mutex<[UInt8]>([])
    private let counted = Atomic<Int>(0)
    private var handle: FileHandle?  // recorder thread
    private let prefix: String

    init(path: String, setting: StreamSetting) {
        self.path = path
        prefix = setting.exchange.rawValue.uppercased()
        // The header names the recorded symbols per channel as captures do (`trades`, `l2_book`, `ticker`, `candles`).
        var config: [String: JSONValue] = [:]
        for channel in setting.channels {
            let name = channel.rawValue == "trade" ? "trades" : channel.rawValue
            config[name] = .array(setting.instruments.map { .string($0.description) })
        }
        let header: JSONValue = [
            "t": "header", "format": 2, "exchange": .string(prefix), "config": .object(config),
            "recorded": .number(Self.seconds(.now())), "recorder": "hftkit",
        ]
        append(header.jsonText)
    }

    var frames: Int { counted.load(ordering: .relaxed) }

    func connecting(connection: String, url: String, time: Timestamp) {
        record(["t": "connect", "conn": .string(name(connection)), "ts": .number(Self.seconds(time)), "addr": .string(url)])
    }

    func sent(connection: String, text: String, time: Timestamp) {
        record(["t": "send", "conn": .string(name(connection)), "ts": .number(Self.seconds(time)), "data": .string(text)])
    }

    func received(connection: String, frame: UnsafeRawBufferPointer, binary: Bool, time: Timestamp) {
        counted.wrappingAdd(1, ordering: .relaxed)
        record(["t": "recv", "conn": .string(name(connection)), "ts": .number(Self.seconds(time)), "data": .string(String(decoding: frame, as: UTF8.self))])
    }

    private func record(_ object: JSONValue) { append(object.jsonText) }

    private func append(_ line: String) {
        pending.withLock { $0.append(contentsOf: line.utf8); $0.append(UInt8(ascii: "\n")) }
    }

    /// `BINANCE.ws.public#1`: the exchange prefix captures use, then the plan's connection name.
    private func name(_ connection: String) -> String { "\(prefix).ws.\(connection)" }

    static func seconds(_ time: Timestamp) -> String {
        let ns = time.nanosecondsSinceEpoch
        let micros = ns / 1000 % 1_000_000
        let digits = String(micros)
        return "\(ns / 1_000_000_000).\(String(repeating: "0", count: 6 - digits.count))\(digits)"
    }

    func flush() throws {
        let bytes = pending.withLock { buffer -> [UInt8] in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        guard !bytes.isEmpty else { return }
        if handle == nil {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            guard let h = FileHandle(forWritingAtPath: path) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            handle = h
        }
        try handle?.write(contentsOf: bytes)
    }

    func close() {
        try? flush()
        try? handle?.close()
        handle = nil
    }
}
