public import HFTCore
import HFTIPC
import HFTStream

/// `publisher`: forwards the events of the service's streams to HFTIPC's market-data pub/sub (one publisher per
/// exchange and channel, at `{ipc_dir}/{exchange}.{channel}.ipc`), so other processes receive them with a
/// `"source": "ipc"` stream (this is the demo's gateway). The publishers are used on the service's thread only.
/// Prints one line per stream at start and the publishers' counters at stop.
public actor PublisherService: Service {
    public nonisolated let context: ServiceContext
    private var relays: [ExchangeID: MarketDataRelay] = [:]

    public init(context: ServiceContext) throws {
        self.context = context
    }

    public func onSetup() -> Bool {
        var channelsByExchange: [ExchangeID: [Channel]] = [:]
        for stream in context.settings.streams {
            for channel in stream.channels where !(channelsByExchange[stream.exchange] ?? []).contains(channel) {
                channelsByExchange[stream.exchange, default: []].append(channel)
            }
        }
        do {
            for (exchange, channels) in channelsByExchange {
                relays[exchange] = try MarketDataRelay(exchange: exchange, channels: channels, endpoints: MarketDataEndpoints(directory: context.ipcCommand.directory))
            }
        } catch {
            context.logger.error("publisher: \(error)")
            return false
        }
        return true
    }

    public func onStart() {
        for (exchange, relay) in relays.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let endpoints = relay.publishers.values.map(\.endpoint).sorted().joined(separator: " ")
            ServiceOutput.line("publishing \(exchange.rawValue) on \(endpoints)")
        }
    }

    public func onTicker(_ ticker: Ticker) { relays[ticker.exchange]?.onEvent(.ticker(ticker)) }
    public func onTrade(_ trade: Trade) { relays[trade.exchange]?.onEvent(.trade(trade)) }
    public func onBook(_ book: BookUpdate) { relays[book.exchange]?.onEvent(.book(book)) }
    public func onCandle(_ candle: Candle) { relays[candle.exchange]?.onEvent(.candle(candle)) }
    public func onOtherEvent(_ event: MarketEvent) { relays[event.exchange]?.onEvent(event) }

    public func onStop() {
        for (exchange, relay) in relays.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            for (channel, publisher) in relay.publishers.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                ServiceOutput.line("published \(exchange.rawValue) \(channel.rawValue): \(publisher.statistics)")
            }
            relay.close()
        }
        relays.removeAll()
    }
}
