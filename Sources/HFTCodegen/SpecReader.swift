/// Reads a spec file's text into an ``ExchangeSpec``: parse → validate, collecting every problem.
public enum SpecReader {
    static let channelNames = ["ticker", "trade", "l2_book", "candles", "funding", "my_order", "my_trade", "my_order_batch"]
    static let marketKinds = ["spot", "perpetual", "future", "option"]
    static let controlKinds = ["ack", "error", "heartbeat", "pong", "status", "history"]
    static let timeFormats = ["s", "ms", "us", "ns", "seconds_decimal", "rfc3339"]
    static let continuityRules = ["none", "binance_spot", "binance_futures", "okx_seq_id", "increment", "connection_increment"]
    static let checksums = ["none", "kraken_crc32_top10", "kraken_v2_crc32_top10", "okx_crc32_top25"]

    /// Validates `text` (the contents of `file`) and returns the model, or throws every diagnostic.
    public static func read(file: String, text: String) throws(SpecDiagnostics) -> ExchangeSpec {
        let log = DiagnosticLog(file: file)
        let root: JSONValue.Node
        do {
            root = try JSONSourceParser.parse(text)
        } catch {
            throw SpecDiagnostics(diagnostics: [SpecDiagnostic(
                file: file, line: error.position.line, path: "$",
                message: "invalid JSON at column \(error.position.column): \(error.message)")])
        }
        let spec = readSpec(root, file: file, log: log)
        guard let spec, log.diagnostics.isEmpty else {
            throw SpecDiagnostics(diagnostics: log.diagnostics.sorted { $0.line < $1.line })
        }
        return spec
    }

    static func readSpec(_ root: JSONValue.Node, file: String, log: DiagnosticLog) -> ExchangeSpec? {
        var r = ObjectReader(root, path: "$", log: log)
        guard r.isObject else { return nil }
        let stem = fileStem(file)
        let exchange = r.string("exchange", required: true)
        if let exchange, let node = r.value("exchange") {
            if let problem = identifierProblem(exchange) {
                log.error(node.position.line, "$.exchange", problem)
            } else if exchange != stem {
                log.error(node.position.line, "$.exchange", "'\(exchange)' must equal the file name '\(stem)' (rename one of them)")
            }
        }
        let title = r.string("title", required: true)
        let documentation = r.string("documentation", required: true)
        if let documentation, !documentation.hasPrefix("https://"), let node = r.value("documentation") {
            log.error(node.position.line, "$.documentation", "give the https:// address of the API documentation the spec follows")
        }
        let symbols = r.required("symbols").flatMap { readSymbols($0, log) }
        let channels = r.required("channels").map { readChannels($0, log) } ?? []
        let channelNames = channels.map(\.channel)
        let connections = r.required("connections").map { readConnections($0, channelNames, log) } ?? []
        let subscribe = r.value("subscribe").flatMap { readSubscribe($0, log) }
        if subscribe == nil, connections.contains(where: { $0.urlSeparator == nil }) {
            log.error(root.position.line, "$", "a connection subscribes by message, so the spec needs a 'subscribe' section")
        }
        let heartbeat = r.required("heartbeat").flatMap { readHeartbeat($0, log) }
        let reconnect = r.value("reconnect").flatMap { readReconnect($0, log) } ?? .standard
        let book = r.value("book").flatMap { readBook($0, log) } ?? .none
        let messages = r.required("messages").map { readMessages($0, log) } ?? []
        let conformance = r.required("conformance").flatMap { readConformance($0, messages, log) }
        r.finish()
        guard let exchange, let title, let documentation, let symbols, let heartbeat, let conformance else { return nil }
        return ExchangeSpec(
            fileStem: stem, exchange: exchange, title: title, documentation: documentation, symbols: symbols,
            channels: channels, connections: connections, subscribe: subscribe, heartbeat: heartbeat,
            reconnect: reconnect, book: book, messages: messages, conformance: conformance)
    }

    // MARK: sections

    static func readSymbols(_ node: JSONValue.Node, _ log: DiagnosticLog) -> SymbolsSpec? {
        var r = ObjectReader(node, path: "$.symbols", log: log)
        var formats: [SymbolsSpec.Format] = []
        for kind in marketKinds {
            guard let v = r.value(kind) else { continue }
            var f = ObjectReader(v, path: r.child(kind), log: log)
            let template = f.string("template", required: true)
            let letterCase = f.string("case") ?? "as_is"
            if !["upper", "lower", "as_is"].contains(letterCase) {
                log.error(v.position.line, f.child("case"), "expected upper, lower or as_is")
            }
            if let template {
                let allowed = kind == "future" ? ["{base}", "{quote}", "{yyyy}", "{yy}", "{mm}", "{dd}"] : ["{base}", "{quote}"]
                for placeholder in placeholders(template) where !allowed.contains(placeholder) {
                    log.error(v.position.line, f.child("template"), "unknown placeholder \(placeholder); use \(allowed.joined(separator: ", "))")
                }
                formats.append(SymbolsSpec.Format(marketKind: kind, template: template, letterCase: letterCase))
            }
            f.finish()
        }
        let aliases = r.stringMap("aliases") ?? []
        r.finish(allowed: marketKinds + ["aliases"])
        if formats.isEmpty { log.error(node.position.line, "$.symbols", "give at least one market kind format (spot, perpetual, future, option)") }
        return SymbolsSpec(formats: formats, aliases: aliases.map { (normalized: $0.0, native: $0.1) })
    }

    static func readChannels(_ node: JSONValue.Node, _ log: DiagnosticLog) -> [ChannelSpec] {
        guard case .object(let members) = node.value else {
            log.error(node.position.line, "$.channels", "expected an object keyed by channel name")
            return []
        }
        var out: [ChannelSpec] = []
        for m in members where m.key != "$comment" {
            let path = "$.channels.\(m.key)"
            if !channelNames.contains(m.key) {
                log.error(m.keyPosition.line, path, "unknown channel; use one of \(channelNames.joined(separator: ", "))")
            }
            var r = ObjectReader(m.value, path: path, log: log)
            let native = r.string("native", required: true)
            let stream = r.string("stream")
            let parameters = r.stringMap("parameters") ?? []
            let subscribe = r.value("subscribe")
            let unsubscribe = r.value("unsubscribe")
            r.finish(allowed: ["native", "stream", "parameters", "subscribe", "unsubscribe"])
            if let native {
                out.append(ChannelSpec(channel: m.key, native: native, stream: stream, parameters: parameters,
                                       subscribe: subscribe, unsubscribe: unsubscribe))
            }
        }
        return out
    }

    static func readConnections(_ node: JSONValue.Node, _ channels: [String], _ log: DiagnosticLog) -> [ConnectionSpec] {
        guard case .array(let items) = node.value, !items.isEmpty else {
            log.error(node.position.line, "$.connections", "expected a non-empty array of connections")
            return []
        }
        var out: [ConnectionSpec] = []
        for (i, item) in items.enumerated() {
            let path = "$.connections[\(i)]"
            var r = ObjectReader(item, path: path, log: log)
            let name = r.string("name", required: true)
            let url = r.string("url", required: true)
            let list = r.strings("channels", required: true) ?? []
            for c in list where !channels.contains(c) {
                log.error(item.position.line, r.child("channels"), "channel '\(c)' is not described under $.channels")
            }
            let subscription = r.string("subscription", required: true)
            var separator: String?
            if subscription == "url" {
                separator = r.string("separator") ?? "/"
                if let url, !url.contains("{streams}") {
                    log.error(item.position.line, r.child("url"), "subscriptions are in the URL, so it needs a {streams} placeholder")
                }
            } else if subscription != nil && subscription != "messages" {
                log.error(item.position.line, r.child("subscription"), "expected \"url\" or \"messages\"")
            }
            if let url, !(url.hasPrefix("wss://") || url.hasPrefix("ws://")) {
                log.error(item.position.line, r.child("url"), "expected a ws:// or wss:// URL")
            }
            let maxStreams = r.integer("maxStreams")
            let lifetime = r.integer("maxLifetimeSeconds")
            let rate = r.number("maxMessagesPerSecond")
            let deflate = r.bool("permessageDeflate") ?? false
            r.finish(allowed: ["name", "url", "channels", "subscription", "separator", "maxStreams", "maxLifetimeSeconds", "maxMessagesPerSecond",
                               "permessageDeflate"])
            if let name, let url {
                out.append(ConnectionSpec(name: name, url: url, channels: list, urlSeparator: separator, maxStreams: maxStreams,
                                          maxLifetimeSeconds: lifetime, maxMessagesPerSecond: rate, permessageDeflate: deflate))
            }
        }
        return out
    }

    static func readSubscribe(_ node: JSONValue.Node, _ log: DiagnosticLog) -> SubscribeSpec? {
        var r = ObjectReader(node, path: "$.subscribe", log: log)
        let grouping = r.string("grouping", required: true)
        if let grouping, !["per_channel", "per_symbol", "arguments"].contains(grouping) {
            log.error(node.position.line, r.child("grouping"), "expected per_channel, per_symbol or arguments")
        }
        let message = r.required("message")
        let unsubscribe = r.value("unsubscribe")
        let argument = r.value("argument")
        if grouping == "arguments", argument == nil {
            log.error(node.position.line, "$.subscribe", "grouping 'arguments' needs an 'argument' template")
        }
        let maxPerMessage = r.integer("maxPerMessage")
        r.finish(allowed: ["grouping", "message", "unsubscribe", "argument", "maxPerMessage"])
        guard let grouping, let message else { return nil }
        return SubscribeSpec(grouping: grouping, message: message, unsubscribe: unsubscribe, argument: argument, maxPerMessage: maxPerMessage)
    }

    static func readHeartbeat(_ node: JSONValue.Node, _ log: DiagnosticLog) -> HeartbeatSpec? {
        var r = ObjectReader(node, path: "$.heartbeat", log: log)
        var ping = HeartbeatSpec.Ping.none
        if let v = r.value("ping") {
            switch v.value {
            case .string("none"): ping = .none
            case .string("frame"): ping = .frame
            case .object(let members) where members.count == 1 && members[0].key == "text":
                if case .string(let s) = members[0].value.value { ping = .text(s) }
            case .object(let members) where members.count == 1 && members[0].key == "json":
                ping = .json(members[0].value)
            default:
                log.error(v.position.line, r.child("ping"), "expected \"none\", \"frame\", {\"text\": \"…\"} or {\"json\": {…}}")
            }
        }
        let interval = r.number("intervalSeconds")
        let stale = r.number("staleAfterSeconds", required: true)
        let channel = r.string("subscribeChannel")
        r.finish(allowed: ["ping", "intervalSeconds", "staleAfterSeconds", "subscribeChannel"])
        guard let stale else { return nil }
        return HeartbeatSpec(ping: ping, intervalSeconds: interval, staleAfterSeconds: stale, subscribeChannel: channel)
    }

    static func readReconnect(_ node: JSONValue.Node, _ log: DiagnosticLog) -> ReconnectSpec? {
        var r = ObjectReader(node, path: "$.reconnect", log: log)
        var backoff: [Double] = []
        if let v = r.required("backoffSeconds") {
            if case .array(let items) = v.value {
                for item in items {
                    if case .number(let t) = item.value, let d = Double(t), d >= 0 { backoff.append(d) } else {
                        log.error(item.position.line, r.child("backoffSeconds"), "expected non-negative numbers of seconds")
                    }
                }
            }
            if backoff.isEmpty { log.error(v.position.line, r.child("backoffSeconds"), "give at least one delay") }
        }
        let jitter = r.number("jitter") ?? 0
        r.finish(allowed: ["backoffSeconds", "jitter"])
        return ReconnectSpec(backoffSeconds: backoff, jitter: jitter)
    }

    static func readBook(_ node: JSONValue.Node, _ log: DiagnosticLog) -> BookSpec? {
        var r = ObjectReader(node, path: "$.book", log: log)
        let continuity = r.string("continuity") ?? "none"
        if !continuityRules.contains(continuity) {
            log.error(node.position.line, r.child("continuity"), "unknown rule; use one of \(continuityRules.joined(separator: ", "))")
        }
        let checksum = r.string("checksum") ?? "none"
        if !checksums.contains(checksum) {
            log.error(node.position.line, r.child("checksum"), "unknown checksum; use one of \(checksums.joined(separator: ", "))")
        }
        let snapshot = r.string("snapshotURL")
        let depth = r.integer("depth")
        if let depth, depth < 1 {
            log.error(node.position.line, r.child("depth"), "must be at least 1 (the levels kept per side; omit it to keep all)")
        }
        r.finish(allowed: ["continuity", "checksum", "snapshotURL", "depth"])
        return BookSpec(continuity: continuity, checksum: checksum, snapshotURL: snapshot, depth: depth)
    }

    // MARK: helpers

    static func path(_ text: String, line: Int, jsonPath: String, log: DiagnosticLog) -> SpecPath? {
        switch SpecPath.parse(text) {
        case .success(let p): return p
        case .failure(let e):
            log.error(line, jsonPath, "invalid path '\(text)': \(e.message)")
            return nil
        }
    }

    static func placeholders(_ text: String) -> [String] {
        var out: [String] = []
        var current: String?
        for c in text {
            if c == "{" { current = "{" } else if c == "}", let open = current {
                out.append(open + "}")
                current = nil
            } else if current != nil { current!.append(c) }
        }
        return out
    }

    /// The same rule as `HFTCore.ExchangeID` (the generator does not link HFTCore).
    static func identifierProblem(_ name: String) -> String? {
        let ok = name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 &- 48 < 10) || $0 == 95 }
        guard ok, let first = name.utf8.first, first &- 48 >= 10, name.utf8.count <= 32 else {
            return "'\(name)' is not an exchange identifier: use 1–32 of a-z, 0-9, '_', starting with a letter"
        }
        return nil
    }

    static func fileStem(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.hasSuffix(".json") ? String(name.dropLast(5)) : name
    }
}
