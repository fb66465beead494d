public import HFTCore

/// Everything a spec says about connecting, as data the stream runtime and the planner read. Generated from
/// the spec's `symbols`, `channels`, `connections`, `subscribe`, `heartbeat`, `reconnect` and `book` sections.
public struct AdapterConfiguration: Sendable {
    public let exchange: ExchangeID
    public let symbolFormats: [MarketKindName: SymbolFormat]
    /// Normalized asset → exchange asset (`BTC` → `XBT`).
    public let assetAliases: [String: String]
    public let channels: [Channel: ChannelConfiguration]
    public let connections: [ConnectionConfiguration]
    public let subscribe: SubscribeConfiguration?
    public let heartbeat: HeartbeatConfiguration
    public let reconnect: ReconnectConfiguration
    public let book: BookIntegrity

    public init(
        exchange: ExchangeID, symbolFormats: [MarketKindName: SymbolFormat], assetAliases: [String: String],
        channels: [Channel: ChannelConfiguration], connections: [ConnectionConfiguration],
        subscribe: SubscribeConfiguration?, heartbeat: HeartbeatConfiguration,
        reconnect: ReconnectConfiguration, book: BookIntegrity
    ) {
        self.exchange = exchange
        self.symbolFormats = symbolFormats
        self.assetAliases = assetAliases
        self.channels = channels
        self.connections = connections
        self.subscribe = subscribe
        self.heartbeat = heartbeat
        self.reconnect = reconnect
        self.book = book
    }

    /// The native name of `instrument`, or nil when the spec has no format for its market kind.
    public func nativeSymbol(_ instrument: Instrument) -> String? {
        symbolFormats[MarketKindName(instrument.kind)]?.render(instrument, aliases: assetAliases)
    }
}

/// A market kind without its parameters, as spec sections name them.
public enum MarketKindName: String, Sendable, Hashable, CaseIterable {
    case spot, perpetual, future, option

    public init(_ kind: MarketKind) {
        switch kind {
        case .spot: self = .spot
        case .perpetual: self = .perpetual
        case .future: self = .future
        case .option: self = .option
        }
    }
}

/// One channel as the exchange names and subscribes it.
public struct ChannelConfiguration: Sendable {
    /// The exchange's channel name (`trades`, `book`, `aggTrade`).
    public let native: String
    /// The stream name template for URL subscriptions (`{symbol}@aggTrade`), if any.
    public let stream: String?
    /// Channel-specific subscribe and unsubscribe templates, overriding the spec-wide ones.
    public let subscribe: JSONTemplate?
    public let unsubscribe: JSONTemplate?
    /// Extra values for templates (`{interval}` → `1m`).
    public let parameters: [String: String]

    public init(native: String, stream: String?, subscribe: JSONTemplate?, unsubscribe: JSONTemplate?, parameters: [String: String]) {
        self.native = native
        self.stream = stream
        self.subscribe = subscribe
        self.unsubscribe = unsubscribe
        self.parameters = parameters
    }
}

/// A group of channels served by one endpoint.
public struct ConnectionConfiguration: Sendable {
    public enum Subscription: Sendable, Hashable {
        /// Streams are listed in the URL's `{streams}` placeholder, joined by the separator.
        case url(separator: String)
        /// Streams are requested by subscribe messages after the connection opens.
        case messages
    }

    public let name: String
    public let url: String
    public let channels: [Channel]
    public let subscription: Subscription
    /// Most streams (channel × symbol) one connection may carry; more are sharded over several connections.
    public let maxStreams: Int?
    /// The exchange closes connections after this long; the runtime reconnects before it.
    public let maxLifetimeSeconds: Int?
    /// Most messages per second the client may send.
    public let maxMessagesPerSecond: Double?
    /// Offer permessage-deflate (RFC 7692) in the handshake; the server decides whether frames are compressed.
    public let permessageDeflate: Bool

    public init(
        name: String, url: String, channels: [Channel], subscription: Subscription, maxStreams: Int?,
        maxLifetimeSeconds: Int?, maxMessagesPerSecond: Double?, permessageDeflate: Bool = false
    ) {
        self.name = name
        self.url = url
        self.channels = channels
        self.subscription = subscription
        self.maxStreams = maxStreams
        self.maxLifetimeSeconds = maxLifetimeSeconds
        self.maxMessagesPerSecond = maxMessagesPerSecond
        self.permessageDeflate = permessageDeflate
    }
}

/// How subscribe messages are built.
public struct SubscribeConfiguration: Sendable {
    public enum Grouping: String, Sendable, Hashable {
        /// One message per channel listing its symbols (`{symbols}`).
        case perChannel = "per_channel"
        /// One message per channel and symbol (`{symbol}`).
        case perSymbol = "per_symbol"
        /// One message for all channels, with an `{args}` list rendered from ``argument`` per channel × symbol.
        case arguments
    }

    public let grouping: Grouping
    public let subscribe: JSONTemplate
    public let unsubscribe: JSONTemplate?
    /// For ``Grouping/arguments``: the template of one argument.
    public let argument: JSONTemplate?
    /// Most symbols (or arguments) per message.
    public let maxPerMessage: Int?

    public init(grouping: Grouping, subscribe: JSONTemplate, unsubscribe: JSONTemplate?, argument: JSONTemplate?, maxPerMessage: Int?) {
        self.grouping = grouping
        self.subscribe = subscribe
        self.unsubscribe = unsubscribe
        self.argument = argument
        self.maxPerMessage = maxPerMessage
    }
}

/// Keeping a connection alive and detecting a dead one.
public struct HeartbeatConfiguration: Sendable {
    public enum Ping: Sendable, Hashable {
        /// Nothing to send (the server pings, lws answers).
        case none
        /// WebSocket ping frames.
        case frame
        /// A text frame (`ping`), answered by a text frame.
        case text(String)
        /// A JSON message.
        case json(JSONTemplate)
    }

    public let ping: Ping
    public let intervalSeconds: Double?
    /// No frame for this long means the feed is dead: close, reconnect, resubscribe.
    public let staleAfterSeconds: Double
    /// A heartbeat channel to subscribe on every message-subscribed connection (Coinbase `heartbeats`),
    /// with the connection's symbols, after the data channels.
    public let subscribeChannel: String?

    public init(ping: Ping, intervalSeconds: Double?, staleAfterSeconds: Double, subscribeChannel: String? = nil) {
        self.ping = ping
        self.intervalSeconds = intervalSeconds
        self.staleAfterSeconds = staleAfterSeconds
        self.subscribeChannel = subscribeChannel
    }
}

/// Reconnect backoff, shared by all connections of one exchange.
public struct ReconnectConfiguration: Sendable {
    public let backoffSeconds: [Double]
    /// Random extra delay, as a fraction of the backoff step (0.2 = up to +20 %).
    public let jitter: Double

    public init(backoffSeconds: [Double], jitter: Double) {
        self.backoffSeconds = backoffSeconds
        self.jitter = jitter
    }
}

/// How an exchange's books stay provably right: sequence continuity and checksums, by name.
public struct BookIntegrity: Sendable, Hashable {
    public enum Continuity: String, Sendable, Hashable {
        case none
        /// Binance spot: REST snapshot `lastUpdateId`; first event `U ≤ id+1 ≤ u`; then `U == previous u + 1`.
        case binanceSpot = "binance_spot"
        /// Binance USD-M: as spot for the first event, then `pu == previous u`.
        case binanceFutures = "binance_futures"
        /// OKX: `prevSeqId == previous seqId`.
        case okxSeqId = "okx_seq_id"
        /// Each book message's sequence is the previous one + 1 (Kraken Futures `seq`).
        case increment
        /// The sequence counts every frame of the connection, all channels and symbols (Coinbase
        /// `sequence_num`): per book it only increases; a gap is seen on the connection as a whole.
        case connectionIncrement = "connection_increment"
    }

    public enum Checksum: String, Sendable, Hashable {
        case none
        /// Kraken spot: CRC32 of the top 10 asks then bids, digits without '.' and leading zeros.
        case krakenCRC32Top10 = "kraken_crc32_top10"
        /// OKX: CRC32 (signed) of the top 25 levels interleaved bid:ask as the exact received strings.
        case okxCRC32Top25 = "okx_crc32_top25"
        /// Kraken spot v2: as v1, but prices and quantities formatted with the pair's precisions first.
        case krakenV2CRC32Top10 = "kraken_v2_crc32_top10"
    }

    public let continuity: Continuity
    public let checksum: Checksum
    /// REST snapshot URL template (`{symbol}`), for exchanges whose stream starts with deltas.
    public let snapshotURL: String?
    /// Levels kept per side after each update, when the exchange stops sending deletes for levels that fall
    /// beyond the subscribed depth (Kraken); nil keeps every level.
    public let depth: Int?

    public init(continuity: Continuity, checksum: Checksum, snapshotURL: String?, depth: Int? = nil) {
        self.continuity = continuity
        self.checksum = checksum
        self.snapshotURL = snapshotURL
        self.depth = depth
    }
}
