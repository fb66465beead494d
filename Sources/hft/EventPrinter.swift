import ArgumentParser
import Foundation
import HFTAdapters
import HFTCore
import HFTStream
import Synchronization

/// The observer of `hft stream`: prints every event as a JSON line (docs/replay-format.md) or a table row on
/// standard output, and health events as `# health …` lines on standard error. After `limit` events it prints
/// nothing more and calls `onLimit` once.
///
/// Threading: `onEvent`/`onHealth` run on the stream's observer thread; `printed` may be read from any thread.
final class EventPrinter: StreamObserver, @unchecked Sendable {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, table
    }

    let format: Format
    let limit: Int?
    let onLimit: @Sendable () -> Void
    private let count = Atomic<Int>(0)

    init(format: Format, limit: Int?, onLimit: @escaping @Sendable () -> Void) {
        self.format = format
        self.limit = limit
        self.onLimit = onLimit
    }

    /// Events printed so far.
    var printed: Int { count.load(ordering: .acquiring) }

    func onEvent(_ event: MarketEvent) {
        let n = count.load(ordering: .relaxed)
        if let limit, n >= limit { return }
        switch format {
        case .json: print(EventJSON.encode(event))
        case .table: print(TableFormat.row(event))
        }
        count.store(n + 1, ordering: .releasing)
        if let limit, n + 1 == limit { onLimit() }
    }

    func onHealth(_ event: HealthEvent) {
        var err = StandardError()
        print("# health \(event)", to: &err)
    }
}

/// One line per event for people: time of receipt, instrument, channel and the gist of the event.
enum TableFormat {
    static let header = "time          symbol          channel   event"

    static func row(_ event: MarketEvent) -> String {
        let time = String(event.receiveTime.description.dropFirst(11).prefix(12))
        let symbol = pad(event.instrument.description, 15)
        let channel = pad(event.channel.rawValue, 9)
        return "\(time)  \(symbol) \(channel) \(gist(event))"
    }

    static func gist(_ event: MarketEvent) -> String {
        switch event {
        case .ticker(let t):
            let bid = t.bidSize.map { "\($0.plainText) @ " } ?? ""
            let ask = t.askSize.map { "\($0.plainText) @ " } ?? ""
            return "bid \(bid)\(t.bidPrice.plainText)  ask \(ask)\(t.askPrice.plainText)"
        case .trade(let t):
            return "\(t.side) \(t.size.plainText) @ \(t.price.plainText)"
        case .book(let b):
            let kind = b.kind == .snapshot ? "snapshot" : "delta"
            let best = b.bids.first.map { "  bid \($0.size.plainText) @ \($0.price.plainText)" } ?? ""
            let ask = b.asks.first.map { "  ask \($0.size.plainText) @ \($0.price.plainText)" } ?? ""
            return "\(kind) \(b.bids.count) bids \(b.asks.count) asks\(best)\(ask)"
        case .bookTop(let b):
            guard b.isValid else { return "book INVALID (resynchronizing)" }
            let bid = b.bestBid.map { "  bid \($0.size.plainText) @ \($0.price.plainText)" } ?? ""
            let ask = b.bestAsk.map { "  ask \($0.size.plainText) @ \($0.price.plainText)" } ?? ""
            return "book valid \(b.bidLevels) bids \(b.askLevels) asks\(bid)\(ask)"
        case .candle(let c):
            return "\(c.intervalSeconds)s o \(c.open.plainText) h \(c.high.plainText) l \(c.low.plainText) c \(c.close.plainText) v \(c.volume.plainText)"
        default:
            return EventJSON.encode(event)
        }
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
