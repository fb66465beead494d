import Foundation
import PackagePlugin

/// Runs the spec compiler (`hft-codegen`) over every `specs/*.json` during `swift build`.
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
        if target.name.hasSuffix("Tests") {
            // A test target gets the conformance tests of every spec.
            return specs.map { spec in
                let name = spec.deletingPathExtension().lastPathComponent
                let file = context.pluginWorkDirectoryURL.appendingPathComponent("\(name)+ConformanceTests.swift")
                return .buildCommand(
                    displayName: "Generating conformance tests from specs/\(name).json",
                    executable: tool.url,
                    arguments: ["conformance", "--output", file.path, "--package-root", root.path, spec.path],
                    inputFiles: [spec],
                    outputFiles: [file]
                )
            }
        }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("ExchangeCatalog+Generated.swift")
        let adapters: [Command] = specs.map { spec in
            let name = spec.deletingPathExtension().lastPathComponent
            let file = context.pluginWorkDirectoryURL.appendingPathComponent("\(name)+Adapter.swift")
            return .buildCommand(
                displayName: "Generating the \(name) adapter from specs/\(name).json",
                executable: tool.url,
                arguments: ["adapter", "--output", file.path, "--package-root", root.path, spec.path],
                inputFiles: [spec],
                outputFiles: [file]
            )
        }
        return adapters + [
            .buildCommand(
                displayName: "Compiling \(specs.count) exchange spec(s) into the exchange catalog",
                executable: tool.url,
                arguments: ["catalog", "--output", output.path, "--package-root", root.path] + specs.map(\.path),
                inputFiles: specs,
                outputFiles: [output]
            )
        ]
    }
}
