import Foundation
import HFTCore
import HFTIPC

/// A services configuration file in the original JSON shape: one `service.<name>` entry per service.
///
/// ```json
/// {"service.mm_demo": {"class_name": "MMDemoService", "setting": {
///    "apis": [{"exchange": "binance", "api_key": "${BINANCE_API_KEY}", "api_secret": "${BINANCE_API_SECRET}"}],
///    "streams": [{"exchange": "binance", "currency_pairs": ["btc/usdt"], "subscribe_channels": ["ticker", "trade"]}],
///    "ipc_command_publisher": "process_a", "ipc_command_subscribers": ["process_b"]}}}
/// ```
///
/// Parsing checks everything it can before anything starts (exchanges, instruments and channels against the specs
/// compiled in, class names against the registry) and reports every problem at once, each with its key path and the
/// expected form (``ConfigurationError``). Unknown keys are not errors: they are listed in ``warnings`` by path.
///
/// Thread safety: an immutable value, `Sendable`.
public struct ServiceConfiguration: Sendable {
    /// One `service.<name>` entry.
    public struct Entry: Sendable {
        /// `<name>` of `service.<name>`.
        public let name: String
        public let className: String
        public let settings: ServiceSettings
    }

    /// In file order is not kept by JSON objects: sorted by name.
    public let services: [Entry]
    /// Unknown keys and other things worth a look, with their key paths (`service.x.setting.strem: unknown key`).
    public let warnings: [ConfigurationError.Issue]

    /// Reads and checks a configuration file. `${VAR}` values come from `environment` (nil: the process environment).
    /// - Throws: ``ConfigurationError`` (every problem found, with key paths).
    public init(contentsOfFile path: String, environment: [String: String]? = nil, registry: ServiceRegistry = .shared) throws(ConfigurationError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(source: path, issues: [.init(path: "$", message: "cannot read the file")])
        }
        try self.init(text: String(decoding: data, as: UTF8.self), source: path, environment: environment, registry: registry)
    }

    /// Reads and checks configuration text (see ``init(contentsOfFile:environment:registry:)``).
    public init(text: String, source: String = "configuration", environment: [String: String]? = nil, registry: ServiceRegistry = .shared) throws(ConfigurationError) {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: text)
        } catch {
            let line = text.utf8.prefix(error.offset).reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            throw ConfigurationError(source: source, issues: [.init(path: "$", message: "not JSON: \(error.message) (line \(line))")])
        }
        let environment = environment ?? ProcessInfo.processInfo.environment
        var issues: [ConfigurationError.Issue] = []
        var warnings: [ConfigurationError.Issue] = []
        guard case .object(let top) = json else {
            throw ConfigurationError(source: source, issues: [.init(path: "$", message: "expected an object of \"service.<name>\": {\"class_name\": …, \"setting\": {…}} entries")])
        }
        var services: [Entry] = []
        for key in top.keys.sorted() {
            guard key.hasPrefix("service."), key.count > "service.".count else {
                warnings.append(.init(path: key, message: "unknown key (service entries are named \"service.<name>\"); ignored"))
                continue
            }
            let name = String(key.dropFirst("service.".count))
            let value = ConfigValue.substituting(top[key]!, path: key, key: nil, environment: environment, issues: &issues)
            guard let entry = value.objectValue else {
                issues.append(.init(path: key, message: "expected an object {\"class_name\": \"…\", \"setting\": {…}}, found \(value.kindName)"))
                continue
            }
            for unknown in entry.keys.sorted() where unknown != "class_name" && unknown != "setting" {
                warnings.append(.init(path: "\(key).\(unknown)", message: "unknown key (expected class_name, setting); ignored"))
            }
            guard let className = entry["class_name"]?.stringValue, !className.isEmpty else {
                issues.append(.init(path: "\(key).class_name", message: "expected the service's class name as a string, e.g. \"class_name\": \"ConsoleService\"; registered: \(registry.classNames.joined(separator: ", "))"))
                continue
            }
            guard let type = registry.type(named: className) else {
                issues.append(.init(path: "\(key).class_name", message: "no service class '\(className)' is registered; registered: \(registry.classNames.joined(separator: ", "))"))
                continue
            }
            let settingValue = entry["setting"] ?? .object([:])
            guard case .object = settingValue else {
                issues.append(.init(path: "\(key).setting", message: "expected an object, found \(settingValue.kindName)"))
                continue
            }
            let settings = ServiceSettings(settingValue, path: "\(key).setting", serviceKeys: type.settingKeys, issues: &issues, warnings: &warnings)
            services.append(Entry(name: name, className: className, settings: settings))
        }
        if services.isEmpty && issues.isEmpty {
            issues.append(.init(path: "$", message: "no \"service.<name>\" entry: nothing to run"))
        }
        guard issues.isEmpty else { throw ConfigurationError(source: source, issues: issues) }
        self.services = services
        self.warnings = warnings
    }
}
