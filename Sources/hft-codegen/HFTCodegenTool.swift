import ArgumentParser
import Foundation
import HFTCodegen

/// `hft-codegen`: the spec compiler, run by the ExchangeSpecPlugin during `swift build`.
/// Diagnostics go to stderr as `file:line: error: path: message`; any error fails the build.
@main
struct HFTCodegenTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hft-codegen",
        abstract: "Compile exchange specs (specs/*.json) into Swift.",
        subcommands: [Adapter.self, Conformance.self, Catalog.self, Check.self]
    )

    /// The options every generating subcommand takes.
    struct Output: ParsableArguments {
        @Option(help: "The Swift file to write.")
        var output: String

        @Option(help: "Directory that spec paths in diagnostics are relative to.")
        var packageRoot: String?

        /// Compiles `specs` and writes what `render` makes of them (only when the text changed).
        func write(_ specs: [String], _ render: ([ExchangeSpec]) -> String) throws {
            try writeIfChanged(render(try compileAll(specs, relativeTo: packageRoot)), to: output)
        }
    }

    /// Writes the exchange catalog for the given specs.
    struct Catalog: ParsableCommand {
        @OptionGroup var output: Output
        @Argument(help: "Spec files.") var specs: [String] = []

        func run() throws { try output.write(specs) { CatalogRenderer.render($0) } }
    }

    /// Writes the adapter of one spec.
    struct Adapter: ParsableCommand {
        @OptionGroup var output: Output
        @Argument(help: "The spec file.") var spec: String

        func run() throws { try output.write([spec]) { AdapterRenderer($0[0]).render() } }
    }

    /// Writes the conformance tests of one spec.
    struct Conformance: ParsableCommand {
        @OptionGroup var output: Output
        @Argument(help: "The spec file.") var spec: String

        func run() throws { try output.write([spec]) { ConformanceRenderer($0[0]).render() } }
    }

    /// Validates spec files and reports every problem.
    struct Check: ParsableCommand {
        @Argument(help: "Spec files.")
        var specs: [String]

        func run() throws {
            let models = try compileAll(specs, relativeTo: nil)
            for m in models { print("\(m.fileStem): ok (\(m.title))") }
        }
    }
}

/// Reads and validates every spec, printing all diagnostics before failing.
func compileAll(_ paths: [String], relativeTo root: String?) throws -> [ExchangeSpec] {
    var models: [ExchangeSpec] = []
    var failed = false
    for path in paths {
        let shown = root.map { path.hasPrefix($0 + "/") ? String(path.dropFirst($0.count + 1)) : path } ?? path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            FileHandle.standardError.write(Data("\(shown):1: error: $: cannot read the file\n".utf8))
            failed = true
            continue
        }
        do {
            models.append(try SpecReader.read(file: shown, text: text))
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            failed = true
        }
    }
    if failed { throw ExitCode.failure }
    return models
}

/// Rewrites `path` only when its text changes, so that dependent targets do not rebuild needlessly.
func writeIfChanged(_ text: String, to path: String) throws {
    if (try? String(contentsOfFile: path, encoding: .utf8)) != text {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
