public import HFTIPC
public import Logging

/// What the runtime gives a service: its identity, settings, thread and command system.
///
/// Thread safety: immutable after creation; every member may be used from any thread.
public final class ServiceContext: Sendable {
    /// `<name>` of `service.<name>`.
    public let name: String
    public let settings: ServiceSettings
    /// The service's thread (actor executor, stream drainer, timers).
    public let executor: ServiceExecutor
    /// The service's command system (process id `ipc_command_publisher`, else the service name). Started before
    /// ``Service/onSetup()``; connected to `ipc_command_subscribers` before ``Service/onStart()``.
    public let ipcCommand: IPCCommandSystem
    /// Label `hftkit.service`, with the service name as metadata.
    public let logger: Logger

    public init(name: String, settings: ServiceSettings, ipcCommand: IPCCommandSystem, executor: ServiceExecutor? = nil) {
        self.name = name
        self.settings = settings
        self.executor = executor ?? ServiceExecutor(name: name)
        self.ipcCommand = ipcCommand
        var logger = Logger(label: "hftkit.service")
        logger[metadataKey: "service"] = "\(name)"
        self.logger = logger
    }
}
