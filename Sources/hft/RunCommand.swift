import ArgumentParser
import HFTServices
import Logging

/// `hft run <config.json>`: runs the services of a configuration file until Ctrl-C / SIGTERM.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the services of a JSON configuration (streams, IPC commands, timers) until Ctrl-C.",
        discussion: """
            The configuration has one "service.<name>" entry per service: {"class_name": ..., "setting": {"apis", \
            "streams", "ipc_command_publisher", "ipc_command_subscribers", ...}} (docs/services.md). Built-in \
            classes: ConsoleService (live table), RecorderService (capture files), PublisherService (market data \
            over IPC), PingPongService. ${VAR} values come from the environment. An invalid configuration is \
            refused with every problem's key path; unknown keys are warned about. SIGINT or SIGTERM stops \
            gracefully: streams close, queued events are delivered, socket files are removed.
            Examples:
              hft run examples/pingpong/process_b.json & hft run examples/pingpong/process_a.json
              hft run examples/demo/console.json --seconds 20
            """)

    @Argument(help: "The configuration file (JSON).")
    var config: String

    @Option(help: "Stop gracefully after this many seconds.")
    var seconds: Double?

    @Flag(help: "Log informational messages (connections, subscriptions) to standard error.")
    var verbose = false

    mutating func validate() throws {
        if let seconds, !(seconds > 0 && seconds.isFinite) { throw ValidationError("--seconds must be positive (got \(seconds))") }
    }

    func run() async throws {
        if verbose { Quiet.verbose() } else { Quiet.libraries() }
        let status = await ServiceLauncher.run(configurationFile: config, seconds: seconds)
        if status != 0 { throw ExitCode(status) }
    }
}
