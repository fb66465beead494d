import Foundation
import HFTAdapters
public import HFTCore
import HFTExchanges
import HFTWebSocket

/// One entry of `streams`: what to receive and where from.
///
/// ```json
/// {"exchange": "binance", "currency_pairs": ["btc/usdt", "ETH-USDT"], "subscribe_channels": ["ticker", "trade"],
///  "endpoint": "ws://127.0.0.1:9000", "source": "exchange"}
/// ```
/// `source` is `exchange` (default: a ``MarketStream`` to the exchange, or to `endpoint`) or `ipc` (subscribe to
/// the market data that another process publishes over IPC, e.g. a gateway running the `publisher` service).
///
/// Thread safety: an immutable value, `Sendable`.
public struct StreamSetting: Sendable {
    public enum Source: String, Sendable {
        /// A WebSocket stream to the exchange (or `endpoint`).
        case exchange
        /// Market data published over IPC by another process (HFTIPC's market-data pub/sub).
        case ipc
    }

    public static let keys: Set<String> = [
        "exchange", "currency_pairs", "subscribe_channels", "source", "endpoint", "insecure_tls", "permessage_deflate",
        "queue_capacity", "stale_after_seconds", "book_depth",
    ]

    public var exchange: ExchangeID
    public var instruments: [Instrument]
    public var channels: [Channel]
    public var source: Source = .exchange
    /// Replaces scheme, host and port of the spec's URLs (`ws://127.0.0.1:PORT` for `hft simulate`).
    public var endpoint: String?
    /// Accept self-signed certificates (local testing only).
    public var insecureTLS = false
    public var permessageDeflate: Bool?
    public var queueCapacity: Int?
    public var staleAfterSeconds: Double?
    /// With `l2_book`: the service also gets the maintained book's top `bookDepth` levels after every update
    /// (``Service/onBookTop(_:)``, with validity), besides the updates (``Service/onBook(_:)``). Direct streams only.
    public var bookDepth: Int?

    public init(exchange: ExchangeID, instruments: [Instrument], channels: [Channel], source: Source = .exchange, endpoint: String? = nil) {
        self.exchange = exchange
        self.instruments = instruments
        self.channels = channels
        self.source = source
        self.endpoint = endpoint
    }

    init?(_ value: ConfigValue, path: String, issues: inout [ConfigurationError.Issue], warnings: inout [ConfigurationError.Issue]) {
        let form = "{\"exchange\": \"binance\", \"currency_pairs\": [\"btc/usdt\"], \"subscribe_channels\": [\"ticker\", \"trade\"]}"
        guard let members = value.objectValue else {
            issues.append(.init(path: path, message: "expected an object \(form), found \(value.kindName)"))
            return nil
        }
        for key in members.keys.sorted() where !Self.keys.contains(key) {
            warnings.append(.init(path: "\(path).\(key)", message: "unknown key; ignored (known here: \(Self.keys.sorted().joined(separator: ", ")))"))
        }
        let before = issues.count
        guard let exchange = Self.exchange(members["exchange"], path: "\(path).exchange", issues: &issues),
              let configuration = ExchangeCatalog.descriptor(for: exchange)?.adapter.configuration else { return nil }
        let kinds = configuration.symbolFormats.keys.map(\.rawValue).sorted().joined(separator: ", ")
        var instruments: [Instrument] = []
        let pairs = ServiceSettings.list(members["currency_pairs"], path: "\(path).currency_pairs", issues: &issues)
        if pairs.isEmpty && members["currency_pairs"]?.arrayValue != nil || members["currency_pairs"] == nil {
            issues.append(.init(path: "\(path).currency_pairs", message: "expected a non-empty array of instruments, e.g. [\"btc/usdt\", \"ETH-USDT\", \"BTC-USDT-PERP\"]"))
        }
        for (i, item) in pairs.enumerated() {
            let itemPath = "\(path).currency_pairs[\(i)]"
            guard let text = item.stringValue else {
                issues.append(.init(path: itemPath, message: "expected an instrument string like \"btc/usdt\" or \"BTC-USDT-PERP\", found \(item.kindName)"))
                continue
            }
            guard let instrument = Instrument(text) else {
                issues.append(.init(path: itemPath, message: "'\(text)' is not an instrument; expected base/quote (\"btc/usdt\") or the normalized notation (BTC-USDT, BTC-USDT-PERP, BTC-USD-22K27)"))
                continue
            }
            guard configuration.nativeSymbol(instrument) != nil else {
                issues.append(.init(path: itemPath, message: "\(exchange.rawValue) has no \(MarketKindName(instrument.kind).rawValue) markets in its spec; it serves \(kinds) markets"))
                continue
            }
            if !instruments.contains(instrument) { instruments.append(instrument) }
        }
        let served = configuration.channels.keys.filter { channel in configuration.connections.contains { $0.channels.contains(channel) } }
        let valid = served.map(\.rawValue).sorted().joined(separator: ", ")
        var channels: [Channel] = []
        let channelItems = ServiceSettings.list(members["subscribe_channels"], path: "\(path).subscribe_channels", issues: &issues)
        if channelItems.isEmpty {
            issues.append(.init(path: "\(path).subscribe_channels", message: "expected a non-empty array of channels; \(exchange.rawValue) serves: \(valid)"))
        }
        for (i, item) in channelItems.enumerated() {
            let name = item.stringValue.map { $0 == "trades" ? "trade" : $0 }
            guard let name, served.contains(Channel(rawValue: name)) else {
                issues.append(.init(path: "\(path).subscribe_channels[\(i)]", message: "\(item.stringValue.map { "'\($0)' is not a channel of \(exchange.rawValue)" } ?? "expected a string, found \(item.kindName)"); valid: \(valid)"))
                continue
            }
            if !channels.contains(Channel(rawValue: name)) { channels.append(Channel(rawValue: name)) }
        }
        self.init(exchange: exchange, instruments: instruments, channels: channels)
        if let s = members["source"] {
            guard let text = s.stringValue, let source = Source(rawValue: text) else {
                issues.append(.init(path: "\(path).source", message: "expected \"exchange\" (a WebSocket stream, the default) or \"ipc\" (market data published by another process)"))
                return nil
            }
            self.source = source
        }
        if let e = members["endpoint"], e != .null {
            guard let text = e.stringValue, WebSocketURL(text) != nil else {
                issues.append(.init(path: "\(path).endpoint", message: "expected a ws:// or wss:// URL such as \"ws://127.0.0.1:9000\" (hft simulate prints it)"))
                return nil
            }
            endpoint = text
        }
        insecureTLS = Self.bool(members["insecure_tls"], path: "\(path).insecure_tls", issues: &issues) ?? false
        permessageDeflate = Self.bool(members["permessage_deflate"], path: "\(path).permessage_deflate", issues: &issues)
        if let q = members["queue_capacity"] {
            guard let n = q.intValue, n > 0 else {
                issues.append(.init(path: "\(path).queue_capacity", message: "expected a positive integer (events per channel queue), e.g. 65536"))
                return nil
            }
            queueCapacity = n
        }
        if let q = members["stale_after_seconds"] {
            guard let n = q.doubleValue, n > 0 else {
                issues.append(.init(path: "\(path).stale_after_seconds", message: "expected a positive number of seconds"))
                return nil
            }
            staleAfterSeconds = n
        }
        if let d = members["book_depth"] {
            guard let n = d.intValue, n > 0, n <= 1000 else {
                issues.append(.init(path: "\(path).book_depth", message: "expected a number of levels per side from 1 to 1000, e.g. 10"))
                return nil
            }
            bookDepth = n
        }
        if issues.count > before { return nil }
    }

    static func bool(_ value: ConfigValue?, path: String, issues: inout [ConfigurationError.Issue]) -> Bool? {
        guard let value, value != .null else { return nil }
        guard let b = value.boolValue else {
            issues.append(.init(path: path, message: "expected true or false, found \(value.kindName)"))
            return nil
        }
        return b
    }

    static func exchange(_ value: ConfigValue?, path: String, issues: inout [ConfigurationError.Issue]) -> ExchangeID? {
        let known = ExchangeCatalog.all.map(\.id.rawValue).joined(separator: ", ")
        guard let name = value?.stringValue else {
            issues.append(.init(path: path, message: "expected an exchange name string; known: \(known)"))
            return nil
        }
        guard let id = ExchangeID(rawValue: name.lowercased()), ExchangeCatalog.descriptor(for: id) != nil else {
            issues.append(.init(path: path, message: "unknown exchange '\(name)'; known: \(known)"))
            return nil
        }
        return id
    }
}
