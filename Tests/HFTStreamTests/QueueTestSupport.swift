#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HFTCore
import HFTStream

/// A real OS thread for the producer (or a blocking consumer) side of queue tests: the stream's service thread
/// is not a task, so the tests hand events across threads the same way.
final class TestThread: Sendable {
    private let state = Shared<(done: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    /// Starts `body` on a new detached thread.
    init(_ body: @escaping @Sendable () -> Void) {
        let start = Unmanaged.passRetained(Start { [self] in
            body()
            finish()
        }).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let status = pthread_create(&thread, &attributes, { raw in
            Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, start)
        pthread_attr_destroy(&attributes)
        precondition(status == 0, "pthread_create failed: \(status)")
    }

    private func finish() {
        let waiter = state.update { s -> CheckedContinuation<Void, Never>? in
            s.done = true
            return s.waiter
        }
        waiter?.resume()
    }

    /// Waits, without blocking a cooperative thread, until the body has returned.
    func finished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.update { s -> Bool in
                if s.done { return true }
                s.waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    private final class Start {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
}

/// A one-shot latch a thread can block on (consumer threads held back until the test releases them).
final class Gate: Sendable {
    private let open = Shared(false)

    func release() { open.update { $0 = true } }

    var isOpen: Bool { open.value }

    /// Blocks the calling thread (never a task) until released.
    func waitBlocking() {
        while !isOpen { usleep(200) }
    }

    /// Waits in a task until released.
    func wait() async {
        while !isOpen { try? await Task.sleep(for: .microseconds(200)) }
    }
}

/// Events whose identity the tests can read back: a trade carries its sequence number in its trade id, a ticker
/// in its receive time.
enum TestEvents {
    static let binance = ExchangeID(rawValue: "binance")!
    static let okx = ExchangeID(rawValue: "okx")!
    static let btc = Instrument("BTC-USDT")!
    static let eth = Instrument("ETH-USDT")!
    static let sol = Instrument("SOL-USDT-PERP")!
    static let xrp = Instrument("XRP-USD")!

    static func trade(_ sequence: Int, instrument: Instrument = btc) -> MarketEvent {
        .trade(Trade(
            exchange: binance, instrument: instrument, price: ExactDecimal(64_000), size: ExactDecimal(1),
            side: sequence % 2 == 0 ? .buy : .sell, tradeID: .number(UInt64(sequence)),
            exchangeTime: nil, receiveTime: Timestamp(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)
        ))
    }

    static func ticker(_ sequence: Int, instrument: Instrument, exchange: ExchangeID = binance) -> MarketEvent {
        .ticker(Ticker(
            exchange: exchange, instrument: instrument, bidPrice: ExactDecimal(Int64(100 + sequence % 7)),
            bidSize: ExactDecimal(2), askPrice: ExactDecimal(Int64(101 + sequence % 7)), askSize: nil,
            exchangeTime: nil, receiveTime: Timestamp(nanosecondsSinceEpoch: Int64(sequence))
        ))
    }

    /// The sequence number a test event was made with.
    static func sequence(_ event: MarketEvent) -> Int {
        switch event {
        case .trade(let trade):
            guard case .number(let n) = trade.tradeID else { return -1 }
            return Int(n)
        case .ticker(let ticker):
            return Int(ticker.receiveTime.nanosecondsSinceEpoch)
        default:
            return -1
        }
    }

    /// A deterministic pseudo-random generator (SplitMix64), so that failures reproduce.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}

/// A value shared between a test and its threads, guarded by a POSIX mutex (which ThreadSanitizer sees, unlike
/// `Synchronization.Mutex` on Linux, so `swift test --sanitize=thread` reports only real races).
final class Shared<Value: Sendable>: @unchecked Sendable {
    private var storage: Value
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init(_ value: Value) {
        storage = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    var value: Value { update { $0 } }

    func update<R>(_ body: (inout Value) -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(&storage)
    }
}

/// What a consumer saw of a numbered stream: how many events, and the first one out of place.
struct Arrivals: Sendable {
    var count = 0
    var firstMismatch: (expected: Int, got: Int)?

    /// Records `event`, which should carry sequence number `count`.
    mutating func record(_ event: MarketEvent) {
        let got = TestEvents.sequence(event)
        if firstMismatch == nil, got != count { firstMismatch = (count, got) }
        count += 1
    }
}

extension EventQueue {
    /// A producer thread pushing trades 0..<count (with back-pressure), then closing the queue.
    func tradeProducer(count: Int) -> TestThread {
        TestThread {
            for n in 0..<count {
                guard self.pushWaiting(TestEvents.trade(n)) else { break }
            }
            self.close()
        }
    }

    /// The tests' producer back-pressure: retries while the queue is full. Gives up (false) when the consumer has
    /// taken nothing for 60 seconds (a consumer task may wait that long for a thread of a
    /// busy cooperative pool), so that a broken consumer fails its test instead of hanging the run.
    func pushWaiting(_ event: MarketEvent) -> Bool {
        var retries = 0
        var deadline: ContinuousClock.Instant?
        var delivered = 0
        while push(event) == .dropped {
            retries += 1
            if retries % 1024 == 0 {
                let now = ContinuousClock.now, seen = statistics.delivered
                if deadline == nil || seen != delivered {
                    deadline = now + .seconds(60)
                    delivered = seen
                } else if now > deadline! {
                    return false
                }
            }
            sched_yield()
        }
        return true
    }
}
