import ArgumentParser
import Dispatch
import Foundation
import HFTCore
import HFTStream
import HFTWebSocket
import Logging

/// `hft stream <exchange> <symbols...>`: live normalized events through a `MarketStream` and one observer.
struct StreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Stream live normalized market events from an exchange (or the local simulator).",
        discussion: """
            Events go to standard output as JSON lines (docs/replay-format.md) or a compact table; connection \
            health (connecting, connected, subscribed, disconnected, stale, overflow, …) goes to standard error \
            as '# health' lines. Runs until Ctrl-C, --count events or --seconds, whichever comes first; exits \
            with status 1 when --count events did not arrive in time.
            Against the simulator: hft stream binance NKN-USDT BLZ-ETH LRC-BTC RUNE-EUR \
            --channels l2_book,ticker,candles,trade --endpoint ws://127.0.0.1:PORT
            """)

    @Argument(help: "The exchange (see `hft exchanges`).")
    var exchange: String

    @Argument(help: "Instruments in the normalized notation: BTC-USDT, BTC-USDT-PERP, BTC-USD-22K27.")
    var symbols: [String] = []

    @Option(help: "Comma-separated channels: ticker, trade, l2_book, candles, … (what the exchange's spec serves).")
    var channels = "ticker,trade,l2_book"

    @Option(help: "Connect here instead of the exchange (ws://127.0.0.1:PORT for `hft simulate`); the spec's paths are kept.")
    var endpoint: String?

    @Flag(name: .customLong("insecure-tls"), help: "Accept self-signed certificates and any host name (local testing only).")
    var insecureTLS = false

    @Flag(inversion: .prefixedNo, help: "Offer (or never offer) permessage-deflate; default: as the spec says.")
    var permessageDeflate: Bool?

    @Flag(help: "With l2_book: print the maintained book's state (valid, best bid/ask, levels; kind book_state) after every book update, as `hft replay --books` does, next to the updates.")
    var books = false

    @Option(help: "With l2_book: print only the maintained book's state with its top N levels per side after every update (implies --books, without the updates).")
    var bookDepth: Int?

    @Option(help: "Output format: json (one event per line) or table.")
    var format: EventPrinter.Format = .json

    @Option(help: "Stop after this many events.")
    var count: Int?

    @Option(help: "Stop after this many seconds.")
    var seconds: Double?

    mutating func validate() throws {
        _ = try StreamRequest(exchange: exchange, symbols: symbols, channels: channels)
        if let endpoint, WebSocketURL(endpoint) == nil {
            throw ValidationError("--endpoint '\(endpoint)' is not a ws:// or wss:// URL (e.g. ws://127.0.0.1:9000)")
        }
        if let count, count <= 0 { throw ValidationError("--count must be positive (got \(count))") }
        if let bookDepth, bookDepth <= 0 { throw ValidationError("--book-depth must be positive (got \(bookDepth))") }
        if let seconds, !(seconds > 0 && seconds.isFinite) { throw ValidationError("--seconds must be positive (got \(seconds))") }
    }

    func run() throws {
        Quiet.libraries()
        let request = try StreamRequest(exchange: exchange, symbols: symbols, channels: channels)
        var options = MarketStream.Options()
        options.endpoint = endpoint
        options.tls = insecureTLS ? .insecureAllowSelfSigned : .full
        options.permessageDeflate = permessageDeflate
        let stream: MarketStream
        do {
            stream = try MarketStream(exchange: request.exchange, instruments: request.instruments, channels: request.channels, options: options)
        } catch {
            throw CommandFailure("\(error)")
        }
        let finished = DispatchSemaphore(value: 0)
        let printer = EventPrinter(format: format, limit: count) { finished.signal() }
        stream.bind(printer, book: bookDepth.map { .top(depth: $0) } ?? (books ? .updatesAndTop(depth: 1) : .updates))
        Termination.install { _ in finished.signal() }
        if format == .table { print(TableFormat.header) }
        let started = ContinuousClock.now
        do {
            try stream.start()
        } catch {
            throw CommandFailure("\(error)")
        }
        _ = finished.wait(timeout: seconds.map { .now() + $0 } ?? .distantFuture)
        stream.stop()
        let elapsed = ContinuousClock.now - started
        var err = StandardError()
        let secondsTaken = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("# \(request.exchange.rawValue): \(printer.printed) events in \(String(format: "%.1f", secondsTaken)) s", to: &err)
        if let count, printer.printed < count {
            print("error: \(printer.printed) of \(count) events arrived", to: &err)
            throw ExitCode(1)
        }
    }
}

/// A command failed for a reason that is not a usage mistake: ArgumentParser prints `Error: <description>` and
/// exits with status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Library logging a command-line tool does not want on its standard error.
enum Quiet {
    /// libwebsockets: errors and warnings only (not its start-up notices); swift-log: warnings and worse (the
    /// stream's health events are printed by the command itself).
    /// Idempotent (swift-log may be bootstrapped only once per process).
    static func libraries() { _ = configured }

    /// Like ``libraries()`` with swift-log at `info` (`hft run --verbose`). Call one of the two, once.
    static func verbose() { _ = configuredVerbose }

    private static let configuredVerbose: Void = {
        LibWebSockets.setLogLevels(1 | 2)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
    }()

    private static let configured: Void = {
        LibWebSockets.setLogLevels(1 | 2)  // LLL_ERR | LLL_WARN
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
    }()
}
