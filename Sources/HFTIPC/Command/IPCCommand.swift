/// One command: the JSON envelope of the original Python design.
///
/// On the wire (one ZeroMQ frame): the 64-byte ``CommandTopic`` then
/// `{"command_id":"gateway_1702345678000000_1","sender_id":"gateway","target_id":"*","command_type":"heartbeat",`
/// `"timestamp":1702345678000000,"payload":{"status":"running"}}` (timestamp in µs since the epoch; target `*`:
/// broadcast, `api.*`: every process whose id starts with `api.`). A reply carries the id of its request in its
/// payload as `in_reply_to`.
///
/// Thread safety: an immutable value, `Sendable`.
public struct IPCCommand: Sendable, Hashable {
    public var commandID: String
    public var senderID: String
    public var targetID: String
    public var commandType: String
    /// Microseconds since the Unix epoch, as sent.
    public var timestamp: Int64
    public var payload: JSONValue

    /// The payload member that marks a reply: the `command_id` of the request it answers.
    public static let inReplyToKey = "in_reply_to"

    public init(commandID: String, senderID: String, targetID: String, commandType: String, timestamp: Int64, payload: JSONValue) {
        self.commandID = commandID
        self.senderID = senderID
        self.targetID = targetID
        self.commandType = commandType
        self.timestamp = timestamp
        self.payload = payload
    }

    /// The request this command answers, when it is a reply.
    public var inReplyTo: String? { payload[Self.inReplyToKey]?.stringValue }

    /// The envelope's JSON text (fields in the original design's order).
    public var jsonText: String {
        var out: [UInt8] = []
        writeJSON(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func writeJSON(to out: inout [UInt8]) {
        out.append(contentsOf: #"{"command_id":"#.utf8)
        JSONWriter.writeString(commandID, to: &out)
        out.append(contentsOf: #","sender_id":"#.utf8)
        JSONWriter.writeString(senderID, to: &out)
        out.append(contentsOf: #","target_id":"#.utf8)
        JSONWriter.writeString(targetID, to: &out)
        out.append(contentsOf: #","command_type":"#.utf8)
        JSONWriter.writeString(commandType, to: &out)
        out.append(contentsOf: #","timestamp":"#.utf8)
        out.append(contentsOf: String(timestamp).utf8)
        out.append(contentsOf: #","payload":"#.utf8)
        JSONWriter.write(payload, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// The whole frame: topic + JSON. Throws ``IPCError/topicTooLong(topic:bytes:)``.
    public func encodeFrame() throws(IPCError) -> [UInt8] {
        var out = try CommandTopic.encode(target: targetID, type: commandType)
        out.reserveCapacity(CommandTopic.size + 160)
        writeJSON(to: &out)
        return out
    }

    /// Decodes a frame; the error says what is wrong (for the malformed-frame counter and its logged sample).
    public static func decode(frame: UnsafeRawBufferPointer) -> Result<IPCCommand, CommandDecodeError> {
        guard frame.count > CommandTopic.size else {
            return .failure(.init(reason: "frame of \(frame.count) bytes, shorter than the 64-byte topic and a JSON body"))
        }
        let body = UnsafeRawBufferPointer(rebasing: frame[CommandTopic.size...])
        let json: JSONValue
        do {
            json = try JSONParser.parseDocument(body)
        } catch {
            return .failure(.init(reason: "body is not JSON: \(error)"))
        }
        guard case .object(let m) = json else { return .failure(.init(reason: "body is not a JSON object")) }
        func text(_ key: String) -> String? { m[key]?.stringValue }
        guard let id = text("command_id"), !id.isEmpty else { return .failure(.init(reason: "no command_id string")) }
        guard let sender = text("sender_id") else { return .failure(.init(reason: "no sender_id string")) }
        guard let target = text("target_id") else { return .failure(.init(reason: "no target_id string")) }
        guard let type = text("command_type"), !type.isEmpty else { return .failure(.init(reason: "no command_type string")) }
        // The original design sends integer µs; a float (time.time() * 1e6) is accepted and truncated.
        guard let stamp = m["timestamp"]?.int64Value ?? m["timestamp"]?.doubleValue.flatMap({ Int64(exactly: $0.rounded(.towardZero)) }) else {
            return .failure(.init(reason: "no integer timestamp"))
        }
        return .success(IPCCommand(commandID: id, senderID: sender, targetID: target, commandType: type, timestamp: stamp, payload: m["payload"] ?? .object([:])))
    }

    public static func decode(frame: [UInt8]) -> Result<IPCCommand, CommandDecodeError> {
        frame.withUnsafeBytes { decode(frame: $0) }
    }
}

/// Why a frame is not a command.
public struct CommandDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
