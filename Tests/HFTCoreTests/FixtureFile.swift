import Foundation

/// Reads a tab-separated fixture that sits next to the tests (copied into the test bundle).
enum FixtureFile {
    static func lines(_ name: String) throws -> [[Substring]] {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Fixtures/\(name)"])
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
    }
}

extension String {
    /// Calls `body` with the string's UTF-8 bytes, as a parser on a receive buffer would see them.
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = Array(self.utf8)
        return try copy.withUnsafeMutableBytes { try body(UnsafeRawBufferPointer($0)) }
    }
}
