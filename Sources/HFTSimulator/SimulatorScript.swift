import Foundation
public import HFTCapture
public import HFTCore

/// What the simulator replays, derived from a capture: per recorded connection, its frames, each labelled with the
/// subscription keys it belongs to, so that a client is served the part of the recording it asks for.
///
/// Matching rules (also in docs/simulator.md):
/// - **Keys.** A subscription key is a lowercased string a subscription names: each stream of the URL query
///   (`/stream?streams=btcusdt@aggTrade/btcusdt@bookTicker`: values of every query parameter, split at `/` and
///   `,`), and every JSON string value of a subscribe message (channel names, native symbols, `subscribe` itself).
///   A recorded connection's keys come from its recorded URL and `send` frames; a client's from its request URL
///   and the messages it sends (``keys(pathAndQuery:)``, ``keys(subscription:)``).
/// - **Frames.** A recorded frame belongs to the keys of its connection that appear among its own JSON string
///   values (`"stream":"btcusdt@aggTrade"`; `"arg":{"channel":"tickers","instId":"BTC-USDT"}`; a Kraken
///   `…,"book-1000","XBT/CHF"]` belongs to `xbt/chf`). A client is served a frame when the client asked for every
///   key of the frame (``RecordedConnection/serves(_:to:)``): frames of other symbols or channels are left out,
///   and frames naming no key (heartbeats, system status, `info`) go to every client. Keys are compared without
///   case (Kraken Futures subscribes `pi_xrpusd` and answers `PI_XRPUSD`).
/// - **Which recording.** A client is matched to the recorded connection sharing the most keys with its request
///   (ties: same path and query, then recording order; ``match(_:pathAndQuery:)``); several clients may share
///   one recording (Binance Futures' `/public` and `/market` connections are both served from one recorded
///   `/stream` connection). A recording without keys serves a client with the same path and query.
/// - **Limits.** A frame whose channel is named differently from its subscription (Coinbase `level2` answered as
///   `l2_data`) is told apart by symbol only; a channel the recording lacks (Kraken Futures `ticker`, recorded as
///   `ticker_lite`) gets no frames. Unsubscribing is not modelled.
///
/// Pure value: no I/O, no clock. Frames keep their recorded offsets (nanoseconds from the connection's first frame).
public struct SimulatorScript: Sendable {
    /// One received frame of a recording.
    public struct Frame: Sendable {
        /// Nanoseconds from the recorded connection's first frame.
        public let offset: Int64
        public let text: String
        /// The keys of its connection that the frame names (lowercased); empty: a frame for every client.
        public let keys: Set<String>
    }

    public struct RecordedConnection: Sendable {
        public let name: String
        /// Path and query of the recorded URL (`/stream?streams=…`), `/` when it had none.
        public let pathAndQuery: String
        /// The recorded subscribe messages, canonicalized (sorted keys, no spaces).
        public let subscriptions: [String]
        /// Every subscription key of the recording (URL streams and subscribe-message strings, lowercased).
        public let keys: Set<String>
        public let frames: [Frame]

        /// True when a client that asked for `request` (lowercased keys) gets `frame`.
        @inline(__always)
        public func serves(_ frame: Frame, to request: Set<String>) -> Bool {
            frame.keys.isSubset(of: request)
        }

        /// The frames a client asking for `request` is served, in recorded order.
        public func frames(for request: Set<String>) -> [Frame] {
            frames.filter { serves($0, to: request) }
        }

        /// True when `request` asks for everything the recording subscribed to (nothing is left to wait for).
        public func isCovered(by request: Set<String>) -> Bool {
            keys.isSubset(of: request)
        }
    }

    public let connections: [RecordedConnection]
    /// The exchange as recorded (`BINANCE_FUTURES`) and the recorded instruments (for ``SimulatorBooks``).
    public let exchange: String
    public let instruments: [Instrument]
    /// The recorded REST requests (order-book snapshots), in recorded order: URL and body.
    public let httpRecords: [(url: String, body: String)]

    public init(capture: CaptureFile) {
        exchange = capture.exchange
        instruments = capture.instruments
        httpRecords = capture.records.compactMap { record in
            if case .http(_, _, let url, let body) = record { return (url, body) } else { return nil }
        }
        var order: [String] = []
        var urls: [String: String] = [:]
        var sends: [String: [String]] = [:]
        var frames: [String: [(Int64, String)]] = [:]
        var firstFrame: [String: Int64] = [:]
        for record in capture.records {
            switch record {
            case .connect(let c, _, let url):
                if urls[c] == nil { order.append(c) }
                urls[c] = url
            case .send(let c, _, let data):
                sends[c, default: []].append(data)
            case .receive(let c, let time, let data):
                let t0 = firstFrame[c] ?? time.nanosecondsSinceEpoch
                firstFrame[c] = t0
                frames[c, default: []].append((time.nanosecondsSinceEpoch - t0, data))
            case .http:
                break
            }
        }
        connections = order.map { c in
            let path = Self.pathAndQuery(urls[c] ?? "")
            let sent = sends[c] ?? []
            let keys = sent.reduce(into: Self.keys(pathAndQuery: path)) { $0.formUnion(Self.keys(subscription: $1)) }
            let labelled = (frames[c] ?? []).map { offset, text in
                Frame(offset: offset, text: text, keys: keys.isEmpty ? [] : Self.lowercasedStrings(in: text).intersection(keys))
            }
            return RecordedConnection(name: c, pathAndQuery: path, subscriptions: sent.map(Self.canonical), keys: keys,
                                      frames: labelled)
        }
    }

    /// The recorded connection that serves a client asking for `request` (its lowercased keys) at `pathAndQuery`:
    /// the one sharing the most keys with the request; on a tie, the one recorded at the same path and query,
    /// then the first recorded. When no recording shares a key, a recording without keys at the same path and
    /// query (an exchange that streams on connect). Nil when nothing fits.
    public func match(_ request: Set<String>, pathAndQuery: String) -> RecordedConnection? {
        var best: RecordedConnection?
        var bestScore = (0, false)
        for c in connections {
            let score = (c.keys.intersection(request).count, c.pathAndQuery == pathAndQuery)
            if score.0 > 0, score.0 > bestScore.0 || (score.0 == bestScore.0 && score.1 && !bestScore.1) {
                best = c
                bestScore = score
            }
        }
        return best ?? connections.first { $0.keys.isEmpty && $0.pathAndQuery == pathAndQuery }
    }

    /// The keys a URL asks for: the values of its query parameters, split at `/` and `,`, lowercased
    /// (`/stream?streams=btcusdt@aggTrade/ethusdt@aggTrade` → `btcusdt@aggtrade`, `ethusdt@aggtrade`).
    public static func keys(pathAndQuery: String) -> Set<String> {
        guard let q = pathAndQuery.firstIndex(of: "?") else { return [] }
        var out: Set<String> = []
        for parameter in pathAndQuery[pathAndQuery.index(after: q)...].split(separator: "&") {
            guard let equals = parameter.firstIndex(of: "=") else { continue }
            let value = parameter[parameter.index(after: equals)...]
            for part in value.split(whereSeparator: { $0 == "/" || $0 == "," }) {
                out.insert((String(part).removingPercentEncoding ?? String(part)).lowercased())
            }
        }
        return out
    }

    /// The keys a subscribe message asks for: its JSON string values, lowercased (none when it is not JSON).
    public static func keys(subscription message: String) -> Set<String> {
        lowercasedStrings(in: message)
    }

    static func lowercasedStrings(in text: String) -> Set<String> {
        Set(strings(in: text).map { $0.lowercased() })
    }

    /// Every string value in a JSON text (keys excluded).
    public static func strings(in text: String) -> Set<String> {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else { return [] }
        var out: Set<String> = []
        func walk(_ value: Any) {
            if let s = value as? String { out.insert(s) }
            else if let a = value as? [Any] { a.forEach(walk) }
            else if let d = value as? [String: Any] { d.values.forEach(walk) }
        }
        walk(object)
        return out
    }

    /// A JSON text with sorted keys and no insignificant spaces (the text itself when it is not JSON).
    public static func canonical(_ text: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
        else { return text }
        return String(decoding: data, as: UTF8.self)
    }

    static func pathAndQuery(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return "/" }
        let rest = url[schemeEnd.upperBound...]
        guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let tail = String(rest[slash...])
        return tail.hasPrefix("?") ? "/" + tail : tail
    }
}
