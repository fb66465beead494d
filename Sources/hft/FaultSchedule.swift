import ArgumentParser
import HFTCore
import HFTSimulator

/// Faults `hft simulate` injects at given times, parsed from `--fault KIND[:ARG]@TIME` options. Pure value.
///
/// Kinds: `drop` (close every connection), `stall` (send nothing more), `garbage` (one frame that is not JSON),
/// `oversized:BYTES` (one frame of that size), `refuse:SECONDS` (drop everything and refuse new connections for
/// that long), `drop-delta:SYMBOL` / `corrupt-checksum:SYMBOL` (the next book delta of that instrument is not sent,
/// or is sent with a wrong checksum). TIME is seconds after start, with an optional unit: `10`, `10s`, `500ms`.
struct FaultSchedule: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        /// Seconds after the simulator starts.
        let at: Double
        let fault: ExchangeSimulator.Fault
    }

    /// Sorted by time.
    let entries: [Entry]

    static let syntax = "KIND[:ARG]@TIME with KIND drop, stall, garbage, oversized:BYTES, refuse:SECONDS, drop-delta:SYMBOL or corrupt-checksum:SYMBOL, and TIME like 10s or 500ms"

    init(_ texts: [String]) throws(ValidationError) {
        var entries: [Entry] = []
        for text in texts { entries.append(try Self.entry(text)) }
        self.entries = entries.sorted { $0.at < $1.at }
    }

    static func entry(_ text: String) throws(ValidationError) -> Entry {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw ValidationError("--fault '\(text)': expected \(syntax)") }
        guard let at = seconds(parts[1]) else {
            throw ValidationError("--fault '\(text)': '\(parts[1])' is not a time (expected 10s, 2.5s or 500ms)")
        }
        let kind = parts[0].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(kind[0])
        let argument = kind.count > 1 ? String(kind[1]) : nil
        let fault: ExchangeSimulator.Fault
        switch (name, argument) {
        case ("drop", nil): fault = .dropConnections
        case ("stall", nil): fault = .stall
        case ("garbage", nil): fault = .garbage
        case ("oversized", let bytes?):
            guard let n = Int(bytes), n > 0 else { throw ValidationError("--fault '\(text)': oversized needs a byte count, e.g. oversized:1048576@5s") }
            fault = .oversized(bytes: n)
        case ("refuse", let duration?):
            guard let s = seconds(Substring(duration)) else { throw ValidationError("--fault '\(text)': refuse needs a duration, e.g. refuse:5s@10s") }
            fault = .refuseConnections(seconds: s)
        case ("drop-delta", let symbol?), ("corrupt-checksum", let symbol?):
            guard let instrument = Instrument(symbol) else {
                throw ValidationError("--fault '\(text)': '\(symbol)' is not a normalized symbol (BTC-USDT, BTC-USDT-PERP)")
            }
            fault = .bookDelta(name == "drop-delta" ? .drop : .corruptChecksum, instrument: instrument)
        case ("drop-delta", nil), ("corrupt-checksum", nil):
            throw ValidationError("--fault '\(text)': \(name) needs a symbol, e.g. \(name):BTC-USDT@5s")
        case ("drop", _), ("stall", _), ("garbage", _):
            throw ValidationError("--fault '\(text)': \(name) takes no argument")
        case ("oversized", nil), ("refuse", nil):
            throw ValidationError("--fault '\(text)': \(name) needs an argument (\(syntax))")
        default:
            throw ValidationError("--fault '\(text)': unknown fault '\(name)'; known: drop, stall, garbage, oversized, refuse, drop-delta, corrupt-checksum")
        }
        return Entry(at: at, fault: fault)
    }

    /// `10`, `10s`, `2.5s`, `500ms` → seconds (not negative).
    static func seconds(_ text: Substring) -> Double? {
        var number = text
        var scale = 1.0
        if number.hasSuffix("ms") {
            number = number.dropLast(2)
            scale = 0.001
        } else if number.hasSuffix("s") {
            number = number.dropLast()
        }
        guard let value = Double(number), value >= 0, value.isFinite else { return nil }
        return value * scale
    }
}
