public import HFTCore
public import HFTStream
import Logging

/// Forwards a stream's events to other processes: a ``StreamObserver`` that publishes each event on the
/// ``MarketDataPublisher`` of its channel. Bind it to a `MarketStream` (or to a ``MarketDataSubscriber``, to relay
/// further): `stream.bind(try MarketDataRelay(exchange: binance, channels: [.ticker, .trade]))`.
///
/// Events of channels it has no publisher for are counted in ``skipped``; health events are logged (subscribers
/// learn about losses from the sequence numbers, not from the publisher's health).
///
/// Threading: the publishers are used only on the observer's consumer thread (``onEvent(_:)``), one call at a time,
/// as ZeroMQ sockets require; ``close()`` after the stream stopped.
public final class MarketDataRelay: StreamObserver, @unchecked Sendable {
    /// The publisher of each channel.
    public let publishers: [Channel: MarketDataPublisher]
    /// Events of channels without a publisher (consumer thread).
    public private(set) var skipped = 0
    /// Publishers by event kind (``MarketEvent`` case order), for a lookup without hashing.
    private let byKind: [MarketDataPublisher?]
    private let logger = Logger(label: "hftkit.ipc.marketdata")

    /// Binds one publisher per channel (see ``MarketDataPublisher/init(exchange:channel:endpoint:endpoints:context:options:)``).
    public init(
        exchange: ExchangeID, channels: [Channel], endpoints: MarketDataEndpoints = MarketDataEndpoints(),
        context: ZMQContext? = nil, options: MarketDataPublisher.Options = MarketDataPublisher.Options()
    ) throws(IPCError) {
        var publishers: [Channel: MarketDataPublisher] = [:]
        for channel in channels where publishers[channel] == nil {
            publishers[channel] = try MarketDataPublisher(
                exchange: exchange, channel: channel, endpoints: endpoints, context: context, options: options)
        }
        self.publishers = publishers
        byKind = Self.kindChannels.map { publishers[$0] }
    }

    /// The channel of each event kind, in ``kind(_:)`` order.
    static let kindChannels: [Channel] = [.ticker, .trade, .l2Book, .candles, .funding, .myOrder, .myTrade]

    @inline(__always)
    static func kind(_ event: MarketEvent) -> Int {
        switch event {
        case .ticker: return 0
        case .trade: return 1
        case .book: return 2
        case .candle: return 3
        case .funding: return 4
        case .myOrder: return 5
        case .myTrade: return 6
        case .bookTop: return 7  // views are not published (derived from the updates)
        }
    }

    public func onEvent(_ event: MarketEvent) {
        let kind = Self.kind(event)
        guard kind < byKind.count, let publisher = byKind[kind] else {
            skipped += 1
            return
        }
        publisher.publish(event)
    }

    public func onHealth(_ event: HealthEvent) {
        logger.info("relayed stream: \(event)")
    }

    /// Closes every publisher (removing their socket files).
    public func close() {
        for publisher in publishers.values { publisher.close() }
    }
}
