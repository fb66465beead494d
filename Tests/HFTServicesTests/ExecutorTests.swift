import Foundation
import HFTCore
import HFTIPC
@testable import HFTServices
import Synchronization
import Testing

/// The service executor: timers and commands run on the service's one thread; a slow service does not delay another.
@Suite struct ExecutorTests {
    actor Probe: Service {
        let context: ServiceContext
        var ticks: [Int64] = []
        var once = 0
        var threads = Set<UInt>()
        init(context: ServiceContext) { self.context = context }
        func record() {
            ticks.append(ServiceExecutor.now())
            threads.insert(UInt(bitPattern: Int(bitPattern: UInt(pthread_self()))))
        }
        func onSetup() -> Bool {
            every(.milliseconds(20)) { $0.record() }
            runOnce(after: .milliseconds(30)) { $0.once += 1 }
            return true
        }
        func snapshot() -> (Int, Int, Int) { (ticks.count, once, threads.count) }
    }

    static func context(_ name: String) throws -> ServiceContext {
        let directory = IPCDirectory(path: NSTemporaryDirectory() + "hft-svc-\(getpid())-\(name)")
        return ServiceContext(name: name, settings: ServiceSettings(), ipcCommand: try IPCCommandSystem(processID: name, directory: directory))
    }

    @Test func timersRunOnTheServiceThread() async throws {
        let context = try Self.context("timers")
        let probe = Probe(context: context)
        #expect(await probe.onSetup())
        let deadline = ContinuousClock.now + .seconds(30)
        while await probe.snapshot().0 < 5, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let (ticks, once, threads) = await probe.snapshot()
        #expect(ticks >= 5)
        #expect(once == 1)
        #expect(threads == 1)
        context.executor.cancelAllTimers()
        context.executor.shutdown()
    }

    @Test func aBlockedServiceDoesNotDelayAnother() async throws {
        let slow = try Self.context("slow")
        let fast = try Self.context("fast")
        let release = DispatchSemaphore(value: 0)
        slow.executor.execute { release.wait() }  // the slow service's thread is busy until released
        let ran = Atomic<Bool>(false)
        let done = DispatchSemaphore(value: 0)
        fast.executor.schedule(after: .milliseconds(1), repeating: nil) {
            ran.store(true, ordering: .releasing)
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 30) == .success)
        let didRun = ran.load(ordering: .acquiring)
        #expect(didRun)
        release.signal()
        slow.executor.shutdown()
        fast.executor.shutdown()
    }
}
