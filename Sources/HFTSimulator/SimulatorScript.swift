import Foundation
public import HFTCapture
import HFTCore

/// What the simulator replays, derived from a capture: one script per recorded connection.
///
/// A client connection is matched to a recorded one by what it asks for: the request path and query (Binance
/// carries its subscriptions in the URL) and the subscribe messages it sends, compared as JSON values with the
/// recorded `send` frames. Once every recorded subscription of that connection has arrived, the recorded frames
/// are replayed in order with their recorded pacing (or as fast as possible). Pure value: no I/O.
public struct SimulatorScript: Sendable {
    public struct RecordedConnection: Sendable {
        public let name: String
        /// Path and query of the recorded URL (`/stream?streams=…`), `/` when it had none.
        public let pathAndQuery: String
        /// The recorded subscribe messages, canonicalized (sorted keys, no spaces).
        public let subscriptions: [String]
        /// Every string the recorded subscriptions name (symbols, channel names), for ``match(subscribedStrings:taken:)``.
        public let subscriptionStrings: Set<String>
        /// Received frames with their offset from the connection's first frame, in nanoseconds.
        public let frames: [(offset: Int64, text: String)]
    }

    public let connections: [RecordedConnection]

    public init(capture: CaptureFile) {
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
                sends[c, default: []].append(Self.canonical(data))
            case .receive(let c, let time, let data):
                let t0 = firstFrame[c] ?? time.nanosecondsSinceEpoch
                firstFrame[c] = t0
                frames[c, default: []].append((time.nanosecondsSinceEpoch - t0, data))
            case .http:
                break
            }
        }
        connections = order.map { c in
            let subscriptions = sends[c] ?? []
            return RecordedConnection(name: c, pathAndQuery: Self.pathAndQuery(urls[c] ?? ""), subscriptions: subscriptions,
                                      subscriptionStrings: subscriptions.reduce(into: []) { $0.formUnion(Self.strings(in: $1)) },
                                      frames: frames[c] ?? [])
        }
    }

    /// The recorded connection a client asking for `pathAndQuery` belongs to, among those not taken yet, when the
    /// URL alone decides it (recorded connections that subscribed by message need the messages first).
    public func match(pathAndQuery: String, taken: Set<String>) -> RecordedConnection? {
        connections.first { !taken.contains($0.name) && $0.subscriptions.isEmpty && $0.pathAndQuery == pathAndQuery }
    }

    /// The recorded connection whose subscriptions include `message` (canonicalized), among those not taken.
    public func match(subscription message: String, taken: Set<String>) -> RecordedConnection? {
        let key = Self.canonical(message)
        return connections.first { !taken.contains($0.name) && $0.subscriptions.contains(key) }
    }

    /// The recorded connection whose subscriptions name only strings the client has sent so far (`strings`: every
    /// JSON string in the client's subscribe messages): the fallback when the client groups or orders its
    /// subscriptions differently from the recording.
    public func match(subscribedStrings strings: Set<String>, taken: Set<String>) -> RecordedConnection? {
        connections.first { c in
            guard !taken.contains(c.name), !c.subscriptions.isEmpty else { return false }
            return c.subscriptionStrings.isSubset(of: strings)
        }
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
