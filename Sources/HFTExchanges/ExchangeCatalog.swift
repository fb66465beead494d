public import HFTAdapters
public import HFTCore

/// The exchanges HFTKit was built with: one entry per spec in `specs/`, generated at build time by the
/// ExchangeSpecPlugin (`ExchangeCatalog.all` lives in the generated file). Adding a spec adds an entry; no
/// Swift is edited by hand.
///
/// Thread safety: immutable, read from anywhere.
public enum ExchangeCatalog {
    /// An adapter for `exchange` and `instruments` (the Swift form of the original `get_exchange_stream()`).
    /// - Throws: ``HFTError`` (configuration) for an unknown exchange or an instrument it cannot name.
    public static func adapter(for exchange: ExchangeID, instruments: [Instrument]) throws(HFTError) -> any ExchangeAdapter {
        guard let descriptor = descriptor(for: exchange) else {
            throw HFTError(.configuration, "no spec for exchange '\(exchange)'; known: \(all.map(\.id.rawValue).joined(separator: ", "))")
        }
        return try descriptor.adapter.init(instruments: instruments)
    }

    /// The descriptor of `id`, if a spec for it was compiled in.
    public static func descriptor(for id: ExchangeID) -> ExchangeDescriptor? {
        all.first { $0.id == id }
    }
}

/// What the catalog knows of one exchange.
public struct ExchangeDescriptor: Sendable {
    public let id: ExchangeID
    public let title: String
    /// The API documentation the spec was checked against.
    public let documentation: String
    /// The spec file, relative to the package root.
    public let specFile: String
    /// The generated adapter type.
    public let adapter: any ExchangeAdapter.Type

    public init(id: ExchangeID, title: String, documentation: String, specFile: String, adapter: any ExchangeAdapter.Type) {
        self.id = id
        self.title = title
        self.documentation = documentation
        self.specFile = specFile
        self.adapter = adapter
    }
}
