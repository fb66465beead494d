public import HFTCore

/// The exchanges HFTKit was built with: one entry per spec in `specs/`, generated at build time by the
/// ExchangeSpecPlugin (`ExchangeCatalog.all` lives in the generated file). Adding a spec adds an entry; no
/// Swift is edited by hand.
///
/// Thread safety: immutable, read from anywhere.
public enum ExchangeCatalog {
    /// The descriptor of `id`, if a spec for it was compiled in.
    public static func descriptor(for id: ExchangeID) -> ExchangeDescriptor? {
        all.first { $0.id == id }
    }
}

/// What the catalog knows of one exchange.
public struct ExchangeDescriptor: Sendable, Hashable {
    public let id: ExchangeID
    public let title: String
    /// The API documentation the spec was checked against.
    public let documentation: String
    /// The spec file, relative to the package root.
    public let specFile: String

    public init(id: ExchangeID, title: String, documentation: String, specFile: String) {
        self.id = id
        self.title = title
        self.documentation = documentation
        self.specFile = specFile
    }
}
