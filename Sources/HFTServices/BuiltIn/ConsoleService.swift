import Foundation
public import HFTCore

/// `console`: a live terminal table of the service's streams (``ConsoleTable``: best bid/ask, last trade,
/// messages/s, latency, health per symbol), redrawn every `interval_seconds` (default 1).
///
/// Settings: `mode` — `table` (redraws in place with ANSI escapes; the default when standard output is a terminal)
/// or `plain` (prints each snapshot as text lines after a `--- console` line: for logs, pipes and tests; the default
/// otherwise); `interval_seconds`.
public actor ConsoleService: Service {
    public static let settingKeys: Set<String> = ["mode", "interval_seconds"]

    public enum Mode: String, Sendable { case table, plain }

    public nonisolated let context: ServiceContext
    let mode: Mode
    let interval: Duration
    let intervalSeconds: Double
    private var table = ConsoleTable()
    private var snapshots = 0

    public init(context: ServiceContext) throws {
        self.context = context
        let settings = context.settings
        var issues: [ConfigurationError.Issue] = []
        if let text = settings["mode"] {
            guard let value = text.stringValue, let mode = Mode(rawValue: value) else {
                throw ConfigurationError(source: "service.\(context.name)", issues: [.init(path: "\(settings.path).mode", message: "expected \"table\" or \"plain\"")])
            }
            self.mode = mode
        } else {
            mode = isatty(STDOUT_FILENO) == 1 ? .table : .plain
        }
        intervalSeconds = settings["interval_seconds"]?.doubleValue ?? 1
        if !(intervalSeconds > 0) {
            issues.append(.init(path: "\(settings.path).interval_seconds", message: "expected a positive number of seconds"))
        }
        interval = .milliseconds(Int64((intervalSeconds * 1000).rounded()))
        guard issues.isEmpty else { throw ConfigurationError(source: "service.\(context.name)", issues: issues) }
    }

    public func onSetup() -> Bool {
        every(interval) { $0.draw() }
        return true
    }

    public func onTicker(_ ticker: Ticker) { table.apply(.ticker(ticker), now: .now()) }
    public func onTrade(_ trade: Trade) { table.apply(.trade(trade), now: .now()) }
    public func onBook(_ book: BookUpdate) { table.apply(.book(book), now: .now()) }
    public func onCandle(_ candle: Candle) { table.apply(.candle(candle), now: .now()) }
    public func onStreamHealth(_ event: HealthEvent) { table.apply(event) }

    public func onStop() {
        table.closeInterval(seconds: intervalSeconds)
        draw(final: true)
    }

    func draw(final: Bool = false) {
        if !final { table.closeInterval(seconds: intervalSeconds) }
        snapshots += 1
        let lines = table.render()
        let title = "--- console \(context.name): snapshot \(snapshots), \(table.rows.count) symbols, \(table.totalMessages) messages\(final ? " (final)" : "")"
        switch mode {
        case .plain:
            ServiceOutput.lines([title] + lines)
        case .table:
            // Home, clear screen, draw.
            ServiceOutput.lines(["\u{1B}[H\u{1B}[2J" + title] + lines + ["(Ctrl-C stops)"])
        }
    }
}
