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
            out += "            id: ExchangeID(rawValue: \(literal(spec.exchange)))!,\n"
            out += "            title: \(literal(spec.title)),\n"
            out += "            documentation: \(literal(spec.documentation)),\n"
            out += "            specFile: \(literal("specs/\(spec.fileStem).json")),\n"
            out += "            adapter: \(AdapterRenderer.typeName(spec.exchange)).self\n"
            out += "        ),\n"
        }
        out += "    ]\n}\n"
        return out
    }

    /// A Swift string literal for `text`.
    static func literal(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
