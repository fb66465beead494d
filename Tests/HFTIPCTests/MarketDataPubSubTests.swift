import CZeroMQ
import Foundation
import HFTCore
@testable import HFTIPC
import HFTStream
import SwiftProtobuf
import Testing

/// Swift publisher → Swift subscriber over real ZeroMQ ipc:// sockets.
@Suite(.serialized) struct MarketDataPubSubTests {
    static let channels: [Channel] = [.ticker, .trade, .l2Book, .candles, .funding, .myOrder, .myTrade]

    /// Lines grouped per channel, in order (each channel is one publisher: one ordered pipe).
    func byChannel(_ events: [MarketEvent]) -> [Channel: [String]] {
        Dictionary(grouping: events, by: \.channel).mapValues { $0.map(line) }
    }

    @Test func everyEventKindArrivesExactlyAsPublished() async throws {
        let dir = MarketDataIPCDirectory()
        let capture = try CaptureEvents(exchange: "binance_futures", capture: "binance_futures.jsonl")
        let events = capture.events + CaptureEvents.synthetic(exchange: capture.exchange)
        let context = try ZMQContext()
        let publishers = try Dictionary(uniqueKeysWithValues: Self.channels.map {
            ($0, try MarketDataPublisher(exchange: capture.exchange, channel: $0, endpoints: dir.endpoints, context: context))
        })
        var options = MarketDataSubscriber.Options()
        options.endpoints = dir.endpoints
        let subscriber = try MarketDataSubscriber(exchange: capture.exchange, channels: Self.channels, options: options)
        let collector = EventCollector()
        subscriber.bind(collector)
        try subscriber.start()
        defer { subscriber.stop() }
        for publisher in publishers.values { #expect(publisher.waitForSubscribers(timeoutSeconds: 30)) }

        for event in events { #expect(publishers[event.channel]!.publish(event)) }
        #expect(await collector.wait { collector.count >= events.count })
        let received = collector.events.withLock { $0 }
        #expect(received.count == events.count)
        #expect(byChannel(received) == byChannel(events))
        #expect(subscriber.statistics.lost == 0 && subscriber.statistics.malformed == 0)
        #expect(publishers.values.map(\.statistics.published).reduce(0, +) == events.count)
        // Health as a local stream reports it: every endpoint connecting, then connected once data flows.
        let kinds = collector.healthKinds
        #expect(kinds.filter { $0 == .connecting(attempt: 1) }.count == Self.channels.count)
        #expect(kinds.filter { $0 == .connected }.count == Self.channels.count)
        for publisher in publishers.values { publisher.close() }
        for channel in Self.channels {
            #expect(!FileManager.default.fileExists(atPath: dir.directory.marketDataSocketFile(exchange: "binance_futures", channel: channel.rawValue)))
        }
    }

    @Test func aSubscriberReceivesOnlyItsInstruments() async throws {
        let dir = MarketDataIPCDirectory()
        let binance = ExchangeID(rawValue: "binance")!
        let names = ["BTC-USDT", "BTC-USDT-PERP", "ETH-USDT", "BTC-USD"]
        let instruments = try names.map { try Instrument(parsing: $0) }
        let publisher = try MarketDataPublisher(exchange: binance, channel: .ticker, endpoints: dir.endpoints)
        var options = MarketDataSubscriber.Options()
        options.endpoints = dir.endpoints
        let btc = try MarketDataSubscriber(exchange: binance, instruments: [instruments[0]], channels: [.ticker], options: options)
        let all = try MarketDataSubscriber(exchange: binance, channels: [.ticker], options: options)
        let btcCollector = EventCollector(), allCollector = EventCollector()
        btc.bind(btcCollector)
        all.bind(allCollector)
        try btc.start()
        try all.start()
        defer { btc.stop(); all.stop() }
        #expect(publisher.waitForSubscribers(atLeast: 2, timeoutSeconds: 30))

        let rounds = 500
        for i in 0..<rounds {
            for instrument in instruments {
                let price = ExactDecimal(mantissa64: Int64(60_000_00 + i), scale: 2)
                publisher.publish(.ticker(Ticker(
                    exchange: binance, instrument: instrument, bidPrice: price, bidSize: 1, askPrice: price, askSize: 2,
                    exchangeTime: nil, receiveTime: Timestamp(nanosecondsSinceEpoch: Int64(i)))))
            }
        }
        #expect(await allCollector.wait { allCollector.count >= rounds * instruments.count })
        #expect(await btcCollector.wait { btcCollector.count >= rounds })
        // Everything sent before the last BTC-USDT ticker has arrived (one ordered pipe): nothing else comes.
        let received = btcCollector.events.withLock { $0 }
        #expect(received.count == rounds)
        #expect(received.allSatisfy { $0.instrument == instruments[0] })
        #expect(received.map(\.receiveTime.nanosecondsSinceEpoch) == (0..<rounds).map(Int64.init))
        #expect(btc.statistics.received == rounds && btc.statistics.lost == 0)
    }

    /// A subscriber that stops reading never slows the publisher: libzmq drops for it past the high-water marks,
    /// while another subscriber keeps receiving (what it loses, if anything, is counted); a slow observer loses
    /// events in its own queue, reported as overflow health, while another observer of the same subscriber
    /// receives everything the subscriber received.
    @Test func slowSubscribersNeverBlockThePublisher() async throws {
        let dir = MarketDataIPCDirectory()
        let binance = ExchangeID(rawValue: "binance")!
        let btc = try Instrument(parsing: "BTC-USDT")
        var pubOptions = MarketDataPublisher.Options()
        pubOptions.sendHighWaterMark = 10_000
        let context = try ZMQContext()
        let publisher = try MarketDataPublisher(
            exchange: binance, channel: .trade, endpoints: dir.endpoints, context: context, options: pubOptions)
        // A peer that subscribes and then never reads.
        let stalled = try ZMQSocket(context, .sub)
        try stalled.setOption(ZMQ_RCVHWM, 10)
        try stalled.subscribe([])
        try stalled.connect(publisher.endpoint)
        var options = MarketDataSubscriber.Options()
        options.endpoints = dir.endpoints
        options.receiveHighWaterMark = 1_000_000
        let subscriber = try MarketDataSubscriber(exchange: binance, channels: [.trade], context: context, options: options)
        let fast = EventCollector()
        let slow = EventCollector(delayMicroseconds: 200)
        subscriber.bind(fast, queueCapacity: 1 << 20)
        let slowBinding = subscriber.bind(slow, queueCapacity: 16)
        try subscriber.start()
        defer { subscriber.stop() }
        #expect(publisher.waitForSubscribers(atLeast: 2, timeoutSeconds: 30))

        func trade(_ id: UInt64) -> MarketEvent {
            .trade(Trade(
                exchange: binance, instrument: btc, price: ExactDecimal(mantissa64: Int64(id % 1_000_000), scale: 2), size: 1,
                side: .buy, tradeID: .number(id), exchangeTime: nil, receiveTime: .now()))
        }
        let count = 100_000
        for i in 0..<count {
            let sent = publisher.publish(trade(UInt64(i)))
            if !sent {
                Issue.record("publish \(i) refused")
                break
            }
        }
        #expect(publisher.statistics.published == count && publisher.statistics.dropped == 0)
        // Markers after the burst (same instrument: a loss at the end of the burst shows as a sequence gap).
        let marker = UInt64.max
        func sawMarker() -> Bool { fast.events.withLock { $0.last.map { if case .trade(let t) = $0 { t.tradeID == .number(marker) } else { false } } ?? false } }
        #expect(await fast.wait {
            if !sawMarker() { publisher.publish(trade(marker)); usleep(10_000) }
            return sawMarker()
        })
        let ids = fast.events.withLock { $0.compactMap { e -> UInt64? in if case .trade(let t) = e, case .number(let n) = t.tradeID, n != marker { n } else { nil } } }
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 })
        #expect(ids.count + subscriber.statistics.lost >= count)
        // The stalled peer holds at most what the high-water marks and the socket buffers let through.
        var stalledFrames = 0
        while (try? stalled.receiveFrame(dontWait: true, { _, _ in true })) != nil { stalledFrames += 1 }
        #expect(stalledFrames / 2 < count / 2, "a stalled subscriber got \(stalledFrames / 2) of \(count)")
        // The slow observer lost events in its 16-event queue, and was told exactly how many.
        subscriber.stop()
        let slowDropped = slowBinding.queuesByChannel.map(\.queue.statistics.dropped).reduce(0, +)
        #expect(slowDropped > 0)
        #expect(slow.count + slowDropped == fast.count)
        let reported = slow.healthKinds.compactMap { kind -> Int? in
            if case .overflow(.trade, let n) = kind { n } else { nil }
        }
        #expect(reported.max() == slowDropped)
    }

    /// Losses between publisher and subscriber show as sequence gaps: counted and reported (books also as gaps).
    @Test func sequenceGapsAndMalformedMessagesAreCountedAndReported() async throws {
        let dir = MarketDataIPCDirectory()
        let binance = ExchangeID(rawValue: "binance")!
        let context = try ZMQContext()
        let endpoint = dir.endpoints.endpoint(exchange: binance, channel: .l2Book)
        try dir.directory.prepare()
        // A hand-made publisher that skips sequence numbers and sends garbage.
        let raw = try ZMQSocket(context, .xpub)
        try raw.bind(endpoint)
        var options = MarketDataSubscriber.Options()
        options.endpoints = dir.endpoints
        let subscriber = try MarketDataSubscriber(exchange: binance, channels: [.l2Book], context: context, options: options)
        let collector = EventCollector()
        subscriber.bind(collector)
        try subscriber.start()
        defer { subscriber.stop() }
        #expect(raw.poll(milliseconds: 30_000))

        func send(_ frames: [[UInt8]]) throws {
            for (i, frame) in frames.enumerated() { try raw.send(frame, more: i < frames.count - 1) }
        }
        func book(_ sequence: UInt64) throws -> [[UInt8]] {
            let event = MarketEvent.book(BookUpdate(
                exchange: binance, instrument: try Instrument(parsing: "ETH-BTC"), kind: .delta,
                bids: [BookLevel(price: try ExactDecimal("0.05120"), size: try ExactDecimal("3.5"))], asks: [],
                exchangeTime: nil, receiveTime: Timestamp(nanosecondsSinceEpoch: Int64(sequence))))
            let message = MarketDataCodec.message(event, exchange: "binance", instrument: "ETH-BTC", sequence: sequence, publishTime: .now())
            return [Array("ETH-BTC ".utf8), try message.serializedBytes()]
        }
        try send(try book(1))
        try send(try book(2))
        try send([Array("ETH-BTC ".utf8), [0xff, 0xff, 0xff]])  // not protobuf
        try send([Array("ETH-BTC ".utf8)])  // one frame
        try send([Array("BTC-USDT ".utf8), try book(3)[1]])  // topic of another instrument
        try send(try book(5))  // 3 and 4 lost
        try send(try book(9))  // 6, 7, 8 lost
        try send(try book(1))  // a restarted publisher: no loss
        #expect(await collector.wait { collector.count >= 4 })
        #expect(collector.events.withLock { $0.map(\.receiveTime.nanosecondsSinceEpoch) } == [1, 2, 5, 9, 1].prefix(collector.count).map { $0 })
        #expect(await collector.wait { collector.count == 5 })
        #expect(subscriber.statistics.lost == 5)
        #expect(subscriber.statistics.malformed == 3)
        #expect(await collector.wait {
            collector.healthKinds.contains(.overflow(channel: .l2Book, dropped: 5))
                && collector.healthKinds.contains { if case .badFrames(3, _) = $0 { true } else { false } } == false
                && collector.healthKinds.contains { if case .badFrames(2, _) = $0 { true } else { false } }
        })
        let gaps = collector.healthKinds.filter { if case .bookInvalid(_, let reason) = $0 { reason.hasPrefix("gap:") } else { false } }
        #expect(gaps.count == 2)
    }

    @Test func aLivePublisherIsNotReplacedAndAStaleSocketFileIs() throws {
        let dir = MarketDataIPCDirectory()
        let binance = ExchangeID(rawValue: "binance")!
        let first = try MarketDataPublisher(exchange: binance, channel: .ticker, endpoints: dir.endpoints)
        #expect(throws: IPCError.self) { try MarketDataPublisher(exchange: binance, channel: .ticker, endpoints: dir.endpoints) }
        let file = dir.directory.marketDataSocketFile(exchange: "binance", channel: "ticker")
        var info = stat()
        #expect(lstat(file, &info) == 0 && info.st_mode & 0o777 == 0o600)
        // A socket file nobody listens on (its process died): replaced.
        first.close()
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in file.utf8.enumerated() { raw[i] = b }
        }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(fd)
        #expect(FileManager.default.fileExists(atPath: file))
        let second = try MarketDataPublisher(exchange: binance, channel: .ticker, endpoints: dir.endpoints)
        second.close()
    }

    /// The relay a publishing service binds to a stream: each event goes out on its channel's publisher.
    @Test func aRelayPublishesEachEventOnItsChannel() async throws {
        let dir = MarketDataIPCDirectory()
        let capture = try CaptureEvents(exchange: "kraken", capture: "kraken.jsonl")
        let context = try ZMQContext()
        let relay = try MarketDataRelay(exchange: capture.exchange, channels: [.ticker, .trade], endpoints: dir.endpoints, context: context)
        defer { relay.close() }
        var options = MarketDataSubscriber.Options()
        options.endpoints = dir.endpoints
        let subscriber = try MarketDataSubscriber(exchange: capture.exchange, channels: [.trade, .ticker], context: context, options: options)
        let collector = EventCollector()
        subscriber.bind(collector)
        try subscriber.start()
        defer { subscriber.stop() }
        for publisher in relay.publishers.values { #expect(publisher.waitForSubscribers(timeoutSeconds: 30)) }
        for event in capture.events { relay.onEvent(event) }
        let wanted = capture.events.filter { $0.channel == .ticker || $0.channel == .trade }
        #expect(wanted.count > 10)
        #expect(relay.skipped == capture.events.count - wanted.count)
        #expect(await collector.wait { collector.count >= wanted.count })
        #expect(byChannel(collector.events.withLock { $0 }) == byChannel(wanted))
    }
}
