public import HFTCore

/// A stream adapter generated from one exchange spec: its configuration and its frame parser.
///
/// Thread safety: adapters are immutable values. `parse` is called on the connection's thread (the lws
/// service thread) with that thread's sink; it allocates nothing for ticker and trade frames.
public protocol ExchangeAdapter: Sendable {
    /// What the spec says about endpoints, symbols, subscriptions, heartbeats, reconnects and books.
    static var configuration: AdapterConfiguration { get }

    /// The subscribed instruments' native names.
    var symbols: SymbolTable { get }

    init(symbols: SymbolTable)

    /// Routes one received text frame to its message kind and appends its normalized events to `batch`.
    func parse(_ frame: UnsafeRawBufferPointer, receiveTime: Timestamp, into sink: inout EventBatch) -> FrameOutcome
}

extension ExchangeAdapter {
    /// An adapter for `instruments`, with native names from the spec's symbol formats.
    /// - Throws: ``HFTError`` (configuration) naming an instrument whose market kind the spec does not cover.
    public init(instruments: [Instrument]) throws(HFTError) {
        let configuration = Self.configuration
        var pairs: [(native: String, instrument: Instrument)] = []
        for instrument in instruments {
            guard let native = configuration.nativeSymbol(instrument) else {
                throw HFTError(
                    .configuration,
                    "\(configuration.exchange) has no \(MarketKindName(instrument.kind).rawValue) markets in its spec (instrument \(instrument))",
                    context: ErrorContext(exchange: configuration.exchange))
            }
            pairs.append((native, instrument))
        }
        self.init(symbols: SymbolTable(pairs))
    }

    /// The connections to open for `channels` and what to send on each.
    public func connectionPlans(channels: [Channel]) -> [ConnectionPlan] {
        ConnectionPlanner.plan(Self.configuration, symbols: symbols, channels: channels)
    }
}
