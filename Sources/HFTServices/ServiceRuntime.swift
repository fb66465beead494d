import Foundation
import HFTCore
public import HFTIPC
import HFTStream
public import Logging
import ServiceLifecycle
import Synchronization

/// Runs the services of a configuration in this process: for every `service.<name>` entry it makes the service
/// (through the ``ServiceRegistry``), its executor thread and command system, the streams of its `streams`
/// setting (a ``MarketStream`` per entry, or a market-data subscriber for `"source": "ipc"`) bound to the service,
/// and connects the command system to `ipc_command_subscribers`.
///
/// ``run(until:)`` starts everything, waits for SIGINT or SIGTERM (swift-service-lifecycle's `ServiceGroup`), then
/// shuts down gracefully: streams stop, the events they queued are delivered, `onStop` runs, command systems close
/// (their socket and lock files are removed) and the executor threads end.
///
/// Threading: `start`, `stop` and `run` are async and may be called from any task; call `start` once. `stop` is
/// idempotent.
public final class ServiceRuntime: Sendable {
    public let configuration: ServiceConfiguration
    public let directory: IPCDirectory
    private let registry: ServiceRegistry
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var hosts: [AnyServiceHost] = []
        var sources: [EventSource] = []
        var connects: [Task<Void, Never>] = []
        var started = false
        var stopped = false
    }

    public init(configuration: ServiceConfiguration, registry: ServiceRegistry = .shared, directory: IPCDirectory = .fromEnvironment(), logger: Logger = Logger(label: "hftkit.runtime")) {
        self.configuration = configuration
        self.registry = registry
        self.directory = directory
        self.logger = logger
    }

    /// The services made by ``start()``, by name (for embedding and tests).
    public func service(named name: String) -> (any Service)? {
        state.withLock { $0.hosts.first { $0.context.name == name } }?.anyService
    }

    /// Makes and starts everything (see the type's documentation). On failure, what was started is stopped again.
    /// - Throws: ``ServiceRuntimeError`` naming the service and what failed.
    public func start() async throws {
        let first = state.withLock { s -> Bool in
            defer { s.started = true }
            return !s.started
        }
        guard first else { return }
        do {
            try await startAll()
        } catch {
            await stop()
            throw error
        }
    }

    private func startAll() async throws {
        do {
            try directory.prepare()
        } catch {
            throw ServiceRuntimeError(service: nil, message: "\(error)")
        }
        for warning in configuration.warnings { logger.warning("configuration: \(warning)") }
        for entry in configuration.services {
            guard let type = registry.type(named: entry.className) else {
                throw ServiceRuntimeError(service: entry.name, message: "no service class '\(entry.className)' is registered")
            }
            let processID = entry.settings.ipcCommandPublisher ?? entry.name
            let commands: IPCCommandSystem
            do {
                commands = try IPCCommandSystem(processID: processID, directory: directory)
                try commands.start()
            } catch {
                throw ServiceRuntimeError(service: entry.name, message: "command system '\(processID)': \(error)")
            }
            let context = ServiceContext(name: entry.name, settings: entry.settings, ipcCommand: commands)
            let host: AnyServiceHost
            do {
                host = try Self.makeHost(type, context: context)
            } catch {
                commands.stop()
                context.executor.shutdown()
                throw ServiceRuntimeError(service: entry.name, message: "\(entry.className) refused its settings: \(error)")
            }
            state.withLock { $0.hosts.append(host) }
            await host.installHooks()
            guard await host.setup() else {
                throw ServiceRuntimeError(service: entry.name, message: "\(entry.className).onSetup() returned false")
            }
        }
        let hosts = state.withLock { $0.hosts }
        for host in hosts {
            for (index, setting) in host.context.settings.streams.enumerated() {
                let source = try makeSource(setting, index: index, host: host)
                state.withLock { $0.sources.append(source) }
                do {
                    try source.start()
                } catch {
                    throw ServiceRuntimeError(service: host.context.name, message: "\(host.context.settings.path).streams[\(index)]: cannot start: \(error)")
                }
            }
            for peer in host.context.settings.ipcCommandSubscribers {
                let commands = host.context.ipcCommand
                let logger = host.context.logger
                // ZeroMQ reconnects by itself: the subscription becomes live whenever the peer runs.
                let task = Task {
                    do {
                        try await commands.connect(toProcess: peer, timeout: 3600)
                        logger.info("command subscription to \(peer) is live")
                    } catch {
                        logger.warning("command subscription to \(peer): \(error)")
                    }
                }
                state.withLock { $0.connects.append(task) }
            }
        }
        for host in hosts { await host.start() }
    }

    private func makeSource(_ setting: StreamSetting, index: Int, host: AnyServiceHost) throws -> EventSource {
        let path = "\(host.context.settings.path).streams[\(index)]"
        switch setting.source {
        case .exchange:
            var options = MarketStream.Options()
            options.endpoint = setting.endpoint
            options.tls = setting.insecureTLS ? .insecureAllowSelfSigned : .full
            options.permessageDeflate = setting.permessageDeflate
            options.staleAfterSeconds = setting.staleAfterSeconds
            if let capacity = setting.queueCapacity { options.queueCapacity = capacity }
            options.rawFrameTap = host.rawFrameTap(for: setting, index: index)
            do {
                let stream = try MarketStream(exchange: setting.exchange, instruments: setting.instruments, channels: setting.channels, options: options)
                stream.bind(host.observer, book: setting.bookDepth.map { .updatesAndTop(depth: $0) } ?? .updates)
                return .stream(stream)
            } catch {
                throw ServiceRuntimeError(service: host.context.name, message: "\(path): \(error)")
            }
        case .ipc:
            var options = MarketDataSubscriber.Options()
            options.endpoints = MarketDataEndpoints(directory: directory)
            if let capacity = setting.queueCapacity { options.queueCapacity = capacity }
            do {
                let subscriber = try MarketDataSubscriber(exchange: setting.exchange, instruments: setting.instruments, channels: setting.channels, options: options)
                subscriber.bind(host.observer)
                return .ipc(subscriber)
            } catch {
                throw ServiceRuntimeError(service: host.context.name, message: "\(path): \(error)")
            }
        }
    }

    /// Graceful shutdown (see the type's documentation). Idempotent.
    public func stop() async {
        let taken = state.withLock { s -> State? in
            guard !s.stopped else { return nil }
            s.stopped = true
            return s
        }
        guard let taken else { return }
        for task in taken.connects { task.cancel() }
        for source in taken.sources { source.stop() }
        for host in taken.hosts {
            await host.drainAndStop()
            host.context.executor.cancelAllTimers()
        }
        for host in taken.hosts {
            host.context.ipcCommand.stop()
            host.context.executor.shutdown()
        }
    }

    /// Starts, runs until SIGINT or SIGTERM (or `deadline`, a duration from now), then stops gracefully.
    public func run(until deadline: Duration? = nil) async throws {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: LifecycleAdapter(runtime: self))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        let timer = deadline.map { deadline in
            Task {
                try? await Task.sleep(for: deadline)
                await group.triggerGracefulShutdown()
            }
        }
        defer { timer?.cancel() }
        try await group.run()
    }

    static func makeHost<S: Service>(_ type: S.Type, context: ServiceContext) throws -> AnyServiceHost {
        ServiceHost(service: try type.init(context: context))
    }
}

/// The runtime as a swift-service-lifecycle service: starts, waits for graceful shutdown, stops.
private struct LifecycleAdapter: ServiceLifecycle.Service {
    let runtime: ServiceRuntime
    func run() async throws {
        try await runtime.start()
        try? await gracefulShutdown()
        await runtime.stop()
    }
}

/// Where a service's events come from.
enum EventSource {
    case stream(MarketStream)
    case ipc(MarketDataSubscriber)

    func start() throws {
        switch self {
        case .stream(let s): try s.start()
        case .ipc(let s): try s.start()
        }
    }

    func stop() {
        switch self {
        case .stream(let s): s.stop()
        case .ipc(let s): s.stop()
        }
    }
}

/// A service could not be made or started.
public struct ServiceRuntimeError: Error, Sendable, CustomStringConvertible {
    /// The service's name (`service.<name>`), nil for the runtime itself.
    public let service: String?
    public let message: String
    public var description: String { service.map { "service.\($0): \(message)" } ?? message }
}
