import CZeroMQ
import Foundation
@testable import HFTIPC
import Testing

/// The zero-copy payload pool against real libzmq sockets: what arrives is what was sent, libzmq gives every slot
/// back (so slots are reused and the memory can be freed), and closing sockets with messages still queued returns
/// their slots too.
@Suite(.serialized) struct ZMQPayloadPoolTests {
    /// A 200-byte payload whose every byte depends on `i`.
    func payload(_ i: Int) -> [UInt8] { (0..<200).map { UInt8(truncatingIfNeeded: i &* 31 &+ $0 &* 7) } }

    /// A connected PUB/SUB pair over `endpoint`, the subscription live (probed with copied frames). A receive that
    /// waits 10 s gives nil, so a lost message fails its test instead of hanging the run.
    func pair(_ context: ZMQContext, _ endpoint: String) throws -> (pub: ZMQSocket, sub: ZMQSocket) {
        let pub = try ZMQSocket(context, .pub)
        try pub.setOption(ZMQ_SNDHWM, 100_000)
        try pub.bind(endpoint)
        let sub = try ZMQSocket(context, .sub)
        try sub.setOption(ZMQ_RCVHWM, 100_000)
        try sub.setReceiveTimeout(milliseconds: 10_000)
        try sub.subscribe([])
        try sub.connect(endpoint)
        var probe: UInt8 = 0
        var live = false
        for _ in 0..<3_000 where !live {
            try withUnsafeBytes(of: &probe) { try pub.send($0) }
            live = sub.poll(milliseconds: 10)
        }
        try #require(live, "the subscription never arrived")
        while (try sub.receiveFrame(dontWait: true, { bytes, _ in bytes.count })) != nil {}
        return (pub, sub)
    }

    @Test func whatArrivesIsWhatWasSentAndSlotsAreReused() throws {
        let context = try ZMQContext()
        var sockets: (pub: ZMQSocket, sub: ZMQSocket)? = try pair(context, "inproc://payload-pool-reuse")
        let (pub, sub) = sockets!
        let pool = ZMQPayloadPool()
        var sent = 0
        for _ in 0..<20 {  // rounds of 100 messages, each received (and its slot released) before the next round
            for _ in 0..<100 {
                let bytes = payload(sent)
                #expect(bytes.withUnsafeBytes { pool.send(pub.handle, $0) } == .sent)
                sent += 1
            }
            for i in sent - 100..<sent {
                let got = try sub.receiveFrame { bytes, _ in Array(bytes) }
                #expect(got == payload(i), "message \(i)")
            }
        }
        // 2 000 messages, at most 100 in flight: the slots came back and were reused (one chunk).
        #expect(pool.slotCount == ZMQPayloadPool.slotsPerChunk)
        sockets = nil
        #expect(pool.retire(timeoutSeconds: 5))
    }

    @Test func aPayloadLongerThanASlotIsNotPooled() throws {
        let context = try ZMQContext()
        let (pub, _) = try pair(context, "inproc://payload-pool-long")
        let pool = ZMQPayloadPool()
        let long = [UInt8](repeating: 1, count: ZMQPayloadPool.slotSize + 1)
        #expect(long.withUnsafeBytes { pool.send(pub.handle, $0) } == nil)
        #expect(pool.slotCount == 0)
        #expect(pool.retire())
    }

    @Test func closingSocketsWithQueuedMessagesReturnsTheirSlots() throws {
        let directory = IPCDirectory(path: NSTemporaryDirectory() + "hftkit-pool-\(getpid())")
        try directory.prepare()
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        let context = try ZMQContext()
        var sockets: (pub: ZMQSocket, sub: ZMQSocket)? = try pair(context, "ipc://\(directory.path)/pool.ipc")
        let pool = ZMQPayloadPool()
        for i in 0..<5_000 {  // never received: queued in libzmq (the pipes and the SUB's socket buffer)
            let bytes = payload(i)
            #expect(bytes.withUnsafeBytes { pool.send(sockets!.pub.handle, $0) } == .sent)
        }
        #expect(pool.slotCount >= ZMQPayloadPool.slotsPerChunk)
        sockets = nil  // zmq_close with linger 0: libzmq drops what is queued and frees (returns) it
        #expect(pool.retire(timeoutSeconds: 10))
        #expect(pool.slotCount == 0)
    }
}
