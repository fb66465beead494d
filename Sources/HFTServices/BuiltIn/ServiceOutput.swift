import Foundation

/// Lines a built-in service prints for people (and for tests reading a process's output): written to standard
/// output at once, whole lines only, so output of several threads never interleaves within a line.
enum ServiceOutput {
    private static let lock = NSLock()

    static func line(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func lines(_ texts: [String]) {
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardOutput.write(Data(texts.map { $0 + "\n" }.joined().utf8))
    }
}
