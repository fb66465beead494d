import HFTAdapters
public import HFTCore
import HFTExchanges

/// The `setting` object of one service: what the runtime builds for it (streams, the command system, API
/// credentials) and the service's own keys (read with ``subscript(_:)``).
///
/// Thread safety: an immutable value, `Sendable`.
public struct ServiceSettings: Sendable {
    /// Keys every service understands.
    public static let commonKeys: Set<String> = ["apis", "streams", "ipc_command_publisher", "ipc_command_subscribers"]

    public let apis: [APISetting]
    public let streams: [StreamSetting]
    /// The process id this service's command system publishes as (`ipc_command_publisher`).
    public let ipcCommandPublisher: String?
    /// Processes whose commands this service receives (`ipc_command_subscribers`).
    public let ipcCommandSubscribers: [String]
    /// The whole `setting` object, secrets as ``Secret``.
    public let values: ConfigValue
    /// `service.<name>.setting`, to name keys in messages.
    public let path: String

    /// A service-specific key of `setting`.
    public subscript(key: String) -> ConfigValue? { values[key] }

    /// Settings made in code (tests, embedding).
    public init(apis: [APISetting] = [], streams: [StreamSetting] = [], ipcCommandPublisher: String? = nil, ipcCommandSubscribers: [String] = [], values: ConfigValue = .object([:]), path: String = "setting") {
        self.apis = apis
        self.streams = streams
        self.ipcCommandPublisher = ipcCommandPublisher
        self.ipcCommandSubscribers = ipcCommandSubscribers
        self.values = values
        self.path = path
    }

    init(_ value: ConfigValue, path: String, serviceKeys: Set<String>, issues: inout [ConfigurationError.Issue], warnings: inout [ConfigurationError.Issue]) {
        self.values = value
        self.path = path
        let members = value.objectValue ?? [:]
        for key in members.keys.sorted() where !Self.commonKeys.contains(key) && !serviceKeys.contains(key) {
            let known = Self.commonKeys.union(serviceKeys).sorted().joined(separator: ", ")
            warnings.append(.init(path: "\(path).\(key)", message: "unknown key; ignored (known here: \(known))"))
        }
        var apis: [APISetting] = []
        for (i, item) in Self.list(members["apis"], path: "\(path).apis", issues: &issues).enumerated() {
            if let api = APISetting(item, path: "\(path).apis[\(i)]", issues: &issues, warnings: &warnings) { apis.append(api) }
        }
        var streams: [StreamSetting] = []
        for (i, item) in Self.list(members["streams"], path: "\(path).streams", issues: &issues).enumerated() {
            if let stream = StreamSetting(item, path: "\(path).streams[\(i)]", issues: &issues, warnings: &warnings) { streams.append(stream) }
        }
        self.apis = apis
        self.streams = streams
        ipcCommandPublisher = Self.processID(members["ipc_command_publisher"], path: "\(path).ipc_command_publisher", issues: &issues)
        var subscribers: [String] = []
        for (i, item) in Self.list(members["ipc_command_subscribers"], path: "\(path).ipc_command_subscribers", issues: &issues).enumerated() {
            if let id = Self.processID(item, path: "\(path).ipc_command_subscribers[\(i)]", issues: &issues) { subscribers.append(id) }
        }
        ipcCommandSubscribers = subscribers
    }

    static func list(_ value: ConfigValue?, path: String, issues: inout [ConfigurationError.Issue]) -> [ConfigValue] {
        guard let value, value != .null else { return [] }
        guard let items = value.arrayValue else {
            issues.append(.init(path: path, message: "expected an array, found \(value.kindName)"))
            return []
        }
        return items
    }

    static func processID(_ value: ConfigValue?, path: String, issues: inout [ConfigurationError.Issue]) -> String? {
        guard let value, value != .null else { return nil }
        guard let id = value.stringValue, !id.isEmpty, !id.contains("/"), !id.contains("."), id.utf8.count <= 40 else {
            issues.append(.init(path: path, message: "expected a process id: a non-empty string of at most 40 bytes without '/' or '.', e.g. \"process_a\""))
            return nil
        }
        return id
    }
}

/// One entry of `apis`: credentials for an exchange. Key and secret are ``Secret``s.
public struct APISetting: Sendable {
    public let exchange: ExchangeID
    public let apiKey: Secret?
    public let apiSecret: Secret?
    public let passphrase: Secret?

    public init(exchange: ExchangeID, apiKey: Secret?, apiSecret: Secret?, passphrase: Secret? = nil) {
        self.exchange = exchange
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.passphrase = passphrase
    }

    init?(_ value: ConfigValue, path: String, issues: inout [ConfigurationError.Issue], warnings: inout [ConfigurationError.Issue]) {
        guard let members = value.objectValue else {
            issues.append(.init(path: path, message: "expected an object {\"exchange\": \"binance\", \"api_key\": \"${BINANCE_API_KEY}\", \"api_secret\": \"${BINANCE_API_SECRET}\"}, found \(value.kindName)"))
            return nil
        }
        for key in members.keys.sorted() where !["exchange", "api_key", "api_secret", "passphrase"].contains(key) {
            warnings.append(.init(path: "\(path).\(key)", message: "unknown key; ignored (known here: exchange, api_key, api_secret, passphrase)"))
        }
        guard let exchange = StreamSetting.exchange(members["exchange"], path: "\(path).exchange", issues: &issues) else { return nil }
        func secret(_ key: String) -> Secret? {
            guard let v = members[key], v != .null else { return nil }
            guard let s = v.secretValue else {
                issues.append(.init(path: "\(path).\(key)", message: "expected a string (usually \"${ENV_VAR}\"), found \(v.kindName)"))
                return nil
            }
            return s
        }
        self.init(exchange: exchange, apiKey: secret("api_key"), apiSecret: secret("api_secret"), passphrase: secret("passphrase"))
    }
}
