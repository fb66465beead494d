public import HFTAdapters
public import HFTCore

/// Runs a capture's received frames through an adapter, offline, and tallies what they were.
public struct CaptureReplay {
    /// Frames and events per message kind.
    public struct Tally: Sendable, Equatable {
        public var frames = 0
        public var events = 0
    }

    public private(set) var byKind: [String: Tally] = [:]
    /// Frames no rule recognized, and frames whose parse failed, with the reason.
    public private(set) var problems: [(frame: String, reason: String)] = []
    public private(set) var totalEvents = 0
    /// Count frames about instruments the adapter was not made for (a capture of several markets replayed
    /// through the spec of one) under the kind ``otherMarketsKind`` instead of as problems.
    public var tallyOtherMarkets = false
    public static let otherMarketsKind = "other_markets"

    public init() {}

    /// Parses every received frame of `capture`, calling `onEvent` for each normalized event.
    public mutating func run(_ capture: CaptureFile, adapter: any ExchangeAdapter, onEvent: (MarketEvent) -> Void) {
        for frame in capture.receivedFrames {
            var sink = EventBatch()
            var bytes = Array(frame.data.utf8)
            let outcome = bytes.withUnsafeMutableBytes { raw in
                adapter.parse(UnsafeRawBufferPointer(raw), receiveTime: frame.time, into: &sink)
            }
            record(outcome, frame: frame.data)
            sink.forEach(onEvent)
        }
    }

    mutating func record(_ outcome: FrameOutcome, frame: String) {
        let kind = outcome.kind.description
        switch outcome.disposition {
        case .data, .control:
            byKind[kind, default: Tally()].frames += 1
            byKind[kind, default: Tally()].events += outcome.events
            totalEvents += outcome.events
        case .unrecognized:
            problems.append((ErrorContext.truncate(frame), "unrecognized"))
        case .failed(let failure) where tallyOtherMarkets && failure.reason == .unknownSymbol && outcome.events == 0:
            byKind[Self.otherMarketsKind, default: Tally()].frames += 1
        case .failed(let failure):
            problems.append((ErrorContext.truncate(frame), "\(kind): \(failure)"))
        }
    }
}
