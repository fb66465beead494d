/// One problem found in a spec, printed the way compilers do so that editors and CI link to the line:
/// `specs/okx.json:12: error: $.symbols.format: unknown placeholder {bse}; use {base} or {quote}`.
public struct SpecDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        case error, warning
    }

    /// The spec file as given on the command line (relative paths stay relative).
    public let file: String
    public let line: Int
    /// The JSON path of the offending value (`$.endpoints[0].url`).
    public let path: String
    public let severity: Severity
    /// What is wrong and how to fix it.
    public let message: String

    public init(file: String, line: Int, path: String, severity: Severity = .error, message: String) {
        self.file = file
        self.line = line
        self.path = path
        self.severity = severity
        self.message = message
    }

    public var description: String {
        "\(file):\(line): \(severity.rawValue): \(path): \(message)"
    }
}

/// Every diagnostic of a failed compilation, in source order.
public struct SpecDiagnostics: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [SpecDiagnostic]

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
