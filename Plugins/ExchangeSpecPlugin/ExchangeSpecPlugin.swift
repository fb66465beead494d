import Foundation
import PackagePlugin

/// Runs the spec compiler (`hft-codegen`) over every `specs/*.json` during `swift build`: for a library target
/// one adapter per spec plus the exchange catalog, for a test target (name ending in `Tests`) one conformance
/// test file per spec.
///
/// Inputs and outputs are declared, so editing a spec regenerates exactly what depends on it. `specs/` is also
/// the folder of the small `ExchangeSpecs` target: adding or removing a spec file changes a target folder,
/// which makes SwiftPM re-plan the build and re-run this plugin (no Package.swift edit needed).
@main
struct ExchangeSpecPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let specsDirectory = root.appendingPathComponent("specs")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: specsDirectory.path)) ?? []
        let specs = names
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json") }
            .sorted()
            .map { specsDirectory.appendingPathComponent($0) }
        let tool = try context.tool(named: "hft-codegen")

        /// `hft-codegen <subcommand> --output <work dir>/<file> --package-root <root> <specs…>`.
        func generate(_ subcommand: String, _ display: String, _ file: String, _ inputs: [URL]) -> Command {
            let output = context.pluginWorkDirectoryURL.appendingPathComponent(file)
            return .buildCommand(
                displayName: display,
                executable: tool.url,
                arguments: [subcommand, "--output", output.path, "--package-root", root.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]
            )
        }

        func name(_ spec: URL) -> String { spec.deletingPathExtension().lastPathComponent }
        if target.name.hasSuffix("Tests") {
            return specs.map {
                generate("conformance", "Generating conformance tests from specs/\(name($0)).json", "\(name($0))+ConformanceTests.swift", [$0])
            }
        }
        return specs.map {
            generate("adapter", "Generating the \(name($0)) adapter from specs/\(name($0)).json", "\(name($0))+Adapter.swift", [$0])
        } + [
            generate("catalog", "Compiling \(specs.count) exchange spec(s) into the exchange catalog", "ExchangeCatalog+Generated.swift", specs)
        ]
    }
}
