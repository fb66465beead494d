#if canImport(Glibc)
import Glibc
#endif

/// The lock file `{ipc_dir}/command/{process_id}.lock` that a running command system holds with `flock`.
///
/// A live holder means the process id is taken; no holder means any socket file of that id is stale (its process
/// died) and may be replaced. The kernel releases the lock when the process dies, however it dies. The file holds
/// the holder's pid, for the error message. The Python package locks the same file the same way.
///
/// Thread safety: `acquire` and `release` from one thread (the command system's start and stop).
struct ProcessLock {
    let path: String
    private(set) var descriptor: Int32 = -1

    init(path: String) { self.path = path }

    /// Takes the lock or throws naming the live holder.
    mutating func acquire(processID: String) throws(IPCError) {
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw .fileSystem(path: path, detail: "cannot open lock file: \(String(cString: strerror(errno)))") }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let holder = Self.readPID(fd)
                close(fd)
                throw .fileSystem(path: path, detail: "process id '\(processID)' is already running (pid \(holder.map(String.init) ?? "unknown"))")
            }
            // The previous holder may have unlinked the file between our open and flock: lock the file at the path.
            var opened = stat()
            var current = stat()
            if fstat(fd, &opened) == 0, stat(path, &current) == 0, opened.st_ino == current.st_ino, opened.st_dev == current.st_dev {
                let text = Array("\(getpid())\n".utf8)
                _ = ftruncate(fd, 0)
                _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
                descriptor = fd
                return
            }
            close(fd)
        }
    }

    /// Removes the lock file and releases the lock.
    mutating func release() {
        guard descriptor >= 0 else { return }
        unlink(path)
        close(descriptor)
        descriptor = -1
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer[..<n], as: UTF8.self).trimmingSpaces)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\n" || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\n" || c == "\t" { s.removeLast() }
        return String(s)
    }
}
