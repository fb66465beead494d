public import HFTCore

/// One connection to open: where, for which channels and instruments, and the frames to send once open.
public struct ConnectionPlan: Sendable, Hashable {
    /// `<connection name>#<shard>` (`public#1`).
    public let name: String
    public let url: String
    public let channels: [Channel]
    public let instruments: [Instrument]
    /// Text frames to send after the connection opens (empty when subscriptions are in the URL).
    public let subscribeFrames: [String]
    public let unsubscribeFrames: [String]
}

/// Turns a spec's connection configuration plus the requested instruments and channels into connection
/// plans: stream names in URLs or subscribe messages, sharded by the per-connection stream limit.
public enum ConnectionPlanner {
    public static func plan(_ config: AdapterConfiguration, symbols: SymbolTable, channels requested: [Channel]) -> [ConnectionPlan] {
        var plans: [ConnectionPlan] = []
        for connection in config.connections {
            let channels = connection.channels.filter { requested.contains($0) }
            guard !channels.isEmpty, !symbols.entries.isEmpty else { continue }
            // Streams in a stable order: channel, then symbol.
            var streams: [(channel: Channel, entry: SymbolTable.Entry)] = []
            for channel in channels {
                for entry in symbols.entries { streams.append((channel, entry)) }
            }
            let shardSize = connection.maxStreams ?? streams.count
            var shard = 0
            var start = 0
            while start < streams.count {
                let slice = Array(streams[start..<min(start + shardSize, streams.count)])
                start += shardSize
                shard += 1
                plans.append(makePlan(config, connection, slice, shard: shard))
            }
        }
        return plans
    }

    static func values(_ config: AdapterConfiguration, _ channel: Channel, native: String?) -> [String: JSONTemplate.Value] {
        var values: [String: JSONTemplate.Value] = [:]
        if let c = config.channels[channel] {
            values["channel"] = .string(c.native)
            for (k, v) in c.parameters { values[k] = .string(v) }
        }
        if let native {
            values["symbol"] = .string(native)
            values["symbol_lower"] = .string(native.lowercased())
            values["symbol_upper"] = .string(native.uppercased())
        }
        return values
    }

    static func makePlan(
        _ config: AdapterConfiguration, _ connection: ConnectionConfiguration,
        _ streams: [(channel: Channel, entry: SymbolTable.Entry)], shard: Int
    ) -> ConnectionPlan {
        var channels: [Channel] = []
        var instruments: [Instrument] = []
        for s in streams {
            if !channels.contains(s.channel) { channels.append(s.channel) }
            if !instruments.contains(s.entry.instrument) { instruments.append(s.entry.instrument) }
        }
        var url = connection.url
        var subscribe: [String] = []
        var unsubscribe: [String] = []
        switch connection.subscription {
        case .url(let separator):
            let names = streams.map { s -> String in
                let template = config.channels[s.channel]?.stream ?? "{symbol}"
                return JSONTemplate.substitute(template, values(config, s.channel, native: s.entry.native))
            }
            url = url.replacingAll("{streams}", with: names.joined(separator: separator))
        case .messages:
            (subscribe, unsubscribe) = messages(config, streams, channels: channels)
        }
        return ConnectionPlan(
            name: "\(connection.name)#\(shard)", url: url, channels: channels, instruments: instruments,
            subscribeFrames: subscribe, unsubscribeFrames: unsubscribe)
    }

    /// The frames that unsubscribe `channel` of one instrument and subscribe it again, on the connection that
    /// carries it (a book resync of one symbol). Nil when that cannot be done with messages: the connection
    /// subscribes through its URL, or the spec has no unsubscribe message; the caller reconnects instead.
    public static func resubscription(
        _ config: AdapterConfiguration, symbols: SymbolTable, channel: Channel, instrument: Instrument
    ) -> (unsubscribe: [String], subscribe: [String])? {
        guard let entry = symbols.entries.first(where: { $0.instrument == instrument }),
              let connection = config.connections.first(where: { $0.channels.contains(channel) }),
              case .messages = connection.subscription
        else { return nil }
        let (subscribe, unsubscribe) = messages(config, [(channel, entry)], channels: [channel], heartbeat: false)
        guard !subscribe.isEmpty, unsubscribe.count == subscribe.count else { return nil }
        return (unsubscribe, subscribe)
    }

    static func messages(
        _ config: AdapterConfiguration, _ streams: [(channel: Channel, entry: SymbolTable.Entry)], channels: [Channel],
        heartbeat includeHeartbeat: Bool = true
    ) -> (subscribe: [String], unsubscribe: [String]) {
        guard let sub = config.subscribe else { return ([], []) }
        var subscribe: [String] = []
        var unsubscribe: [String] = []
        var requestID = 1
        func emit(_ template: JSONTemplate, _ unsubTemplate: JSONTemplate?, _ v: [String: JSONTemplate.Value]) {
            var v = v
            v["id"] = .integer(requestID)
            subscribe.append(template.render(v))
            if let unsubTemplate { unsubscribe.append(unsubTemplate.render(v)) }
            requestID += 1
        }
        func chunks<T>(_ items: [T]) -> [[T]] {
            let size = max(1, sub.maxPerMessage ?? items.count)
            return stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
        }
        switch sub.grouping {
        case .perChannel, .perSymbol:
            for channel in channels {
                let natives = streams.filter { $0.channel == channel }.map(\.entry.native)
                let channelConfig = config.channels[channel]
                let template = channelConfig?.subscribe ?? sub.subscribe
                let unsubTemplate = channelConfig?.unsubscribe ?? sub.unsubscribe
                let groups = sub.grouping == .perSymbol ? natives.map { [$0] } : chunks(natives)
                for group in groups {
                    var v = values(config, channel, native: group.count == 1 ? group[0] : nil)
                    v["symbols"] = .strings(group)
                    emit(template, unsubTemplate, v)
                }
            }
            if includeHeartbeat, let heartbeat = config.heartbeat.subscribeChannel {
                var natives: [String] = []
                for s in streams where !natives.contains(s.entry.native) { natives.append(s.entry.native) }
                emit(sub.subscribe, sub.unsubscribe, ["channel": .string(heartbeat), "symbols": .strings(natives)])
            }
        case .arguments:
            guard let argument = sub.argument else { return ([], []) }
            let args = streams.map { argument.render(values(config, $0.channel, native: $0.entry.native)) }
            for group in chunks(args) {
                emit(sub.subscribe, sub.unsubscribe, ["args": .json(group)])
            }
        }
        return (subscribe, unsubscribe)
    }
}
