/// Renders the Swift adapter of one spec: configuration, router and one specialized parser per message kind.
public struct AdapterRenderer {
    let spec: ExchangeSpec

    public init(_ spec: ExchangeSpec) {
        self.spec = spec
    }

    /// `binance_futures` → `BinanceFuturesAdapter`.
    public static func typeName(_ exchange: String) -> String {
        exchange.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Adapter"
    }

    public func render() -> String {
        let type = Self.typeName(spec.exchange)
        var parts: [String] = []
        parts.append("""
            // generated from specs/\(spec.fileStem).json by hft-codegen, do not edit

            public import HFTAdapters
            public import HFTCore

            /// \(spec.title): stream adapter generated from `specs/\(spec.fileStem).json`.
            /// Follows \(spec.documentation)
            public struct \(type): ExchangeAdapter {
                public static let exchange = ExchangeID(rawValue: \(SwiftText.literal(spec.exchange)))!

                public let symbols: SymbolTable

                public init(symbols: SymbolTable) {
                    self.symbols = symbols
                }
            """)
        parts.append(indent(ConfigurationRenderer(spec: spec).render()))
        let captures = FrameCaptures(spec: spec)
        var router = RouterRenderer(spec: spec, captures: captures)
        parts.append(indent(router.render()))
        for (index, message) in spec.messages.enumerated() where message.emit != nil {
            var parser = MessageParserRenderer(spec: spec, message: message, index: index, captures: captures)
            parts.append(indent(parser.render()))
        }
        parts.append("}\n")
        return parts.joined(separator: "\n\n")
    }
}

/// The `configuration` property.
struct ConfigurationRenderer {
    let spec: ExchangeSpec

    func render() -> String {
        var lines: [String] = []
        lines.append("public static let configuration = AdapterConfiguration(")
        lines.append("    exchange: exchange,")
        let formats = spec.symbols.formats.map {
            "." + $0.marketKind + ": SymbolFormat(template: \(SwiftText.literal($0.template)), letterCase: .\(letterCase($0.letterCase)))"
        }
        lines.append("    symbolFormats: [\(formats.isEmpty ? ":" : formats.joined(separator: ", "))],")
        let aliases = spec.symbols.aliases.map { "\(SwiftText.literal($0.normalized)): \(SwiftText.literal($0.native))" }
        lines.append("    assetAliases: [\(aliases.isEmpty ? ":" : aliases.joined(separator: ", "))],")
        lines.append("    channels: [")
        for c in spec.channels {
            let params = c.parameters.map { "\(SwiftText.literal($0.0)): \(SwiftText.literal($0.1))" }
            lines.append("        Channel(rawValue: \(SwiftText.literal(c.channel))): ChannelConfiguration(")
            lines.append("            native: \(SwiftText.literal(c.native)), stream: \(optionalLiteral(c.stream)),")
            lines.append("            subscribe: \(c.subscribe.map(template) ?? "nil"), unsubscribe: \(c.unsubscribe.map(template) ?? "nil"),")
            lines.append("            parameters: [\(params.isEmpty ? ":" : params.joined(separator: ", "))]),")
        }
        lines.append("    ],")
        lines.append("    connections: [")
        for c in spec.connections {
            let channels = c.channels.map { "Channel(rawValue: \(SwiftText.literal($0)))" }.joined(separator: ", ")
            let subscription = c.urlSeparator.map { ".url(separator: \(SwiftText.literal($0)))" } ?? ".messages"
            lines.append("        ConnectionConfiguration(")
            lines.append("            name: \(SwiftText.literal(c.name)), url: \(SwiftText.literal(c.url)),")
            lines.append("            channels: [\(channels)], subscription: \(subscription),")
            lines.append("            maxStreams: \(c.maxStreams.map(String.init) ?? "nil"), maxLifetimeSeconds: \(c.maxLifetimeSeconds.map(String.init) ?? "nil"), maxMessagesPerSecond: \(c.maxMessagesPerSecond.map { "\($0)" } ?? "nil")\(c.permessageDeflate ? ", permessageDeflate: true" : "")),")
        }
        lines.append("    ],")
        if let s = spec.subscribe {
            lines.append("    subscribe: SubscribeConfiguration(")
            lines.append("        grouping: .\(grouping(s.grouping)),")
            lines.append("        subscribe: \(template(s.message)),")
            lines.append("        unsubscribe: \(s.unsubscribe.map(template) ?? "nil"),")
            lines.append("        argument: \(s.argument.map(template) ?? "nil"),")
            lines.append("        maxPerMessage: \(s.maxPerMessage.map(String.init) ?? "nil")),")
        } else {
            lines.append("    subscribe: nil,")
        }
        let ping: String
        switch spec.heartbeat.ping {
        case .none: ping = ".none"
        case .frame: ping = ".frame"
        case .text(let t): ping = ".text(\(SwiftText.literal(t)))"
        case .json(let node): ping = ".json(\(template(node)))"
        }
        lines.append("    heartbeat: HeartbeatConfiguration(ping: \(ping), intervalSeconds: \(spec.heartbeat.intervalSeconds.map { "\($0)" } ?? "nil"), staleAfterSeconds: \(spec.heartbeat.staleAfterSeconds), subscribeChannel: \(optionalLiteral(spec.heartbeat.subscribeChannel))),")
        lines.append("    reconnect: ReconnectConfiguration(backoffSeconds: \(spec.reconnect.backoffSeconds), jitter: \(spec.reconnect.jitter)),")
        lines.append("    book: BookIntegrity(continuity: .\(camel(spec.book.continuity)), checksum: .\(checksumCase(spec.book.checksum)), snapshotURL: \(optionalLiteral(spec.book.snapshotURL)), depth: \(spec.book.depth.map(String.init) ?? "nil"))")
        lines.append(")")
        return lines.joined(separator: "\n")
    }

    func letterCase(_ s: String) -> String { s == "as_is" ? "asIs" : s }
    func grouping(_ s: String) -> String { s == "per_channel" ? "perChannel" : s == "per_symbol" ? "perSymbol" : "arguments" }
    func checksumCase(_ s: String) -> String {
        switch s {
        case "kraken_crc32_top10": return "krakenCRC32Top10"
        case "okx_crc32_top25": return "okxCRC32Top25"
        case "kraken_v2_crc32_top10": return "krakenV2CRC32Top10"
        default: return "none"
        }
    }

    func camel(_ s: String) -> String {
        let parts = s.split(separator: "_")
        return parts.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }.joined()
    }

    func optionalLiteral(_ s: String?) -> String { s.map(SwiftText.literal) ?? "nil" }

    func template(_ node: JSONValue.Node) -> String {
        switch node.value {
        case .object(let members):
            return ".object([" + members.map { ".init(\(SwiftText.literal($0.key)), \(template($0.value)))" }.joined(separator: ", ") + "])"
        case .array(let items):
            return ".array([" + items.map(template).joined(separator: ", ") + "])"
        case .string(let s): return ".string(\(SwiftText.literal(s)))"
        case .number(let n): return ".literal(\(SwiftText.literal(n)))"
        case .bool(let b): return ".literal(\(SwiftText.literal(b ? "true" : "false")))"
        case .null: return ".literal(\"null\")"
        }
    }
}
