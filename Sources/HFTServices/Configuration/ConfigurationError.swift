/// Everything wrong with a services configuration, each problem with the key path it is at
/// (`service.mm_demo.setting.streams[0].exchange`) and the expected form. Secrets never appear in it.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Issue: Sendable, Equatable, CustomStringConvertible {
        /// The key path, `service.<name>.setting.streams[0].exchange`; the file itself is `$`.
        public let path: String
        public let message: String
        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }
        public var description: String { "\(path): \(message)" }
    }

    /// Where the configuration came from (a file path, or `configuration` for text).
    public let source: String
    public let issues: [Issue]

    public init(source: String, issues: [Issue]) {
        self.source = source
        self.issues = issues
    }

    public var description: String {
        let plural = issues.count == 1 ? "problem" : "problems"
        return "\(source): \(issues.count) configuration \(plural):\n" + issues.map { "  \($0)" }.joined(separator: "\n")
    }
}
