import ArgumentParser
import HFTCore
import HFTIPC
import HFTWebSocket

enum HFTVersion {
    static let current = "0.1.0"
}

/// `hft version`: versions of HFTKit and of the C libraries it runs on.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Print HFTKit's version and the linked libwebsockets and libzmq versions.")

    func run() {
        print("hftkit \(HFTVersion.current)")
        print("libwebsockets \(LibWebSockets.version)")
        print("libzmq \(ZMQ.version)")
    }
}

/// `hft decimal <text>...`: how HFTKit reads decimal text (canonical and exchange forms).
struct DecimalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decimal", abstract: "Parse decimal strings or JSON numbers exactly and print their forms.")

    @Argument(help: "Decimal texts such as 0.00001234, 6195.00000000, 1e-8, 5.5E+3.")
    var values: [String]

    func run() throws {
        var failed = false
        for text in values {
            do {
                let d = try ExactDecimal(text)
                print("\(text)\tcanonical=\(d)\tplain=\(d.plainText)\tmantissa=\(d.mantissa)\tscale=\(d.scale)")
            } catch {
                print("\(text)\terror: \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

/// `hft time <value>...`: how HFTKit reads timestamps.
struct TimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "time", abstract: "Convert RFC 3339 text or epoch numbers to nanosecond timestamps.")

    @Option(help: "Unit of integer inputs: s, ms, us, ns (decimal inputs are always seconds).")
    var unit: String = "ms"

    @Argument(help: "RFC 3339 texts (2026-08-09T21:05:48.228568804Z), integers or decimal seconds.")
    var values: [String]

    func run() throws {
        let units: [String: Timestamp.Unit] = ["s": .seconds, "ms": .milliseconds, "us": .microseconds, "ns": .nanoseconds]
        guard let integerUnit = units[unit] else {
            throw ValidationError("--unit must be one of s, ms, us, ns (got '\(unit)')")
        }
        var failed = false
        for text in values {
            var bytes = Array(text.utf8)
            let result: Result<Timestamp, TimestampError> = bytes.withUnsafeMutableBytes { raw in
                let buffer = UnsafeRawBufferPointer(raw)
                do throws(TimestampError) {
                    if text.contains("-") && text.count > 10 { return .success(try Timestamp(parsingRFC3339: buffer)) }
                    if text.contains(".") { return .success(try Timestamp(parsingDecimalSeconds: buffer)) }
                    return .success(try Timestamp(parsingInteger: buffer, unit: integerUnit))
                } catch {
                    return .failure(error)
                }
            }
            switch result {
            case .success(let t): print("\(text)\t\(t)\tns=\(t.nanosecondsSinceEpoch)")
            case .failure(let e):
                print("\(text)\terror: \(e)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

/// `hft instrument <name>...`: normalizes instrument notations.
struct InstrumentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instrument", abstract: "Normalize instrument names (BTC-USDT, btc/usdt, BTC-USD-22K27, …).")

    @Argument(help: "Instrument names.")
    var names: [String]

    func run() throws {
        var failed = false
        for name in names {
            do {
                let i = try Instrument(parsing: name)
                print("\(name)\t\(i)\tbase=\(i.base)\tquote=\(i.quote)\tkind=\(i.kind)")
            } catch {
                print("\(name)\terror: \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
