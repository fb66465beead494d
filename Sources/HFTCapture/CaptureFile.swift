public import Foundation
public import HFTCore

/// A recorded exchange session (`*.jsonl`, format in docs/capture-format.md): one JSON object per line with
/// a type `t` of `header`, `http`, `connect`, `send` or `recv`.
///
/// Reading uses Foundation's JSON parser: captures are tooling input (replay, simulator, tests), never the
/// live hot path, where frames are parsed by the generated adapters.
public struct CaptureFile: Sendable {
    public enum Record: Sendable {
        case connect(connection: String, time: Timestamp, url: String)
        case send(connection: String, time: Timestamp, data: String)
        case receive(connection: String, time: Timestamp, data: String)
        case http(connection: String, time: Timestamp, url: String, data: String)
    }

    /// The exchange name as recorded (`BINANCE_FUTURES`).
    public let exchange: String
    /// Normalized symbols recorded per channel (`trades`, `l2_book`, `ticker`, `candles`).
    public let symbolsByChannel: [String: [String]]
    public let records: [Record]

    public init(contentsOf url: URL) throws {
        try self.init(text: String(contentsOf: url, encoding: .utf8), name: url.lastPathComponent)
    }

    public init(text: String, name: String = "capture") throws {
        var exchange = ""
        var symbols: [String: [String]] = [:]
        var records: [Record] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let type = object["t"] as? String else {
                throw HFTError(.parse, "\(name):\(number + 1): not a capture record")
            }
            let connection = object["conn"] as? String ?? ""
            let time = (object["ts"] as? Double).flatMap { try? Timestamp(secondsSinceEpoch: $0) } ?? Timestamp(nanosecondsSinceEpoch: 0)
            switch type {
            case "header":
                exchange = object["exchange"] as? String ?? ""
                symbols = (object["config"] as? [String: Any] ?? [:]).compactMapValues { $0 as? [String] }
            case "connect":
                records.append(.connect(connection: connection, time: time, url: object["addr"] as? String ?? ""))
            case "send":
                records.append(.send(connection: connection, time: time, data: object["data"] as? String ?? ""))
            case "recv":
                records.append(.receive(connection: connection, time: time, data: object["data"] as? String ?? ""))
            case "http":
                records.append(.http(connection: connection, time: time, url: object["url"] as? String ?? "", data: object["data"] as? String ?? ""))
            default:
                throw HFTError(.parse, "\(name):\(number + 1): unknown record type '\(type)'")
            }
        }
        self.exchange = exchange
        self.symbolsByChannel = symbols
        self.records = records
    }

    /// Every recorded symbol, in first-seen order over the channels `ticker`, `trades`, `l2_book`, `candles`.
    public var instruments: [Instrument] {
        var out: [Instrument] = []
        for channel in ["l2_book", "ticker", "candles", "trades"] + symbolsByChannel.keys.sorted() {
            for name in symbolsByChannel[channel] ?? [] {
                if let i = Instrument(name), !out.contains(i) { out.append(i) }
            }
        }
        return out
    }

    /// The received frames, in file order.
    public var receivedFrames: [(connection: String, time: Timestamp, data: String)] {
        records.compactMap { if case .receive(let c, let t, let d) = $0 { return (c, t, d) } else { return nil } }
    }

    public var sentFrames: [(connection: String, data: String)] {
        records.compactMap { if case .send(let c, _, let d) = $0 { return (c, d) } else { return nil } }
    }

    public var connectURLs: [String] {
        records.compactMap { if case .connect(_, _, let u) = $0 { return u } else { return nil } }
    }
}
