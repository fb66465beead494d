/// The 64-byte topic in front of every command frame: `{target_id}.{command_type}` padded with spaces (0x20).
///
/// Receivers subscribe to prefixes of it (``subscriptions(processID:)``); ZeroMQ filters by prefix, so a topic
/// only narrows delivery: the command's JSON `target_id` is what ``CommandRouter`` checks. Pure functions.
public enum CommandTopic {
    /// Bytes in a topic; the command's JSON follows immediately.
    public static let size = 64

    /// The longest process id: room for the longest built-in command type (`_ipc_welcome`) after the dot.
    public static let maxProcessIDBytes = size - 1 - CommandType.welcome.utf8.count

    /// `{target}.{type}` padded to 64 bytes; throws ``IPCError/topicTooLong(topic:bytes:)`` when longer.
    public static func encode(target: String, type: String) throws(IPCError) -> [UInt8] {
        var bytes = Array(target.utf8)
        bytes.append(UInt8(ascii: "."))
        bytes.append(contentsOf: type.utf8)
        guard bytes.count <= size else {
            throw .topicTooLong(topic: target + "." + type, bytes: bytes.count)
        }
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: size - bytes.count))
        return bytes
    }

    /// The prefixes a process subscribes to: `{id}.` (unicast), `*.` (broadcast) and, for every dot in its id,
    /// the group `{prefix}.*.` (`api.gw` gets `api.*.`; `api.eu.gw` gets `api.*.` and `api.eu.*.`).
    public static func subscriptions(processID: String) -> [[UInt8]] {
        var result: [[UInt8]] = [Array((processID + ".").utf8), Array("*.".utf8)]
        let bytes = Array(processID.utf8)
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: ".") {
            result.append(Array(bytes[..<i]) + Array(".*.".utf8))
        }
        return result
    }

    /// The subscription a receiver adds after connecting, last, to ask the publisher for a welcome: when the
    /// publisher sees it, every earlier subscription of that connection is in place.
    public static func welcomeRequest(processID: String) -> [UInt8] {
        Array((processID + "." + CommandType.welcome).utf8)
    }

    /// Whether `target` (a command's `target_id`) addresses `processID`: itself, `*`, or a group `prefix.*`
    /// whose prefix + `.` starts the id.
    public static func matches(target: String, processID: String) -> Bool {
        if target == processID || target == "*" { return true }
        if target.hasSuffix(".*") {
            let prefix = target.dropLast()  // keeps the dot: "api."
            return processID.count > prefix.count && processID.hasPrefix(prefix)
        }
        return false
    }

    /// Checks a process id: 1…``maxProcessIDBytes`` bytes, no `/`, space, `*` or control characters, not starting
    /// or ending with a dot.
    public static func validate(processID: String) throws(IPCError) {
        let bytes = Array(processID.utf8)
        guard !bytes.isEmpty, bytes.count <= maxProcessIDBytes else {
            throw .invalidArgument("process id '\(processID)' must have 1 to \(maxProcessIDBytes) bytes")
        }
        guard !bytes.contains(where: { $0 <= 0x20 || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "*") || $0 == 0x7F }) else {
            throw .invalidArgument("process id '\(processID)' may not contain '/', '*', spaces or control characters")
        }
        guard bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: ".") else {
            throw .invalidArgument("process id '\(processID)' may not start or end with '.'")
        }
    }
}

/// Command types the command system itself uses.
public enum CommandType {
    /// Answered with ``pong`` by every command system (unless the application handles it).
    public static let ping = "ping"
    public static let pong = "pong"
    /// Sent by a publisher to a receiver whose ``CommandTopic/welcomeRequest(processID:)`` subscription it saw.
    public static let welcome = "_ipc_welcome"
}
