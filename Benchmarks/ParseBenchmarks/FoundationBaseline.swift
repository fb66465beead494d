// The baseline: the same frames decoded into the same events with Foundation's JSONSerialization, by
// interpreting the spec (routing conditions, paths, each, levels) over the parsed DOM. This is how a generic,
// DOM-based feed handler works; the generated adapters do the same job with specialized scanners.
import Foundation
import HFTCodegen
import HFTCore

struct FoundationBaseline {
    let spec: ExchangeSpec
    let exchange: ExchangeID
    let symbols: [String: Instrument]

    /// Decodes one frame; returns the number of events (or -1 when no rule matched).
    func decode(_ frame: Data, receiveTime: Timestamp, into events: inout [MarketEvent]) -> Int {
        if let text = String(data: frame, encoding: .utf8), spec.messages.contains(where: { $0.text == text }) { return 0 }
        guard let root = try? JSONSerialization.jsonObject(with: frame) else { return -1 }
        guard let message = spec.messages.first(where: { $0.text == nil && $0.conditions.allSatisfy { holds($0, root) } }) else { return -1 }
        guard let emit = message.emit else { return 0 }
        var count = 0
        for element in elements(root, message.each) {
            if let event = build(emit, message, root: root, element: element, receiveTime: receiveTime) {
                events.append(event)
                count += 1
            }
        }
        return count
    }

    func elements(_ root: Any, _ each: [SpecPath]) -> [Any?] {
        var current: [Any?] = [nil]
        for (i, path) in each.enumerated() {
            var next: [Any?] = []
            for element in current {
                let array = value(path, root: root, element: i == 0 ? nil : element) as? [Any] ?? []
                next.append(contentsOf: array.map { Optional($0) })
            }
            current = next
        }
        return current
    }

    func value(_ path: SpecPath, root: Any, element: Any?) -> Any? {
        var current: Any? = path.root == .frame ? root : element
        for step in path.steps {
            switch step {
            case .key(let k): current = (current as? [String: Any])?[k]
            case .index(let i):
                guard let a = current as? [Any] else { return nil }
                let index = i < 0 ? a.count + i : i
                current = a.indices.contains(index) ? a[index] : nil
            case .every:
                guard let a = current as? [Any] else { return nil }
                let rest = SpecPath(root: .element, steps: Array(path.steps.drop(while: { $0 != .every }).dropFirst()), text: "")
                return a.lazy.compactMap { value(rest, root: root, element: $0) }.last
            }
        }
        return current
    }

    func holds(_ c: Condition, _ root: Any) -> Bool {
        let v = value(c.path, root: root, element: nil)
        switch c.test {
        case .equals(.string(let s)): return v as? String == s
        case .equals(.null): return v is NSNull
        case .equals(.bool(let b)): return (v as? Bool) == b
        case .equals(.number(let n)): return (v as? NSNumber)?.stringValue == n
        case .equals: return false
        case .prefix(let p): return (v as? String)?.hasPrefix(p) ?? false
        case .suffix(let p): return (v as? String)?.hasSuffix(p) ?? false
        case .exists(let b): return (v != nil) == b
        case .type(let t): return t == "object" ? v is [String: Any] : v is [Any]
        }
    }

    static let booleanType: Any.Type = type(of: NSNumber(value: true))

    func text(_ v: Any?) -> String? {
        if let s = v as? String { return s }
        // JSONSerialization gives booleans as a distinct NSNumber subclass; `as? Bool` alone would also accept 0 and 1.
        if let v, type(of: v) == Self.booleanType, let b = v as? Bool { return b ? "true" : "false" }
        if let n = v as? NSNumber { return n.stringValue }
        return nil
    }

    func decimal(_ f: FieldSpec?, _ root: Any, _ element: Any?) -> ExactDecimal? {
        guard let f, let t = text(value(f.path, root: root, element: element)) else { return nil }
        return try? ExactDecimal(t)
    }

    func build(_ emit: EmitKind, _ m: MessageSpec, root: Any, element: Any?, receiveTime: Timestamp) -> MarketEvent? {
        func field(_ name: String) -> FieldSpec? { m.fields.first { $0.name == name } }
        func raw(_ name: String) -> Any? { field(name).flatMap { value($0.path, root: root, element: element) } }
        guard let symbol = text(raw("symbol")), let instrument = symbols[symbol.uppercased()] else { return nil }
        var time: Timestamp?
        if let f = field("exchangeTime"), let t = text(raw("exchangeTime")) {
            switch f.time {
            case "rfc3339": time = try? Timestamp(rfc3339: t)
            case "seconds_decimal": time = (try? ExactDecimal(t)).flatMap { try? Timestamp(seconds: $0) }
            case "s": time = Int64(t).flatMap { try? Timestamp($0, unit: .seconds) }
            default: time = Int64(t).flatMap { try? Timestamp($0, unit: .milliseconds) }
            }
        }
        switch emit {
        case .ticker:
            guard let bid = decimal(field("bidPrice"), root, element), let ask = decimal(field("askPrice"), root, element) else { return nil }
            return .ticker(Ticker(exchange: exchange, instrument: instrument, bidPrice: bid, bidSize: decimal(field("bidSize"), root, element),
                                  askPrice: ask, askSize: decimal(field("askSize"), root, element),
                                  lastPrice: decimal(field("lastPrice"), root, element), exchangeTime: time, receiveTime: receiveTime))
        case .trade:
            guard let price = decimal(field("price"), root, element), let size = decimal(field("size"), root, element),
                  let sideText = text(raw("side")), let side = field("side")?.map.first(where: { $0.0 == sideText })?.1 else { return nil }
            let id = text(raw("tradeId")).map { UInt64($0).map(TradeID.number) ?? .text($0) } ?? TradeID.none
            return .trade(Trade(exchange: exchange, instrument: instrument, price: price, size: size, side: side == "buy" ? .buy : .sell,
                                tradeID: id, exchangeTime: time, receiveTime: receiveTime))
        case .book:
            var bids: [BookLevel] = []
            var asks: [BookLevel] = []
            for group in m.levels {
                let levels: [Any?] = group.path.map { p in (value(p.dropLast, root: root, element: element) as? [Any] ?? []).map { Optional($0) } } ?? [element ?? root]
                for level in levels {
                    let base = group.path == nil ? element : level
                    guard let p = text(value(group.price, root: root, element: base)).flatMap({ try? ExactDecimal($0) }),
                          let q = text(value(group.size, root: root, element: base)).flatMap({ try? ExactDecimal($0) }) else { continue }
                    let side = group.side ?? text(group.sidePath.flatMap { value($0, root: root, element: base) }).flatMap { s in group.sideMap.first { $0.0 == s }?.1 }
                    if side == "bid" { bids.append(BookLevel(price: p, size: q)) } else { asks.append(BookLevel(price: p, size: q)) }
                }
            }
            let checksum = text(raw("checksum")).flatMap { Int64($0) }.map { UInt32(truncatingIfNeeded: $0) }
            let snapshot = m.snapshotIfPresent.map { value($0, root: root, element: element) != nil } ?? (m.bookKind == "snapshot")
            return .book(BookUpdate(exchange: exchange, instrument: instrument, kind: snapshot ? .snapshot : .delta,
                                    bids: bids, asks: asks,
                                    sequence: BookSequence(first: text(raw("first")).flatMap { UInt64($0) }, last: text(raw("last")).flatMap { UInt64($0) },
                                                           previous: text(raw("previous")).flatMap { UInt64($0) }),
                                    checksum: checksum, exchangeTime: time, receiveTime: receiveTime))
        case .candle:
            guard let o = decimal(field("open"), root, element), let h = decimal(field("high"), root, element),
                  let l = decimal(field("low"), root, element), let c = decimal(field("close"), root, element),
                  let v = decimal(field("volume"), root, element), let start = text(raw("start")).flatMap({ Int64($0) }) else { return nil }
            let startTime = (try? Timestamp(start, unit: field("start")?.time == "s" ? .seconds : .milliseconds)) ?? receiveTime
            return .candle(Candle(exchange: exchange, instrument: instrument, intervalSeconds: Int32(m.intervalSeconds ?? 0), startTime: startTime,
                                  open: o, high: h, low: l, close: c, volume: v, isClosed: raw("closed") as? Bool,
                                  exchangeTime: time, receiveTime: receiveTime))
        }
    }
}
