import ArgumentParser
import Foundation
import HFTAdapters
import HFTCore
import HFTExchanges

/// What `hft stream` was asked for, checked against the exchanges compiled into this build. Pure value: every
/// problem becomes a `ValidationError` that names what is valid.
struct StreamRequest {
    let exchange: ExchangeID
    let configuration: AdapterConfiguration
    let instruments: [Instrument]
    let channels: [Channel]

    /// The exchanges compiled in, for error messages.
    static var knownExchanges: String { ExchangeCatalog.all.map(\.id.rawValue).joined(separator: ", ") }

    init(exchange name: String, symbols: [String], channels channelList: String) throws(ValidationError) {
        guard let id = ExchangeID(rawValue: name), let descriptor = ExchangeCatalog.descriptor(for: id) else {
            throw ValidationError("unknown exchange '\(name)'; known: \(Self.knownExchanges)")
        }
        let configuration = descriptor.adapter.configuration
        let kinds = configuration.symbolFormats.keys.map(\.rawValue).sorted().joined(separator: ", ")
        guard !symbols.isEmpty else {
            throw ValidationError("no symbols: name instruments in the normalized notation (BTC-USDT, BTC-USDT-PERP); \(name) serves \(kinds) markets")
        }
        var instruments: [Instrument] = []
        for text in symbols {
            let instrument: Instrument
            do {
                instrument = try Instrument(parsing: text)
            } catch {
                throw ValidationError("symbol '\(text)': \(error); expected the normalized notation, e.g. BTC-USDT, BTC-USDT-PERP, BTC-USD-22K27")
            }
            guard configuration.nativeSymbol(instrument) != nil else {
                throw ValidationError("symbol '\(text)': \(name) has no \(MarketKindName(instrument.kind).rawValue) markets in its spec; it serves \(kinds) markets")
            }
            if !instruments.contains(instrument) { instruments.append(instrument) }
        }
        let served = configuration.channels.keys.filter { channel in configuration.connections.contains { $0.channels.contains(channel) } }
        let valid = served.map(\.rawValue).sorted().joined(separator: ",")
        var channels: [Channel] = []
        for part in channelList.split(separator: ",", omittingEmptySubsequences: true) {
            let channel = Channel(rawValue: part.trimmingCharacters(in: .whitespaces))
            guard served.contains(channel) else {
                throw ValidationError("unknown channel '\(channel.rawValue)' for \(name); valid: \(valid)")
            }
            if !channels.contains(channel) { channels.append(channel) }
        }
        guard !channels.isEmpty else { throw ValidationError("--channels is empty; valid for \(name): \(valid)") }
        self.exchange = id
        self.configuration = configuration
        self.instruments = instruments
        self.channels = channels
    }
}
