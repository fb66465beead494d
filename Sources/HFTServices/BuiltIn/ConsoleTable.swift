public import HFTCore

/// The state behind the `console` service's table: per exchange and instrument the best bid and ask, the last
/// trade, messages per second, the latency from receipt to the service's callback, and the health of the stream.
/// A pure value: fed events, rendered to lines.
///
/// Best bid/ask come from tickers, and from book events that carry the top of the book (snapshots).
/// Latency is `now - receiveTime` at the callback: from the moment the frame was received from the exchange (in the
/// gateway process, for IPC sources) to the console; its mean over the last interval is shown.
public struct ConsoleTable: Sendable {
    public struct Row: Sendable {
        public var bid: ExactDecimal?
        public var ask: ExactDecimal?
        public var lastTrade: String?
        public var messages = 0
        /// Messages in the current interval.
        var intervalMessages = 0
        var latencySum: Int64 = 0
        public var messagesPerSecond = 0.0
        public var latencyNanoseconds: Int64?
    }

    public struct Key: Hashable, Comparable, Sendable {
        public let exchange: String
        public let instrument: String
        public static func < (a: Key, b: Key) -> Bool { (a.exchange, a.instrument) < (b.exchange, b.instrument) }
    }

    public private(set) var rows: [Key: Row] = [:]
    /// The last health event per exchange (`subscribed`, `stale`, …).
    public private(set) var health: [String: String] = [:]
    public private(set) var totalMessages = 0

    public init() {}

    public mutating func apply(_ event: MarketEvent, now: Timestamp) {
        let key = Key(exchange: event.exchange.rawValue, instrument: event.instrument.description)
        var row = rows[key] ?? Row()
        row.messages += 1
        row.intervalMessages += 1
        row.latencySum += max(0, now.nanosecondsSinceEpoch - event.receiveTime.nanosecondsSinceEpoch)
        totalMessages += 1
        switch event {
        case .ticker(let t):
            row.bid = t.bidPrice
            row.ask = t.askPrice
        case .trade(let t):
            row.lastTrade = "\(t.side) \(t.size.plainText) @ \(t.price.plainText)"
        case .book(let b) where b.kind == .snapshot:
            if let bid = b.bids.first { row.bid = bid.price }
            if let ask = b.asks.first { row.ask = ask.price }
        default:
            break
        }
        rows[key] = row
    }

    public mutating func apply(_ event: HealthEvent) {
        health[event.exchange.rawValue] = Self.name(event.kind)
    }

    /// Closes an interval of `seconds`: computes messages/s and mean latency per row, and starts the next one.
    public mutating func closeInterval(seconds: Double) {
        for key in rows.keys {
            var row = rows[key]!
            row.messagesPerSecond = seconds > 0 ? Double(row.intervalMessages) / seconds : 0
            row.latencyNanoseconds = row.intervalMessages > 0 ? row.latencySum / Int64(row.intervalMessages) : nil
            row.intervalMessages = 0
            row.latencySum = 0
            rows[key] = row
        }
    }

    public static let header = ["exchange", "symbol", "bid", "ask", "last trade", "msg/s", "latency", "health"]

    /// The table as aligned text lines: the header, then one line per exchange and instrument, sorted.
    public func render() -> [String] {
        var table = [Self.header]
        for key in rows.keys.sorted() {
            let row = rows[key]!
            table.append([
                key.exchange, key.instrument,
                row.bid?.plainText ?? "-", row.ask?.plainText ?? "-", row.lastTrade ?? "-",
                String(format1: row.messagesPerSecond),
                row.latencyNanoseconds.map(Self.duration) ?? "-",
                health[key.exchange] ?? "-",
            ])
        }
        let widths = (0..<Self.header.count).map { column in table.map { $0[column].count }.max() ?? 0 }
        return table.map { cells in
            zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
                .trimmingTrailingSpaces()
        }
    }

    static func duration(_ ns: Int64) -> String {
        if ns < 1_000_000 { return "\(ns / 1000) µs" }
        if ns < 10_000_000_000 { return "\(String(format1: Double(ns) / 1e6)) ms" }
        return "\(ns / 1_000_000_000) s"
    }

    static func name(_ kind: HealthEvent.Kind) -> String {
        switch kind {
        case .connecting: return "connecting"
        case .connected: return "connected"
        case .subscribed: return "subscribed"
        case .exchangeError: return "exchange error"
        case .disconnected: return "disconnected"
        case .reconnecting: return "reconnecting"
        case .stale: return "stale"
        case .plannedReconnect: return "planned reconnect"
        case .bookInvalid: return "book invalid"
        case .bookResynced: return "book resynced"
        case .overflow: return "overflow"
        case .badFrames: return "bad frames"
        case .stopped: return "stopped"
        }
    }
}

extension String {
    /// One decimal digit, without Foundation.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }

    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
