import Foundation
import HFTAdapters
import HFTCapture
import HFTCore
import HFTExchanges
import Testing

/// The checks behind the generated conformance tests (one generated suite per spec, see
/// `Plugins/ExchangeSpecPlugin`). Truth comes from the recorded captures and from expected events written by
/// hand in the specs; nothing here compares the adapter with its own earlier output.
enum Conformance {
    static func capture(_ file: String) throws -> CaptureFile {
        guard let url = Bundle.module.url(forResource: file, withExtension: nil, subdirectory: "Captures") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Captures/\(file)"])
        }
        return try CaptureFile(contentsOf: url)
    }

    /// The capture's instruments that the spec covers (a capture may hold several markets of an exchange).
    static func instruments(_ capture: CaptureFile, _ adapter: any ExchangeAdapter.Type) -> [Instrument] {
        capture.instruments.filter { adapter.configuration.nativeSymbol($0) != nil }
    }

    /// The capture header's channel names, in HFTKit's names.
    static func channels(_ capture: CaptureFile) -> [Channel] {
        capture.symbolsByChannel.keys.sorted().map { $0 == "trades" ? .trade : Channel(rawValue: $0) }
    }

    /// Zero unrecognized or failed frames; frames and events per kind equal the spec's independent counts.
    static func checkCapture(
        _ adapter: any ExchangeAdapter.Type, file: String, counts: [String: (frames: Int, events: Int)]
    ) throws {
        let capture = try capture(file)
        let instance = try adapter.init(instruments: instruments(capture, adapter))
        var replay = CaptureReplay()
        replay.tallyOtherMarkets = true
        replay.run(capture, adapter: instance) { _ in }
        #expect(replay.problems.isEmpty, "\(replay.problems.prefix(5).map { "\($0.reason): \($0.frame)" }.joined(separator: "\n"))")
        let actual = replay.byKind.mapValues { "\($0.frames)/\($0.events)" }
        let expected = counts.mapValues { "\($0.frames)/\($0.events)" }
        #expect(actual == expected, "frames/events per kind")
    }

    /// URLs with subscriptions equal the recorded connect URLs; subscribe frames equal the recorded send frames
    /// as JSON values, in order. For specs that list channel × symbol arguments in one message (OKX), the
    /// planned arguments equal the recorded arguments that name this spec's symbols (recorders may resend or
    /// mix markets).
    static func checkSubscriptions(_ adapter: any ExchangeAdapter.Type, file: String) throws {
        let capture = try capture(file)
        // Use the recorded symbol order (recorders may list symbols in any order, e.g. from a hash set).
        let recordedText = (capture.sentFrames.map(\.data) + capture.connectURLs).joined(separator: "\n")
        func position(_ i: Instrument) -> Int {
            guard let native = adapter.configuration.nativeSymbol(i) else { return Int.max }
            for quoted in ["\"\(native)\"", native, native.lowercased()] {
                if let r = recordedText.range(of: quoted) { return recordedText.distance(from: recordedText.startIndex, to: r.lowerBound) }
            }
            return Int.max
        }
        let ordered = instruments(capture, adapter).enumerated()
            .sorted { (position($0.element), $0.offset) < (position($1.element), $1.offset) }.map(\.element)
        let instance = try adapter.init(instruments: ordered)
        let plans = instance.connectionPlans(channels: channels(capture))
        let planned = plans.flatMap(\.subscribeFrames).map(jsonValue)
        let recorded = capture.sentFrames.map { jsonValue($0.data) }
        if adapter.configuration.connections.contains(where: { $0.subscription != .messages }) {
            // Subscriptions in the URL: every recorded URL is planned, when it points at a planned endpoint.
            for url in capture.connectURLs where plans.contains(where: { sameEndpoint($0.url, url) }) {
                #expect(plans.contains { $0.url == url }, "recorded URL not planned: \(url)\nplanned: \(plans.map(\.url))")
            }
        }
        let recordedSubscribes = recorded.filter { !($0 is String) }
        if let key = argumentsKey(adapter.configuration) {
            let natives = Set(instance.symbols.entries.map(\.native))
            func arguments(_ frames: [Any]) -> Set<NSDictionary> {
                var out: Set<NSDictionary> = []
                for f in frames {
                    for a in ((f as? NSDictionary)?[key] as? [NSDictionary]) ?? []
                    where a.allValues.contains(where: { natives.contains(($0 as? String) ?? "") }) {
                        out.insert(a)
                    }
                }
                return out
            }
            #expect(arguments(planned) == arguments(recordedSubscribes), "subscribe arguments")
            #expect(!arguments(planned).isEmpty)
            return
        }
        #expect(planned.count == recordedSubscribes.count, "planned \(planned.count) subscribe frames, recorded \(recordedSubscribes.count)")
        for (p, r) in zip(planned, recordedSubscribes) {
            #expect((p as? NSObject) == (r as? NSObject), "planned \(p)\nrecorded \(r)")
        }
    }

    /// Book events carry every sequence and checksum field their message kind maps (`fields`: kind → names), and
    /// deltas those mapped for deltas only (`deltaFields`: Kraken v1's checksum, absent from its snapshots).
    static func checkBookFields(
        _ adapter: any ExchangeAdapter.Type, file: String, fields: [String: [String]], deltaFields: [String: [String]] = [:]
    ) throws {
        let capture = try capture(file)
        let instance = try adapter.init(instruments: instruments(capture, adapter))
        var checked = 0
        var missing: [String] = []
        for frame in capture.receivedFrames {
            var sink = EventBatch()
            var bytes = Array(frame.data.utf8)
            let outcome = bytes.withUnsafeMutableBytes { instance.parse(UnsafeRawBufferPointer($0), receiveTime: frame.time, into: &sink) }
            let kind = outcome.kind.description
            guard fields[kind] != nil || deltaFields[kind] != nil else { continue }
            for case .book(let b) in sink.events {
                checked += 1
                for f in (fields[kind] ?? []) + (b.kind == .delta ? deltaFields[kind] ?? [] : []) {
                    let present: Bool
                    switch f {
                    case "first": present = b.sequence.first != nil
                    case "last": present = b.sequence.last != nil
                    case "previous": present = b.sequence.previous != nil
                    default: present = b.checksum != nil
                    }
                    if !present { missing.append("\(outcome.kind) \(b.instrument) \(f)") }
                }
            }
        }
        #expect(missing.isEmpty, "book events without mapped fields: \(missing.prefix(5))")
        if !fields.isEmpty || !deltaFields.isEmpty { #expect(checked > 0) }
    }

    /// One frame gives exactly the expected events, field by field (receive time excluded).
    static func checkCase(_ adapter: any ExchangeAdapter.Type, frame: String, expected: String) throws {
        let instruments = try symbols(in: expected)
        let instance = try adapter.init(instruments: instruments)
        var sink = EventBatch()
        var bytes = Array(frame.utf8)
        let outcome = bytes.withUnsafeMutableBytes { raw in
            instance.parse(UnsafeRawBufferPointer(raw), receiveTime: Timestamp(nanosecondsSinceEpoch: 0), into: &sink)
        }
        #expect(outcome.disposition == .data, "\(outcome)")
        let actual = sink.events.map { event -> NSDictionary in
            let d = (jsonValue(EventJSON.encode(event)) as? NSDictionary)?.mutableCopy() as? NSMutableDictionary ?? [:]
            d.removeObject(forKey: "receiveTime")
            return d
        }
        let wanted = (jsonValue(expected) as? [NSDictionary]) ?? []
        #expect(actual.count == wanted.count, "event count")
        for (a, w) in zip(actual, wanted) {
            for key in Set((a.allKeys + w.allKeys).compactMap { $0 as? String }).sorted() {
                #expect((a[key] as? NSObject) == (w[key] as? NSObject), "field \(key): got \(a[key] ?? "absent"), want \(w[key] ?? "absent")")
            }
        }
    }

    static func symbols(in expected: String) throws -> [Instrument] {
        let list = (jsonValue(expected) as? [[String: Any]]) ?? []
        return try list.compactMap { $0["symbol"] as? String }.map { try Instrument(parsing: $0) }
    }

    /// The subscribe template's member that holds `{args}`, for specs that group arguments.
    static func argumentsKey(_ config: AdapterConfiguration) -> String? {
        guard let s = config.subscribe, s.grouping == .arguments, case .object(let members) = s.subscribe else { return nil }
        return members.first { $0.value == .string("{args}") }?.key
    }

    static func jsonValue(_ text: String) -> Any {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
    }

    static func sameEndpoint(_ a: String, _ b: String) -> Bool {
        a.split(separator: "?").first == b.split(separator: "?").first
    }
}
