/// Renders the Swift source that registers every spec'd exchange (the factory's table).
/// Output is deterministic: exchanges sorted by identifier, no timestamps, no absolute paths.
public enum CatalogRenderer {
    public static func render(_ specs: [ExchangeSpec]) -> String {
        let sorted = specs.sorted { $0.exchange < $1.exchange }
        var out = """
            // generated from specs/*.json by hft-codegen, do not edit

            import HFTAdapters
            import HFTCore

            extension ExchangeCatalog {
                /// Every exchange described by a spec in `specs/`, sorted by identifier.
                public static let all: [ExchangeDescriptor] = [

            """
        for spec in sorted {
            out += "        ExchangeDescriptor(\n"
            out += "            id: ExchangeID(rawValue: \(SwiftText.literal(spec.exchange)))!,\n"
            out += "            title: \(SwiftText.literal(spec.title)),\n"
            out += "            documentation: \(SwiftText.literal(spec.documentation)),\n"
            out += "            specFile: \(SwiftText.literal("specs/\(spec.fileStem).json")),\n"
            out += "            adapter: \(AdapterRenderer.typeName(spec.exchange)).self\n"
            out += "        ),\n"
        }
        out += "    ]\n}\n"
        return out
    }
}
