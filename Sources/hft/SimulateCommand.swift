import ArgumentParser
import Dispatch
import Foundation
import HFTCapture
import HFTSimulator

/// `hft simulate --capture <file.jsonl>`: a local exchange serving a recorded capture on loopback.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Serve a recorded capture as a local exchange (WebSocket server on 127.0.0.1) until Ctrl-C.",
        discussion: """
            Prints the URL to connect to (ws://127.0.0.1:PORT, or wss:// with --cert/--key) as the first line of \
            standard output, then the recorded connections on standard error. A client connection is served the \
            recorded connection whose URL or subscribe messages it matches, with the recorded pacing scaled by \
            --speed (or as fast as the socket takes frames with --max). Stops cleanly on SIGINT or SIGTERM.
            Faults (--fault, repeatable) at times after start: drop@10s (close every connection), stall@5s (send \
            nothing more), garbage@2s (a frame that is not JSON), oversized:1048576@3s (one frame of that many \
            bytes), refuse:5s@10s (close everything and refuse connections for 5 s).
            """)

    @Option(help: "The capture to serve (JSON lines, as `hft replay` reads).")
    var capture: String

    @Option(help: "Port on 127.0.0.1 (0: any free port; the URL printed says which).")
    var port = 0

    @Option(help: "Replay speed relative to the recording (2 = twice as fast). Default 1.")
    var speed: Double?

    @Flag(name: .customLong("max"), help: "Send frames as fast as the connection takes them.")
    var maxSpeed = false

    @Flag(help: "Start over at the end of the recording.")
    var loop = false

    @Option(help: "PEM certificate: serve wss:// (with --key).")
    var cert: String?

    @Option(help: "PEM private key of --cert.")
    var key: String?

    @Option(help: "Inject a fault at a time after start: KIND[:ARG]@TIME (see below). Repeatable.")
    var fault: [String] = []

    mutating func validate() throws {
        guard FileManager.default.isReadableFile(atPath: capture) else {
            throw ValidationError("--capture '\(capture)': no readable file there")
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535 (got \(port))") }
        if let speed {
            guard speed > 0, speed.isFinite else { throw ValidationError("--speed must be positive (got \(speed))") }
            if maxSpeed { throw ValidationError("--speed and --max exclude each other") }
        }
        switch (cert, key) {
        case (nil, nil): break
        case (let cert?, let key?):
            for (name, path) in [("--cert", cert), ("--key", key)] where !FileManager.default.isReadableFile(atPath: path) {
                throw ValidationError("\(name) '\(path)': no readable file there")
            }
        default:
            throw ValidationError("--cert and --key go together (a wss:// server needs both)")
        }
        _ = try FaultSchedule(fault)
    }

    /// The simulator's options from the command line.
    var simulatorOptions: ExchangeSimulator.Options {
        var options = ExchangeSimulator.Options()
        options.port = port
        options.speed = maxSpeed ? nil : (speed ?? 1)
        options.loop = loop
        options.certificatePath = cert
        options.privateKeyPath = key
        return options
    }

    func run() throws {
        Quiet.libraries()
        let schedule = try FaultSchedule(fault)
        let file: CaptureFile
        do {
            file = try CaptureFile(contentsOf: URL(fileURLWithPath: capture))
        } catch {
            throw CommandFailure("cannot read capture '\(capture)': \(error)")
        }
        let script = SimulatorScript(capture: file)
        guard !script.connections.isEmpty else {
            throw CommandFailure("capture '\(capture)' records no WebSocket connection: nothing to serve")
        }
        let simulator: ExchangeSimulator
        do {
            simulator = try ExchangeSimulator(script: script, options: simulatorOptions)
        } catch {
            throw CommandFailure("cannot serve on 127.0.0.1:\(port): \(error)")
        }
        print(simulator.baseURL)
        fflush(nil)  // the URL must reach a pipe reader now, not at exit
        var err = StandardError()
        let pace = simulatorOptions.speed.map { "\($0)x the recorded pace" } ?? "full speed"
        print("# serving \(capture) (\(file.exchange)) at \(pace)\(loop ? ", looping" : ""); stop with Ctrl-C", to: &err)
        for recorded in script.connections {
            let asks = recorded.subscriptions.isEmpty ? "URL \(recorded.pathAndQuery)" : "subscribe \(recorded.subscriptions.joined(separator: " "))"
            print("#   \(recorded.name): \(recorded.frames.count) frames for \(String(asks.prefix(300)))", to: &err)
        }
        let stopped = DispatchSemaphore(value: 0)
        Termination.install { _ in stopped.signal() }
        for entry in schedule.entries {
            DispatchQueue.global().asyncAfter(deadline: .now() + entry.at) {
                var err = StandardError()
                print("# fault at \(entry.at) s: \(entry.fault)", to: &err)
                simulator.inject(entry.fault)
            }
        }
        stopped.wait()
        simulator.stop()
        print("# stopped after serving \(simulator.sessionsServed) connection(s)", to: &err)
    }
}
