// Market-data pub/sub throughput over ipc:// with protobuf tickers, against a C libzmq PUB/SUB baseline moving
// two-frame messages of exactly the same sizes with no encoding (Benchmarks/CPubSubBaseline), in the same run:
// - "socket and codec" (the like-for-like row, the target): the same threads as the C pair — a sender
//   thread running MarketDataPublisher.publish (encode + send) and the calling thread receiving both frames of each
//   message from a SUB socket and decoding it into a MarketEvent with MarketDataDecoder, as the subscriber does;
// - "end to end": MarketDataPublisher → MarketDataSubscriber (receive thread: decode, sequence check) → the
//   observer's queue → its consumer thread: one more thread and a queue hand-off than the C pair;
// - a reference row (the same XPUB/SUB pair driven from Swift with fixed bytes, no codec) and the codec alone
//   ("pubsub codec", one thread), which together say where the like-for-like row's time goes;
// - a reference C row sending its payloads zero-copy from a pool, as MarketDataPublisher does (ZMQPayloadPool): the
//   publisher avoids libzmq's per-message malloc on the sending thread, whose arena lock the I/O thread's frees
//   contend for; this row says how much of the target row's standing is that technique.
// Both Swift pub/sub rows use one ZeroMQ context (one I/O thread) for both sides, as the C pair does.
// One iteration publishes `eventsPerIteration` tickers from a freshly started publisher thread and ends when the
// receiving side has all of them. High-water marks are above the iteration size on both sides, so nothing is
// dropped (each variant checks it received everything). The publishing thread builds each ticker as it publishes
// it (an adapter hands over events it just parsed), as the C sender writes its counter into each payload: neither
// side reads its messages from a table in memory (100 000 events of 177 bytes would be 17.7 MB, out of cache).
// The pyzmq figure (Python publisher process → Python subscriber process, protobuf) comes from
// scripts/pyzmq-pubsub-baseline.py, in the same `make bench` run.
import Benchmark
import CPubSubBaseline
import Foundation
import HFTCore
import HFTIPC
import HFTStream
import Synchronization

let eventsPerIteration = 100_000
let highWaterMark: Int32 = 1_000_000

let binance = ExchangeID(rawValue: "binance")!
let btc = Instrument("BTC-USDT")!

/// A Binance bookTicker as the adapter emits it.
func ticker(_ i: Int) -> MarketEvent {
    .ticker(Ticker(
        exchange: binance, instrument: btc,
        bidPrice: ExactDecimal(mantissa64: 6_400_001_000_000 + Int64(i % 1000), scale: 8), bidSize: ExactDecimal(mantissa64: 123_456_000, scale: 8),
        askPrice: ExactDecimal(mantissa64: 6_400_002_000_000, scale: 8), askSize: ExactDecimal(mantissa64: 50_000_000, scale: 8),
        exchangeTime: Timestamp(nanosecondsSinceEpoch: 1_700_000_000_000_000_000 + Int64(i)),
        receiveTime: Timestamp(nanosecondsSinceEpoch: 1_700_000_000_000_100_000 + Int64(i))))
}

/// Counts events and wakes the benchmark when the target is reached.
final class CountingObserver: StreamObserver, @unchecked Sendable {
    let received = Atomic<Int>(0)
    let target = Atomic<Int>(Int.max)
    let reached = DispatchSemaphore(value: 0)
    func onEvent(_ event: MarketEvent) {
        let n = received.add(1, ordering: .relaxed).newValue
        if n == target.load(ordering: .relaxed) { reached.signal() }
    }
    func onHealth(_ event: HealthEvent) {}
}

/// Signalled by each iteration's publishing thread when it is done with the publisher.
let publisherDone = DispatchSemaphore(value: 0)

let directory = IPCDirectory(path: "/tmp/hftkit-bench-\(getpid())")

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 100
    )
    let n = eventsPerIteration
    let sample = ticker(0)
    let topic = MarketDataWire.topic(of: sample)
    let payloadSize = MarketDataWire.payload(of: sample, sequence: UInt64(n)).count

    Benchmark("pubsub throughput: MarketDataPublisher to MarketDataDecoder, socket and codec like C (per \(n) events)") { benchmark in
        try! directory.prepare()
        let endpoints = MarketDataEndpoints(directory: directory)
        var pubOptions = MarketDataPublisher.Options()
        pubOptions.sendHighWaterMark = highWaterMark
        // One context (one libzmq I/O thread) for both sockets, as the C pair.
        let context = try! ZMQContext()
        let publisher = try! MarketDataPublisher(
            exchange: binance, channel: .ticker, endpoints: endpoints, context: context, options: pubOptions)
        let socket = try! ZMQSocket(context, .sub)
        try! socket.setOption(24, highWaterMark)  // ZMQ_RCVHWM (zmq.h)
        try! socket.setReceiveTimeout(milliseconds: 5_000)  // a lost message ends the run instead of hanging it
        try! socket.subscribe(topic)
        try! socket.connect(publisher.endpoint)
        precondition(publisher.waitForSubscribers(timeoutSeconds: 30))
        let publisherBox = UncheckedBox(publisher)
        let topicFrame = ZMQFrame()
        let payloadFrame = ZMQFrame()
        var decoder = MarketDataDecoder()
        var checksum: Int64 = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let thread = Thread {
                for i in 0..<n { publisherBox.value.publish(ticker(i)) }
                publisherDone.signal()
            }
            thread.start()
            for i in 0..<n {
                guard try! topicFrame.receive(from: socket), try! payloadFrame.receive(from: socket) else {
                    fatalError("received \(i) of \(n)")
                }
                guard case .ticker(let t) = try! decoder.decode(topic: topicFrame.bytes, payload: payloadFrame.bytes).event else {
                    fatalError("not a ticker")
                }
                checksum &+= t.receiveTime.nanosecondsSinceEpoch
            }
            publisherDone.wait()  // as C joins its sender: the publisher is used by one thread at a time
        }
        benchmark.stopMeasurement()
        blackHole(checksum)
        publisher.close()
    }

    Benchmark("pubsub throughput: MarketDataPublisher to MarketDataSubscriber observer, end to end (per \(n) events)") { benchmark in
        try! directory.prepare()
        let endpoints = MarketDataEndpoints(directory: directory)
        var pubOptions = MarketDataPublisher.Options()
        pubOptions.sendHighWaterMark = highWaterMark
        let context = try! ZMQContext()  // one I/O thread, as the C pair
        let publisher = try! MarketDataPublisher(
            exchange: binance, channel: .ticker, endpoints: endpoints, context: context, options: pubOptions)
        var options = MarketDataSubscriber.Options()
        options.endpoints = endpoints
        options.receiveHighWaterMark = highWaterMark
        options.queueCapacity = n * 2
        let subscriber = try! MarketDataSubscriber(
            exchange: binance, instruments: [btc], channels: [.ticker], context: context, options: options)
        let observer = CountingObserver()
        subscriber.bind(observer)
        try! subscriber.start()
        precondition(publisher.waitForSubscribers(timeoutSeconds: 30))
        let publisherBox = UncheckedBox(publisher)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let start = observer.received.load(ordering: .relaxed)
            observer.target.store(start + n, ordering: .relaxed)
            let thread = Thread {
                for i in 0..<n { publisherBox.value.publish(ticker(i)) }
                publisherDone.signal()
            }
            thread.start()
            if observer.reached.wait(timeout: .now() + 30) == .timedOut {
                fatalError("received \(observer.received.load(ordering: .relaxed) - start) of \(n): \(subscriber.statistics)")
            }
            publisherDone.wait()
        }
        benchmark.stopMeasurement()
        subscriber.stop()
        publisher.close()
    }


    // A reference, not a target: the like-for-like row without HFTKit's publisher and codec — the same XPUB and SUB
    // sockets driven from Swift with fixed bytes (the C pair's work through ZMQSocket and ZMQFrame). The like-for-like
    // row minus this one is what encoding, decoding and the publisher's bookkeeping cost.
    Benchmark("pubsub throughput: reference Swift ZMQSocket XPUB to SUB, same frames, no codec (per \(n) events)") { benchmark in
        try! directory.prepare()
        let context = try! ZMQContext()
        let pub = try! ZMQSocket(context, .xpub)
        try! pub.setOption(23, highWaterMark)  // ZMQ_SNDHWM
        try! pub.setOption(40, 1)  // ZMQ_XPUB_VERBOSE, as MarketDataPublisher
        let endpoint = directory.marketDataEndpoint(exchange: "reference", channel: "ticker")
        try! pub.bind(endpoint)
        let socket = try! ZMQSocket(context, .sub)
        try! socket.setOption(24, highWaterMark)
        try! socket.setReceiveTimeout(milliseconds: 5_000)
        try! socket.subscribe(topic)
        try! socket.connect(endpoint)
        let payload = MarketDataWire.payload(of: sample, sequence: UInt64(n))
        let box = UncheckedBox(pub)
        let topicFrame = ZMQFrame()
        let payloadFrame = ZMQFrame()
        while true {  // the slow joiner: probe until a message arrives, then drain
            payload.withUnsafeBytes { p in topic.withUnsafeBytes { t in _ = box.value.trySend(t, more: true); _ = box.value.trySend(p) } }
            if socket.poll(milliseconds: 10) { break }
        }
        while (try? topicFrame.receive(from: socket, dontWait: true)) == true {}
        var checksum = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let thread = Thread {
                var payload = payload
                payload.withUnsafeMutableBytes { p in topic.withUnsafeBytes { t in
                    for i in 0..<n {
                        p.storeBytes(of: i, as: Int.self)
                        _ = box.value.trySend(t, more: true)
                        _ = box.value.trySend(UnsafeRawBufferPointer(p))
                    }
                } }
                publisherDone.signal()
            }
            thread.start()
            for i in 0..<n {
                guard try! topicFrame.receive(from: socket), try! payloadFrame.receive(from: socket) else { fatalError("received \(i) of \(n)") }
                checksum &+= Int(payloadFrame.bytes[0])
            }
            publisherDone.wait()
        }
        benchmark.stopMeasurement()
        blackHole(checksum)
    }

    // The codec alone, one thread: what the like-for-like row adds to the C pair's work per event.
    Benchmark("pubsub codec: MarketDataEncoder then MarketDataDecoder, ticker (per \(n) events)") { benchmark in
        let encoder = MarketDataEncoder()
        let names = MarketDataEncoder.Names(exchange: "binance", instrument: "BTC-USDT")
        var decoder = MarketDataDecoder()
        var checksum: Int64 = 0
        topic.withUnsafeBytes { t in
            _ = try! decoder.decode(topic: t, payload: encoder.encode(ticker(0), names: names, sequence: 1, publishTime: .now()))
        }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            topic.withUnsafeBytes { t in
                for i in 0..<n {
                    let bytes = encoder.encode(ticker(i), names: names, sequence: UInt64(i + 1), publishTime: Timestamp(nanosecondsSinceEpoch: 1))
                    guard case .ticker(let e) = try! decoder.decode(topic: t, payload: bytes).event else { fatalError() }
                    checksum &+= e.receiveTime.nanosecondsSinceEpoch
                }
            }
        }
        benchmark.stopMeasurement()
        blackHole(checksum)
    }

    /// The C pair (`run`: plain or pooled payloads) over its own socket file.
    func cPair(_ name: String, exchange: String, _ run: @escaping @Sendable (OpaquePointer, Int64) -> Int64) {
        Benchmark("pubsub throughput: \(name) (per \(n) events)") { benchmark in
            try! directory.prepare()
            let endpoint = directory.marketDataEndpoint(exchange: exchange, channel: "ticker")
            let topicText = String(decoding: topic, as: UTF8.self)
            guard let p = cpubsub_open(endpoint, topicText, payloadSize, highWaterMark) else { fatalError("cpubsub_open") }
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let got = run(p, Int64(n))
                precondition(got == n, "\(name): received \(got) of \(n)")
            }
            benchmark.stopMeasurement()
            cpubsub_close(p)
        }
    }
    cPair("baseline C libzmq PUB/SUB, same frame sizes", exchange: "cbaseline") { cpubsub_run($0, $1) }
    // A reference, not a target: the C pair with MarketDataPublisher's zero-copy payloads (slots of a pool lent to
    // libzmq, returned by its free callback: ZMQPayloadPool), which says how much of the like-for-like row's lead over
    // the C baseline is that technique rather than HFTKit's code.
    cPair("reference C libzmq PUB/SUB, same frame sizes, zero-copy payloads from a pool", exchange: "cpooled") {
        cpubsub_run_pooled($0, $1)
    }
}

/// Hands the publisher (single-thread use, one iteration at a time) to the iteration's publishing thread.
final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
