import CZeroMQ
public import HFTCore
import SwiftProtobuf
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Publishes the events of one exchange and channel on a ZeroMQ PUB socket (an XPUB, to see subscriptions), for any number of subscribers in
/// other processes (Swift ``MarketDataSubscriber``s, Python `hftkit.market_data.Subscriber`s).
///
/// Wire: two frames per event, the topic (normalized instrument + one space: `BTC-USDT `) and the protobuf
/// `hftkit.marketdata.MarketEvent`, whose `sequence` counts per instrument from 1 (see docs/ipc.md).
///
/// Never blocks: the socket has a send high-water mark (``Options/sendHighWaterMark`` messages per subscriber)
/// and sends with `ZMQ_DONTWAIT`. Past the mark libzmq drops, per subscriber, what that subscriber cannot take:
/// a slow subscriber loses messages (and counts them from the sequence gaps), the others and the publisher go on.
/// libzmq does not tell a PUB socket about those drops; ``Statistics/dropped`` counts what the socket itself
/// refused.
///
/// Memory: payloads of up to 256 bytes (tickers, trades, small book updates) are lent to libzmq from a pool of
/// reused slots instead of being copied into memory libzmq allocates per message (``ZMQPayloadPool``: it avoids
/// malloc-lock contention with libzmq's I/O thread). The pool grows to the peak number of messages queued and is
/// freed by ``close()``.
///
/// Endpoint: ``MarketDataEndpoints`` (ipc:// by default, tcp:// from configuration). An `ipc://` socket file that
/// another live process is bound to is refused (``IPCError/fileSystem(path:detail:)``), a stale one of a dead
/// process is replaced; the file is made private (0600) and removed by ``close()``.
///
/// Thread and ownership rules: ``publish(_:)`` and ``close()`` from one thread at a time (a ZeroMQ socket is
/// single-threaded), typically an observer's consumer thread; ``statistics`` from any thread.
public final class MarketDataPublisher: @unchecked Sendable {
    public struct Options: Sendable {
        /// Messages queued per subscriber before libzmq drops for that subscriber (`ZMQ_SNDHWM`).
        public var sendHighWaterMark: Int32 = 100_000
        public init() {}
    }

    /// What the publisher did so far (each counter read atomically; not one instantaneous snapshot).
    public struct Statistics: Sendable, Hashable, CustomStringConvertible {
        /// Events handed to ZeroMQ.
        public var published: Int
        /// Events the socket refused (a full pipe or a send error): not sent to anyone.
        public var dropped: Int
        /// Events of another exchange or channel than the publisher's, not sent.
        public var rejected: Int
        /// Protobuf bytes handed to ZeroMQ (topics not included).
        public var bytes: Int

        public var description: String { "published \(published), dropped \(dropped), rejected \(rejected), \(bytes) bytes" }
    }

    public let exchange: ExchangeID
    public let channel: Channel
    /// The endpoint the socket is bound to.
    public let endpoint: String
    private let isTicker: Bool
    private let isTrade: Bool

    // The hot path's state: used by the publishing thread only (see the thread rules), so without the dynamic
    // exclusivity checks a class's `var`s otherwise get on every access.
    @exclusivity(unchecked) private var socket: ZMQSocket?
    /// `socket`'s libzmq handle while `socket` is open (nil once closed): what ``publish(_:)`` sends on.
    @exclusivity(unchecked) private var handle: UnsafeMutableRawPointer?
    private let exchangeName: String
    /// Per instrument id (nil: not seen yet): the topic frame, the encoded names and the last sequence number. A
    /// table of plain values (no reference counting per event); grown by ``learn(_:)``, freed by deinit.
    @exclusivity(unchecked) private var entries = UnsafeMutableBufferPointer<Entry?>(start: nil, count: 0)
    private let published = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)
    private let rejected = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)
    private let subscriptions = Atomic<Int>(0)
    @exclusivity(unchecked) private var sinceSubscriptionCheck = 0

    private struct Entry {
        /// The topic frame and the encoded fields 1 and 2 (``MarketDataEncoder/Names/prefix``), owned by the entry.
        let topic: UnsafeRawBufferPointer
        let prefix: UnsafeRawBufferPointer
        let names: MarketDataEncoder.Names
        var sequence: UInt64 = 0

        init(topic: [UInt8], names: MarketDataEncoder.Names) {
            self.topic = Self.copy(topic)
            prefix = Self.copy(names.prefix)
            self.names = names
        }

        static func copy(_ bytes: [UInt8]) -> UnsafeRawBufferPointer {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
            return UnsafeRawBufferPointer(rebasing: buffer[..<bytes.count])
        }

        func deallocate() {
            topic.deallocate()
            prefix.deallocate()
        }
    }
    /// Encodes into one buffer, reused for every event.
    private let encoder = MarketDataEncoder()
    /// The payload frames libzmq sends without copying them (see ``ZMQPayloadPool`` for why).
    private let payloads = ZMQPayloadPool()

    /// Binds the PUB socket of `exchange` and `channel` at `endpoint` (default: from `endpoints`).
    ///
    /// - Parameter context: the ZeroMQ context; publishers and subscribers of one process may share one.
    /// - Throws: ``IPCError`` when the IPC directory cannot be prepared, the socket file belongs to a live
    ///   publisher, or binding fails.
    public init(
        exchange: ExchangeID, channel: Channel, endpoint: String? = nil,
        endpoints: MarketDataEndpoints = MarketDataEndpoints(), context: ZMQContext? = nil, options: Options = Options()
    ) throws(IPCError) {
        self.exchange = exchange
        self.channel = channel
        self.exchangeName = exchange.rawValue
        isTicker = channel == .ticker
        isTrade = channel == .trade
        let endpoint = endpoint ?? endpoints.endpoint(exchange: exchange, channel: channel)
        self.endpoint = endpoint
        let file = MarketDataEndpoints.socketFile(endpoint)
        if file != nil, endpoint.hasPrefix("ipc://" + endpoints.directory.path + "/") { try endpoints.directory.prepare() }
        if let file { try SocketFile.claim(file) }
        do throws(ZMQError) {
            let ctx: ZMQContext
            if let context { ctx = context } else { ctx = try ZMQContext() }
            // XPUB: a PUB that also hands over its subscribers' subscriptions (waitForSubscribers).
            let socket = try ZMQSocket(ctx, .xpub)
            try socket.setOption(ZMQ_SNDHWM, options.sendHighWaterMark)
            try socket.setOption(ZMQ_XPUB_VERBOSE, 1)
            try socket.bind(endpoint)
            self.socket = socket
            handle = socket.handle
        } catch {
            throw .zmq(error, endpoint: endpoint)
        }
        if let file { chmod(file, 0o600) }
    }

    deinit {
        // Only a bound publisher owns its socket file (an init that threw must not remove a live one's).
        if socket != nil, let file = MarketDataEndpoints.socketFile(endpoint) { unlink(file) }
        socket = nil  // closed before the payload slots it may still hold are freed
        payloads.retire()
        for entry in entries { entry?.deallocate() }
        entries.deinitialize()
        entries.deallocate()
    }

    /// Sends `event` to the subscribers of its instrument. Never blocks; returns false when the event was not
    /// sent (counted in ``statistics``: `rejected` when it is of another exchange or channel, `dropped` otherwise).
    @discardableResult
    public func publish(_ event: MarketEvent) -> Bool {
        // One switch for the hot kinds (each of MarketEvent's accessors is a call that copies the event); ids, not
        // `==`: ExchangeID's `==` is RawRepresentable's, which reads both names from the intern table.
        switch event {
        case .ticker(let t):
            guard isTicker, let id = entry(t.exchange, t.instrument) else { return reject() }
            let entry = entries.baseAddress.unsafelyUnwrapped + id
            return send(encoder.encode(t, prefix: entry.pointee.unsafelyUnwrapped.prefix, sequence: entry.pointee.unsafelyUnwrapped.sequence, publishTime: .now()), id)
        case .trade(let t):
            guard isTrade, let id = entry(t.exchange, t.instrument) else { return reject() }
            let entry = entries.baseAddress.unsafelyUnwrapped + id
            return send(encoder.encode(t, prefix: entry.pointee.unsafelyUnwrapped.prefix, sequence: entry.pointee.unsafelyUnwrapped.sequence, publishTime: .now()), id)
        case .bookTop:
            // Book views are derived from the book updates: subscribers keep their own views.
            return reject()
        default:
            guard event.channel == channel, let id = entry(event.exchange, event.instrument) else { return reject() }
            let entry = entries[id].unsafelyUnwrapped
            return send(encoder.encode(event, names: entry.names, sequence: entry.sequence, publishTime: .now()), id)
        }
    }

    private func reject() -> Bool {
        Self.bump(rejected)
        return false
    }

    /// The index in ``entries`` of `instrument`, whose sequence number is advanced; nil for another exchange or a
    /// closed publisher.
    @inline(__always)
    private func entry(_ eventExchange: ExchangeID, _ instrument: Instrument) -> Int? {
        guard handle != nil, eventExchange.id == exchange.id else { return nil }
        let id = Int(instrument.id)
        if id >= entries.count || entries[id] == nil { learn(instrument) }
        entries[id]!.sequence &+= 1
        return id
    }

    @inline(__always)
    private func send(_ payload: UnsafeRawBufferPointer, _ id: Int) -> Bool {
        guard let handle else { return reject() }
        guard payload.count > 0 else {
            Self.bump(dropped)
            return false
        }
        let first = ZMQSocket.trySend(handle, entries[id].unsafelyUnwrapped.topic, more: true)
        guard first == .sent else {
            // Nothing of the message left: the next event of this instrument shows the gap to subscribers.
            Self.bump(dropped)
            return false
        }
        // Once the first frame is queued, ZeroMQ accepts the rest of the message.
        if payloads.send(handle, payload) == nil { _ = ZMQSocket.trySend(handle, payload) }
        Self.bump(published)
        bytes.store(bytes.load(ordering: .relaxed) &+ payload.count, ordering: .relaxed)
        sinceSubscriptionCheck &+= 1
        if sinceSubscriptionCheck >= 1024, let socket { readSubscriptions(socket) }
        return true
    }

    /// Topic subscriptions received from subscribers so far (each subscriber sends one per instrument it filters
    /// on, or one for everything), minus unsubscriptions. Any thread; updated on the publishing thread by
    /// ``waitForSubscribers(atLeast:timeoutSeconds:)`` and, every 1024 events, by ``publish(_:)``.
    public var subscriptionCount: Int { subscriptions.load(ordering: .relaxed) }

    /// Waits until at least `count` topic subscriptions arrived (ZeroMQ's subscriptions travel to the publisher
    /// after connecting: what is published before they arrive is not delivered to that subscriber). Publishing
    /// thread only. Returns false when `timeoutSeconds` passed first.
    public func waitForSubscribers(atLeast count: Int = 1, timeoutSeconds: Double) -> Bool {
        guard let socket else { return false }
        let deadline = Timestamp.now() + Int64(timeoutSeconds * 1e9)
        while true {
            readSubscriptions(socket)
            if subscriptions.load(ordering: .relaxed) >= count { return true }
            let left = deadline - Timestamp.now()
            if left <= 0 { return false }
            _ = socket.poll(milliseconds: Int(min(left / 1_000_000 + 1, 100)))
        }
    }

    /// Takes the subscription messages waiting on the XPUB socket (`1` + topic: subscribe, `0` + topic: unsubscribe).
    private func readSubscriptions(_ socket: ZMQSocket) {
        sinceSubscriptionCheck = 0
        var delta = 0
        while let change = try? socket.receiveFrame(dontWait: true, { bytes, _ in bytes.first == 1 ? 1 : (bytes.first == 0 ? -1 : 0) }) {
            delta += change
        }
        if delta != 0 { subscriptions.store(subscriptions.load(ordering: .relaxed) + delta, ordering: .relaxed) }
    }

    /// Closes the socket and removes its socket file. Later events are rejected. Returns once libzmq has dropped
    /// the messages still queued (at most 2 s), freeing their payload memory.
    public func close() {
        guard socket != nil else { return }
        socket = nil
        handle = nil
        if let file = MarketDataEndpoints.socketFile(endpoint) { unlink(file) }
        payloads.retire()
    }

    public var statistics: Statistics {
        Statistics(
            published: published.load(ordering: .relaxed), dropped: dropped.load(ordering: .relaxed),
            rejected: rejected.load(ordering: .relaxed), bytes: bytes.load(ordering: .relaxed))
    }

    private func learn(_ instrument: Instrument) {
        let id = Int(instrument.id)
        if id >= entries.count {
            let bigger = UnsafeMutableBufferPointer<Entry?>.allocate(capacity: max(id + 1, entries.count * 2, 16))
            bigger.initialize(repeating: nil)
            for (i, entry) in entries.enumerated() { bigger[i] = entry }
            entries.deinitialize()
            entries.deallocate()
            entries = bigger
        }
        let name = instrument.description
        entries[id] = Entry(
            topic: MarketDataTopic.bytes(name), names: MarketDataEncoder.Names(exchange: exchangeName, instrument: name))
    }

    /// Single writer: a relaxed load and store, no read-modify-write.
    @inline(__always)
    private static func bump(_ counter: borrowing Atomic<Int>) {
        counter.store(counter.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }
}

/// The topic frame: the normalized instrument and one space, so that `BTC-USDT ` does not match `BTC-USDT-PERP `.
public enum MarketDataTopic {
    /// The topic (and subscription prefix) of `instrument`.
    public static func bytes(_ instrument: String) -> [UInt8] { Array(instrument.utf8) + [UInt8(ascii: " ")] }
}

/// `ipc://` socket files: who owns them.
enum SocketFile {
    /// Refuses `path` when a live process accepts connections on it; removes it when it is stale (its process
    /// died without removing it), so that binding does not silently take over a running publisher.
    static func claim(_ path: String) throws(IPCError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw .fileSystem(path: path, detail: "exists and is not a socket; remove it")
        }
        if isLive(path) {
            throw .fileSystem(path: path, detail: "another live process publishes here; stop it or choose another endpoint")
        }
        unlink(path)
    }

    /// True when connecting to the Unix socket at `path` succeeds.
    static func isLive(_ path: String) -> Bool {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
            raw[path.utf8.count] = 0
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return rc == 0
    }
}
