import Foundation

/// The entry point of an application that runs services: `hft run` in a user's own executable, with the user's
/// service types registered next to the built-ins.
///
/// ```swift
/// @main struct MyApp {
///     static func main() async { await HFTApp.main(services: [MMDemoService.self]) }
/// }
/// ```
/// Usage of the resulting executable: `myapp <config.json> [--seconds N]`. Exit status 0 after a graceful
/// shutdown (SIGINT/SIGTERM or `--seconds`), 1 when the configuration is invalid or a service cannot start
/// (the reasons, with key paths, on standard error).
public enum HFTApp {
    public static func main(services: [any Service.Type], arguments: [String] = CommandLine.arguments) async {
        for type in services { ServiceRegistry.shared.register(type) }
        var rest = Array(arguments.dropFirst())
        var seconds: Double?
        if let i = rest.firstIndex(of: "--seconds"), i + 1 < rest.count, let value = Double(rest[i + 1]) {
            seconds = value
            rest.removeSubrange(i...(i + 1))
        }
        guard rest.count == 1 else {
            FileHandle.standardError.write(Data("usage: \(arguments.first ?? "app") <config.json> [--seconds N]\n".utf8))
            exit(2)
        }
        exit(await ServiceLauncher.run(configurationFile: rest[0], seconds: seconds))
    }
}

/// Loads a configuration file and runs its services until SIGINT/SIGTERM (or `seconds`): what `hft run` and
/// ``HFTApp`` do. Problems go to standard error; the result is the exit status.
public enum ServiceLauncher {
    public static func run(configurationFile path: String, seconds: Double?, registry: ServiceRegistry = .shared) async -> Int32 {
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration(contentsOfFile: path, registry: registry)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            return 1
        }
        for warning in configuration.warnings {
            FileHandle.standardError.write(Data("warning: \(path): \(warning)\n".utf8))
        }
        let runtime = ServiceRuntime(configuration: configuration, registry: registry)
        do {
            try await runtime.run(until: seconds.map { .milliseconds(Int64($0 * 1000)) })
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            await runtime.stop()
            return 1
        }
        return 0
    }
}
