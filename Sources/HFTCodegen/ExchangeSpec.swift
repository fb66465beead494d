/// The validated model of one exchange spec (`specs/<exchange>.json`). See docs/spec-language.md.
public struct ExchangeSpec: Sendable {
    /// The spec's file name without `.json`; equals ``exchange``.
    public let fileStem: String
    public let exchange: String
    public let title: String
    public let documentation: String
    public let symbols: SymbolsSpec
    public let channels: [ChannelSpec]
    public let connections: [ConnectionSpec]
    public let subscribe: SubscribeSpec?
    public let heartbeat: HeartbeatSpec
    public let reconnect: ReconnectSpec
    public let book: BookSpec
    public let messages: [MessageSpec]
    public let conformance: ConformanceSpec
}

public struct SymbolsSpec: Sendable {
    public struct Format: Sendable {
        public let marketKind: String
        public let template: String
        public let letterCase: String
    }

    public let formats: [Format]
    /// Normalized asset → exchange asset.
    public let aliases: [(normalized: String, native: String)]
}

public struct ChannelSpec: Sendable {
    /// HFTKit channel name (`trade`, `l2_book`).
    public let channel: String
    public let native: String
    public let stream: String?
    public let parameters: [(String, String)]
    public let subscribe: JSONValue.Node?
    public let unsubscribe: JSONValue.Node?
}

public struct ConnectionSpec: Sendable {
    public let name: String
    public let url: String
    public let channels: [String]
    /// nil: subscribe messages; otherwise the separator of streams in the URL's `{streams}`.
    public let urlSeparator: String?
    public let maxStreams: Int?
    public let maxLifetimeSeconds: Int?
    public let maxMessagesPerSecond: Double?
    /// Offer permessage-deflate (RFC 7692) when connecting.
    public let permessageDeflate: Bool
}

public struct SubscribeSpec: Sendable {
    public let grouping: String
    public let message: JSONValue.Node
    public let unsubscribe: JSONValue.Node?
    public let argument: JSONValue.Node?
    public let maxPerMessage: Int?
}

public struct HeartbeatSpec: Sendable {
    public enum Ping: Sendable {
        case none, frame
        case text(String)
        case json(JSONValue.Node)
    }

    public let ping: Ping
    public let intervalSeconds: Double?
    public let staleAfterSeconds: Double
    public let subscribeChannel: String?
}

public struct ReconnectSpec: Sendable {
    public let backoffSeconds: [Double]
    public let jitter: Double

    public static let standard = ReconnectSpec(backoffSeconds: [0.5, 1, 2, 4, 8, 16, 30], jitter: 0.2)
}

public struct BookSpec: Sendable {
    public let continuity: String
    public let checksum: String
    public let snapshotURL: String?
    /// Levels kept per side after each update (the subscribed depth), nil for all.
    public let depth: Int?

    public static let none = BookSpec(continuity: "none", checksum: "none", snapshotURL: nil, depth: nil)
}

/// One kind of incoming frame: how to recognize it and what it becomes.
public struct MessageSpec: Sendable {
    public let kind: String
    public let line: Int
    /// A non-JSON text frame matched exactly (`pong`).
    public let text: String?
    public let conditions: [Condition]
    public let control: String?
    public let emit: EmitKind?
    /// The `each` path split at its `[*]` steps: one array per nesting level.
    public let each: [SpecPath]
    public let bookKind: String?
    public let intervalSeconds: Int?
    public let fields: [FieldSpec]
    public let levels: [LevelSpec]
    /// A book message that is a snapshot when this path is present and a delta otherwise (``bookKind`` is then
    /// nil): one message for both, told apart by the parser's walk, so that routing need not look for the path.
    public var snapshotIfPresent: SpecPath? = nil
}

public enum EmitKind: String, Sendable, CaseIterable {
    case ticker, trade, book, candle

    /// Fields an event of this kind takes, with their value types and whether the event requires them.
    var fields: [(name: String, type: FieldType, required: Bool)] {
        switch self {
        case .ticker:
            return [("symbol", .symbol, true), ("bidPrice", .decimal, true), ("bidSize", .decimal, false),
                    ("askPrice", .decimal, true), ("askSize", .decimal, false), ("lastPrice", .decimal, false),
                    ("exchangeTime", .time, false)]
        case .trade:
            return [("symbol", .symbol, true), ("price", .decimal, true), ("size", .decimal, true),
                    ("side", .side, true), ("tradeId", .tradeID, false), ("exchangeTime", .time, false)]
        case .book:
            return [("symbol", .symbol, true), ("first", .unsigned, false), ("last", .unsigned, false),
                    ("previous", .unsigned, false), ("checksum", .checksum, false), ("exchangeTime", .time, false)]
        case .candle:
            return [("symbol", .symbol, true), ("start", .time, true), ("open", .decimal, true), ("high", .decimal, true),
                    ("low", .decimal, true), ("close", .decimal, true), ("volume", .decimal, true),
                    ("closed", .bool, false), ("exchangeTime", .time, false)]
        }
    }
}

public enum FieldType: Sendable {
    case symbol, decimal, time, side, tradeID, unsigned, checksum, bool
}

/// A routing condition on one path.
public struct Condition: Sendable {
    public enum Test: Sendable {
        /// Equal to a JSON scalar (string, number, boolean, null) given as its JSON text.
        case equals(JSONValue)
        case prefix(String)
        case suffix(String)
        case exists(Bool)
        /// The value is an object / an array.
        case type(String)
    }

    public let path: SpecPath
    public let test: Test
}

/// Where one event field comes from.
public struct FieldSpec: Sendable {
    public let name: String
    public let type: FieldType
    public let path: SpecPath
    /// Timestamps: `s`, `ms`, `us`, `ns`, `seconds_decimal`, `rfc3339`.
    public let time: String?
    /// Value text → meaning (sides: `buy`/`sell`; booleans: `true`/`false`).
    public let map: [(String, String)]
    public let required: Bool
    /// Values that mean "absent" (OKX sends `prevSeqId` -1 on snapshots).
    public let absentIf: [String]
    /// A required field that snapshots may lack (`"optional": "snapshot"`, messages with ``MessageSpec/snapshotIfPresent``).
    public var optionalInSnapshots = false
}

/// A group of book levels: an array of levels, or a single level made of frame fields.
public struct LevelSpec: Sendable {
    /// The array of levels (ends with `[*]`), or nil for a single level (the paths below then point into
    /// the frame or the element).
    public let path: SpecPath?
    /// `bid` or `ask`, or nil when ``sidePath`` decides.
    public let side: String?
    public let sidePath: SpecPath?
    public let sideMap: [(String, String)]
    public let price: SpecPath
    public let size: SpecPath
}

public struct ConformanceSpec: Sendable {
    public struct Capture: Sendable {
        public let file: String
        /// Per message kind: recorded frames and the events they must produce.
        public let counts: [(kind: String, frames: Int, events: Int)]
        /// The command that derived the counts from the raw capture, independently of HFTKit.
        public let countCommand: String
        /// Why the recorded subscriptions cannot be compared (the live spec deliberately differs), if so.
        public let subscriptionsDiffer: String?
        public let line: Int
    }

    public struct Case: Sendable {
        public let name: String
        public let frame: String
        /// Expected events in the `hft replay` JSON form (see docs/replay-format.md).
        public let events: [JSONValue.Node]
        public let line: Int
    }

    public let captures: [Capture]
    public let cases: [Case]
}
