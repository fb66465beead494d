import CZeroMQ
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Fixed-size buffers lent to libzmq as zero-copy message payloads (`zmq_msg_init_data`) and reused once libzmq
/// is done with them: the last frame of each message a ``MarketDataPublisher`` sends.
///
/// Why: `zmq_send` copies every payload of more than 33 bytes into memory it `malloc`s on the sending thread, and
/// libzmq's I/O thread `free`s it after writing it to the socket. At market-data rates the two threads then contend
/// for the sending thread's glibc arena lock: on the pub/sub benchmark, 50 000–70 000 `futex` calls per 100 000
/// messages (none with the pool) and a quarter of the wall time. A slot of this pool goes back onto a lock-free
/// stack from libzmq's free callback instead; libzmq still allocates a 40-byte reference count per message, which
/// glibc serves from its lock-free fast bins.
///
/// - **Slots**: ``slotSize`` bytes each; longer payloads are not pooled (``send(_:_:)`` returns nil and the caller
///   sends a copy).
/// - **Memory**: grows in chunks of ``slotsPerChunk`` slots to the peak number of messages in flight (bounded by the
///   sockets' high-water marks) and is kept until ``retire(timeoutSeconds:)``, which frees it once libzmq has
///   returned every slot.
///
/// Thread and ownership rules: ``send(_:_:)``, ``slotCount`` and ``retire(timeoutSeconds:)`` from one thread at a time
/// (the one that owns the socket); libzmq calls the free callback on its own threads, which only push onto the
/// return stack. Call ``retire(timeoutSeconds:)`` once, after closing every socket the pool's slots were sent on.
final class ZMQPayloadPool: @unchecked Sendable {
    /// Bytes per slot: tickers and trades (about 100–200 bytes encoded) and small book updates fit.
    static let slotSize = 256
    static let slotsPerChunk = 256

    /// Free slots of the sending thread, linked through their first word.
    @exclusivity(unchecked) private var free: UnsafeMutableRawPointer?
    /// Slots libzmq is done with (a Treiber stack, linked through their first word): any thread pushes, the sending
    /// thread takes the whole stack at once, so there is no ABA problem.
    private let returned = Atomic<UInt>(0)
    @exclusivity(unchecked) private var chunks: [UnsafeMutableRawPointer] = []
    @exclusivity(unchecked) private var retired = false

    init() {}

    deinit {
        for chunk in chunks { chunk.deallocate() }
    }

    /// Slots allocated so far (in libzmq or free).
    var slotCount: Int { chunks.count * Self.slotsPerChunk }

    /// Sends `payload` as the last frame of a message on the socket `handle` (`ZMQ_DONTWAIT`) from a slot, with no
    /// further copy in libzmq. Nil when `payload` is longer than a slot (nothing was sent); otherwise what libzmq
    /// said. A refused message's slot comes back through the free callback.
    @inline(__always)
    func send(_ handle: UnsafeMutableRawPointer, _ payload: UnsafeRawBufferPointer) -> ZMQSocket.SendResult? {
        guard payload.count <= Self.slotSize, let source = payload.baseAddress else { return nil }
        let slot = take()
        slot.copyMemory(from: source, byteCount: payload.count)
        var message = zmq_msg_t()
        zmq_msg_init_data(&message, slot, payload.count, Self.giveBack, Unmanaged.passUnretained(self).toOpaque())
        if zmq_msg_send(&message, handle, ZMQ_DONTWAIT) >= 0 { return .sent }
        let error = zmq_errno()
        zmq_msg_close(&message)
        return error == EAGAIN ? .full : .failed(error)
    }

    /// libzmq's free callback (any of its threads): pushes the slot onto the return stack.
    private static let giveBack: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = { slot, hint in
        guard let slot, let hint else { return }
        Unmanaged<ZMQPayloadPool>.fromOpaque(hint).takeUnretainedValue().push(slot)
    }

    private func push(_ slot: UnsafeMutableRawPointer) {
        var head = returned.load(ordering: .relaxed)
        while true {
            slot.storeBytes(of: head, as: UInt.self)
            let (stored, current) = returned.compareExchange(
                expected: head, desired: UInt(bitPattern: slot), successOrdering: .releasing, failureOrdering: .relaxed)
            if stored { return }
            head = current
        }
    }

    @inline(__always)
    private func take() -> UnsafeMutableRawPointer {
        if free == nil { free = UnsafeMutableRawPointer(bitPattern: returned.exchange(0, ordering: .acquiring)) }
        guard let slot = free else { return grow() }
        free = UnsafeMutableRawPointer(bitPattern: slot.load(as: UInt.self))
        return slot
    }

    /// Allocates a chunk; returns its first slot and makes the others the free list.
    private func grow() -> UnsafeMutableRawPointer {
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: Self.slotsPerChunk * Self.slotSize, alignment: 64)
        chunks.append(chunk)
        for i in 1..<Self.slotsPerChunk {
            let next = i + 1 < Self.slotsPerChunk ? UInt(bitPattern: chunk + (i + 1) * Self.slotSize) : 0
            (chunk + i * Self.slotSize).storeBytes(of: next, as: UInt.self)
        }
        free = chunk + Self.slotSize
        return chunk
    }

    /// Waits until libzmq has returned every slot (closed sockets drop their queued messages promptly), then frees
    /// the memory. Returns false when `timeoutSeconds` passed first: the pool is then kept for the life of the
    /// process (libzmq may still write to or return its slots), never freed under libzmq.
    @discardableResult
    func retire(timeoutSeconds: Double = 2) -> Bool {
        guard !retired else { return true }
        retired = true
        let deadline = ContinuousClock.now + .seconds(timeoutSeconds)
        while true {
            var count = 0
            var returnedSlots = UnsafeMutableRawPointer(bitPattern: returned.exchange(0, ordering: .acquiring))
            while let slot = returnedSlots {  // append the returned slots to the free list
                returnedSlots = UnsafeMutableRawPointer(bitPattern: slot.load(as: UInt.self))
                slot.storeBytes(of: UInt(bitPattern: free), as: UInt.self)
                free = slot
            }
            var slot = free
            while let s = slot {
                count += 1
                slot = UnsafeMutableRawPointer(bitPattern: s.load(as: UInt.self))
            }
            if count == slotCount {
                for chunk in chunks { chunk.deallocate() }
                chunks = []
                free = nil
                return true
            }
            if ContinuousClock.now >= deadline {
                _ = Unmanaged.passRetained(self)  // deliberately never released: libzmq still holds slots
                return false
            }
            usleep(1_000)
        }
    }
}
