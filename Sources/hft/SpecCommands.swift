import ArgumentParser
import Foundation
import HFTCodegen
import HFTExchanges

/// `hft spec check <file>...`: validates exchange specs with the same compiler the build uses.
struct SpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec", abstract: "Work with exchange specs (specs/*.json).",
        subcommands: [Check.self, New.self, Generate.self])

    /// `hft spec new <name>`: a spec with every section present and explained.
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write specs/<name>.json with every section present and explained.")

        @Argument(help: "The exchange identifier (a-z, 0-9, _), also the file name.")
        var name: String

        @Option(help: "Folder to write into.")
        var directory = "specs"

        func run() throws {
            let path = "\(directory)/\(name).json"
            guard !FileManager.default.fileExists(atPath: path) else { throw ValidationError("\(path) exists; not overwriting it") }
            let text = SpecScaffold.render(exchange: name)
            do {
                _ = try SpecReader.read(file: path, text: text)
            } catch {
                throw ValidationError("'\(name)' cannot name a spec: \(error)")
            }
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            print("wrote \(path); check it with: hft spec check \(path)")
        }
    }

    /// `hft spec generate <file> --output <dir>`: the generated Swift, for reading and diffing.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the Swift generated from spec files into a folder, for reading and diffing.")

        @Argument(help: "Spec files.")
        var files: [String]

        @Option(help: "Output folder (created if missing).")
        var output = "generated"

        func run() throws {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            var specs: [ExchangeSpec] = []
            for file in files {
                let text = try String(contentsOfFile: file, encoding: .utf8)
                do {
                    specs.append(try SpecReader.read(file: file, text: text))
                } catch {
                    print(error.description)
                    throw ExitCode(1)
                }
            }
            for spec in specs {
                try AdapterRenderer(spec).render().write(toFile: "\(output)/\(spec.fileStem)+Adapter.swift", atomically: true, encoding: .utf8)
                try ConformanceRenderer(spec).render().write(toFile: "\(output)/\(spec.fileStem)+ConformanceTests.swift", atomically: true, encoding: .utf8)
            }
            try CatalogRenderer.render(specs).write(toFile: "\(output)/ExchangeCatalog+Generated.swift", atomically: true, encoding: .utf8)
            print("wrote \(specs.count * 2 + 1) files to \(output)/")
        }
    }

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
