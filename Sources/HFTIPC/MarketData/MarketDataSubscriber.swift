import CZeroMQ
import Foundation
public import HFTCore
public import HFTStream
import Logging
import SwiftProtobuf
import Synchronization

/// Receives the market data that other processes publish (``MarketDataPublisher``, Python
/// `hftkit.market_data.Publisher`) and delivers it exactly like a local ``MarketStream``: ``bind(_:queueCapacity:)``
/// gives each ``StreamObserver`` its own queues and consumer thread, events arrive as the same ``MarketEvent``
/// values (decimals identical, times to the nanosecond), and losses arrive as the same ``HealthEvent``s. A service
/// cannot tell a remote stream from a local one.
///
/// One SUB socket connects to the publisher of every channel (``MarketDataEndpoints``) and subscribes to the topic of
/// every instrument (all instruments when none are given). One receive thread decodes and pushes into the observers'
/// queues; it never waits for an observer.
///
/// Losses are counted, never silent:
/// - between publisher and subscriber (a full high-water mark on either side): from the gaps in each instrument's
///   `sequence`, reported as ``HealthEvent/Kind/overflow(channel:dropped:)`` with the endpoint as the connection
///   (and as ``HealthEvent/Kind/gap(instrument:detail:)`` for books, which must resynchronize);
/// - in an observer's queues: as for a local stream (``ObserverBinding``);
/// - malformed messages: counted in ``Statistics/malformed`` and reported as
///   ``HealthEvent/Kind/badFrames(count:sample:)`` (the first sample is logged).
///
/// Health: `connecting` for each endpoint at start, `connected` when its first message arrives (ZeroMQ connects in
/// the background and reconnects by itself), `stopped` at stop.
///
/// Threading: `bind`, `start`, `stop` and ``statistics`` from any thread (`bind` before `start`).
public final class MarketDataSubscriber: @unchecked Sendable {
    public struct Options: Sendable {
        public var endpoints = MarketDataEndpoints()
        /// Messages ZeroMQ queues for this subscriber before the publisher drops for it (`ZMQ_RCVHWM`).
        public var receiveHighWaterMark: Int32 = 100_000
        /// Capacity of each observer queue (events).
        public var queueCapacity = 65_536
        public init() {}
    }

    /// What the receive thread did so far (each counter read atomically).
    public struct Statistics: Sendable, Hashable, CustomStringConvertible {
        /// Messages decoded and handed to the observers' queues.
        public var received: Int
        /// Messages lost between the publishers and this subscriber (sequence gaps).
        public var lost: Int
        /// Messages that could not be decoded (or whose topic did not match), not delivered.
        public var malformed: Int

        public var description: String { "received \(received), lost \(lost), malformed \(malformed)" }
    }

    public let exchange: ExchangeID
    /// The instruments subscribed to; empty: every instrument the publishers send.
    public let instruments: [Instrument]
    public let channels: [Channel]
    /// The endpoint of each channel, in ``channels`` order.
    public let endpoints: [String]
    public let options: Options

    private let context: ZMQContext
    private let bindings = Mutex<[ObserverBinding]>([])
    private let lifecycle = Mutex<Int>(0)  // 0 new, 1 started, 2 stopped
    private let running = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let receivedCount = Atomic<Int>(0)
    private let lostCount = Atomic<Int>(0)
    private let malformedCount = Atomic<Int>(0)
    private let logger = Logger(label: "hftkit.ipc.marketdata")

    /// - Throws: ``IPCError`` when the ZeroMQ context cannot be made.
    public init(
        exchange: ExchangeID, instruments: [Instrument] = [], channels: [Channel], context: ZMQContext? = nil,
        options: Options = Options()
    ) throws(IPCError) {
        self.exchange = exchange
        self.instruments = instruments
        self.channels = channels
        self.options = options
        self.endpoints = channels.map { options.endpoints.endpoint(exchange: exchange, channel: $0) }
        if let context {
            self.context = context
        } else {
            do throws(ZMQError) {
                self.context = try ZMQContext()
            } catch {
                throw .zmq(error, endpoint: nil)
            }
        }
    }

    /// Binds an observer: it receives every event and health event from now on, through its own queues of
    /// `queueCapacity` events per channel (default: ``Options/queueCapacity``).
    @discardableResult
    public func bind(_ observer: any StreamObserver, queueCapacity: Int? = nil) -> ObserverBinding {
        let binding = ObserverBinding(observer: observer, capacity: queueCapacity ?? options.queueCapacity, exchange: exchange)
        bindings.withLock { $0.append(binding) }
        return binding
    }

    /// Connects and subscribes, then starts the receive thread. - Throws: ``IPCError`` when a socket call fails.
    public func start() throws(IPCError) {
        let first = lifecycle.withLock { state -> Bool in
            guard state == 0 else { return false }
            state = 1
            return true
        }
        guard first else { return }
        let socket: ZMQSocket
        do {
            socket = try ZMQSocket(context, .sub)
            try socket.setOption(ZMQ_RCVHWM, options.receiveHighWaterMark)
            try socket.setReceiveTimeout(milliseconds: 50)
            if instruments.isEmpty {
                try socket.subscribe([])
            } else {
                for instrument in instruments { try socket.subscribe(MarketDataTopic.bytes(instrument.description)) }
            }
        } catch {
            throw .zmq(error, endpoint: nil)
        }
        for endpoint in endpoints {
            do {
                try socket.connect(endpoint)
            } catch {
                throw .zmq(error, endpoint: endpoint)
            }
        }
        let all = bindings.withLock { $0 }
        for binding in all { binding.start() }
        for endpoint in endpoints { report(.connecting(attempt: 1), connection: endpoint, to: all) }
        running.store(true, ordering: .releasing)
        let receiver = Receiver(subscriber: self, socket: socket, bindings: all)
        let thread = Thread { receiver.run() }
        thread.name = "md-subscriber"
        thread.start()
    }

    /// Stops the receive thread, then the observers' consumers after they delivered what is queued.
    public func stop() {
        let wasRunning = lifecycle.withLock { state -> Bool in
            defer { state = 2 }
            return state == 1
        }
        guard wasRunning else { return }
        running.store(false, ordering: .releasing)
        finished.wait()
        let all = bindings.withLock { $0 }
        report(.stopped, connection: "", to: all)
        for binding in all { binding.finish() }
    }

    public var statistics: Statistics {
        Statistics(
            received: receivedCount.load(ordering: .relaxed), lost: lostCount.load(ordering: .relaxed),
            malformed: malformedCount.load(ordering: .relaxed))
    }

    private func report(_ kind: HealthEvent.Kind, connection: String, to bindings: [ObserverBinding]) {
        let event = HealthEvent(exchange: exchange, connection: connection, kind: kind, time: .now())
        for binding in bindings { binding.push(health: event) }
    }

    // MARK: receive thread

    /// The receive thread's state: the socket, the name cache and the sequence tracking (confined to that thread).
    private final class Receiver: @unchecked Sendable {
        let subscriber: MarketDataSubscriber
        let socket: ZMQSocket
        let bindings: [ObserverBinding]
        var decoder = MarketDataDecoder()
        /// The sequence, exchange and instrument of the message being delivered.
        var keys = MarketDataDecoder.Keys()
        var sequences = SequenceTracker()
        /// The subscriber's channels (a copy: no class access per message).
        let channels: [Channel]
        /// Per channel (``MarketDataSubscriber/channels`` order): whether a message arrived, and lost messages
        /// reported so far.
        var seen: [Bool]
        var reportedLost: [Int]
        var lostByChannel: [Int]
        var delivered = false
        /// The two frames of the message being received (reused: no allocation per message).
        let topic = ZMQFrame()
        let payload = ZMQFrame()

        init(subscriber: MarketDataSubscriber, socket: ZMQSocket, bindings: [ObserverBinding]) {
            self.subscriber = subscriber
            self.socket = socket
            self.bindings = bindings
            channels = subscriber.channels
            seen = Array(repeating: false, count: subscriber.channels.count)
            reportedLost = seen.map { _ in 0 }
            lostByChannel = reportedLost
        }

        func run() {
            while subscriber.running.load(ordering: .acquiring) {
                // Without waiting first: observers are woken once per burst, when nothing more is waiting.
                if receiveOne(wait: false) { continue }
                wakeObservers()
                if !receiveOne(wait: true) { reportLostTotals() }
            }
            wakeObservers()
            subscriber.finished.signal()
        }

        /// Receives and delivers one message; false when none arrived (timeout, or nothing waiting).
        /// Both frames are read in place from two reused ZeroMQ messages: nothing is copied or allocated.
        func receiveOne(wait: Bool) -> Bool {
            do {
                guard try topic.receive(from: socket, dontWait: !wait) else { return false }
                guard topic.more else {
                    malformed(MarketDataDecodingError(field: "frames", reason: "one frame; expected topic + payload"), sample: topic.bytes)
                    return true
                }
                // The rest of a message is already queued once its first frame arrived.
                guard try payload.receive(from: socket) else { return false }
            } catch {
                subscriber.logger.error("market-data receive failed: \(error)")
                return false
            }
            if payload.more {
                socket.skipRemainingFrames()
                malformed(MarketDataDecodingError(field: "frames", reason: "more than two frames"), sample: topic.bytes)
                return true
            }
            do {
                let event = try decoder.decode(topic: topic.bytes, payload: payload.bytes, keys: &keys)
                guard keys.exchange == subscriber.exchange.id else {  // ids: `==` reads the names (RawRepresentable)
                    malformed(MarketDataDecodingError(field: "exchange", reason: "'\(event.exchange)' on an endpoint of \(subscriber.exchange)"), sample: topic.bytes)
                    return true
                }
                track(event)
                deliver(event)
            } catch {
                malformed(error, sample: topic.bytes)
            }
            return true
        }

        private func deliver(_ event: MarketEvent) {
            subscriber.receivedCount.store(subscriber.receivedCount.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
            for binding in bindings { binding.push(event, wake: false) }
            delivered = true
        }

        private func wakeObservers() {
            guard delivered else { return }
            delivered = false
            for binding in bindings { binding.wakeIfSleeping() }
        }

        /// Sequence continuity per channel and instrument.
        private func track(_ event: MarketEvent) {
            let channel = event.channel
            guard let slot = channels.firstIndex(of: channel) else { return }
            if !seen[slot] {
                seen[slot] = true
                subscriber.report(.connected, connection: subscriber.endpoints[slot], to: bindings)
            }
            let lost = sequences.record(keys.sequence, channel: slot, instrumentID: keys.instrument)
            guard lost > 0 else { return }
            subscriber.lostCount.store(subscriber.lostCount.load(ordering: .relaxed) &+ lost, ordering: .relaxed)
            lostByChannel[slot] += lost
            if case .book(let book) = event {
                subscriber.report(
                    .bookInvalid(instrument: book.instrument, reason: "gap: \(lost) book messages lost between publisher and subscriber"),
                    connection: subscriber.endpoints[slot], to: bindings)
            }
            // The first loss at once, then at every power of two; exact totals when the feed is quiet.
            let total = lostByChannel[slot]
            if reportedLost[slot] == 0 || total >= 2 * reportedLost[slot] {
                reportLost(slot)
            }
        }

        private func reportLost(_ slot: Int) {
            reportedLost[slot] = lostByChannel[slot]
            subscriber.report(
                .overflow(channel: subscriber.channels[slot], dropped: lostByChannel[slot]),
                connection: subscriber.endpoints[slot], to: bindings)
        }

        private func reportLostTotals() {
            for slot in lostByChannel.indices where lostByChannel[slot] > reportedLost[slot] { reportLost(slot) }
        }

        private func malformed(_ error: MarketDataDecodingError, sample: UnsafeRawBufferPointer) {
            let count = subscriber.malformedCount.load(ordering: .relaxed) &+ 1
            subscriber.malformedCount.store(count, ordering: .relaxed)
            let topic = String(decoding: sample.prefix(64), as: UTF8.self)
            if count == 1 {
                subscriber.logger.warning("malformed market-data message (topic '\(topic)'): \(error); later ones are counted")
            }
            if count & (count - 1) == 0 {  // 1, 2, 4, …: visible to observers without flooding them
                subscriber.report(.badFrames(count: count, sample: "topic '\(topic)': \(error)"), connection: "", to: bindings)
            }
        }
    }
}

/// The last `sequence` seen per (channel, instrument), and how many messages each new one says were lost.
/// Indexed by channel slot and instrument id (ids are small and dense): no hashing per message.
struct SequenceTracker {
    private var last: [[UInt64]] = []  // [channel][instrument id]; 0: none seen (sequences start at 1)

    /// Records `sequence`; returns how many messages were skipped since the previous one (0 for the first message
    /// of an instrument, and when the publisher restarted: a sequence not above the last one).
    mutating func record(_ sequence: UInt64, channel: Int, instrumentID: UInt32) -> Int {
        let id = Int(instrumentID)
        if channel >= last.count || id >= last[channel].count { grow(channel, id) }
        let previous = last[channel][id]
        last[channel][id] = sequence
        guard previous != 0, sequence > previous else { return 0 }
        return Int(clamping: sequence - previous - 1)
    }

    private mutating func grow(_ channel: Int, _ id: Int) {
        while last.count <= channel { last.append([]) }
        if last[channel].count <= id {
            last[channel].append(contentsOf: repeatElement(0, count: max(id + 1, 2 * last[channel].count) - last[channel].count))
        }
    }
}
