import ArgumentParser
import Foundation
import HFTCodegen
import HFTExchanges

/// `hft spec check <file>...`: validates exchange specs with the same compiler the build uses.
struct SpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec", abstract: "Work with exchange specs (specs/*.json).", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate spec files; print every problem as file:line: error: path: message.")

        @Argument(help: "Spec files.")
        var files: [String]

        func run() throws {
            var failed = false
            for file in files {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                    print("\(file):1: error: $: cannot read the file")
                    failed = true
                    continue
                }
                do {
                    let spec = try SpecReader.read(file: file, text: text)
                    print("\(file): ok: \(spec.exchange) (\(spec.title))")
                } catch {
                    print(error.description)
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}

/// `hft exchanges`: the exchanges compiled into this build.
struct ExchangesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchanges", abstract: "List the exchanges compiled into this build (one per spec).")

    func run() {
        if ExchangeCatalog.all.isEmpty {
            print("no exchange specs compiled in (specs/ holds none yet)")
        }
        for d in ExchangeCatalog.all {
            print("\(d.id)\t\(d.title)\t\(d.specFile)")
        }
    }
}
