public import HFTCore
#if canImport(Glibc)
import Glibc
#endif

/// Where the market-data publisher of each (exchange, channel) is.
///
/// By default `ipc://{dir}/{exchange}.{channel}.ipc` (``IPCDirectory/marketDataEndpoint(exchange:channel:)``), for
/// processes of one machine. Publishers that other machines read from are configured, not coded: an override maps
/// `exchange.channel` to an endpoint such as `tcp://10.0.0.5:7001`. The publisher binds exactly that address (an
/// address of the publishing machine, or `tcp://*:7001` given to the publisher alone) and subscribers connect to it.
///
/// Overrides come from configuration (``init(directory:overrides:)``), from `exchange.channel=URL` entries
/// (``init(parsing:directory:)``, the form of `--endpoint` options), or from the environment variable
/// `HFT_MD_ENDPOINTS` (comma-separated entries; ``fromEnvironment()``), which the Python package reads too.
///
/// Thread safety: a plain value.
public struct MarketDataEndpoints: Sendable, Hashable {
    public var directory: IPCDirectory
    /// `exchange.channel` → endpoint.
    public var overrides: [String: String]

    public init(directory: IPCDirectory = .fromEnvironment(), overrides: [String: String] = [:]) {
        self.directory = directory
        self.overrides = overrides
    }

    /// Parses `exchange.channel=endpoint` entries (`binance.ticker=tcp://10.0.0.5:7001`).
    public init(parsing entries: [String], directory: IPCDirectory = .fromEnvironment()) throws(IPCError) {
        var overrides: [String: String] = [:]
        for entry in entries where !entry.isEmpty {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0].split(separator: ".").count == 2, parts[1].contains("://") else {
                throw .invalidArgument(
                    "market-data endpoint '\(entry)' is not 'exchange.channel=scheme://address' (binance.ticker=tcp://10.0.0.5:7001)")
            }
            overrides[parts[0]] = parts[1]
        }
        self.init(directory: directory, overrides: overrides)
    }

    /// The IPC directory of the environment, with the overrides of `HFT_MD_ENDPOINTS` (comma-separated
    /// `exchange.channel=endpoint` entries).
    public static func fromEnvironment() throws(IPCError) -> MarketDataEndpoints {
        guard let raw = getenv("HFT_MD_ENDPOINTS") else { return MarketDataEndpoints() }
        return try MarketDataEndpoints(parsing: String(cString: raw).split(separator: ",").map(String.init))
    }

    /// The endpoint of the publisher of `exchange` and `channel`.
    public func endpoint(exchange: ExchangeID, channel: Channel) -> String {
        overrides["\(exchange.rawValue).\(channel.rawValue)"]
            ?? directory.marketDataEndpoint(exchange: exchange.rawValue, channel: channel.rawValue)
    }

    /// The socket file behind an `ipc://` endpoint; nil for other transports.
    static func socketFile(_ endpoint: String) -> String? {
        endpoint.hasPrefix("ipc://") ? String(endpoint.dropFirst("ipc://".count)) : nil
    }
}
