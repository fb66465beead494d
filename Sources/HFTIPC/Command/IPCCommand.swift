/// One command: the JSON envelope of the original Python design.
///
/// On the wire (one ZeroMQ frame): the 64-byte ``CommandTopic`` then
/// `{"command_id":"gateway_1702345678000000_1","sender_id":"gateway","target_id":"*","command_type":"heartbeat",`
/// `"timestamp":1702345678000000,"payload":{"status":"running"}}` (timestamp in µs since the epoch; target `*`:
/// broadcast, `api.*`: every process whose id starts with `api.`). A reply carries the id of its request in its
/// payload as `in_reply_to`.
///
/// A received command keeps its payload as the received JSON bytes (validated) and decodes it on each read of
/// ``payload``: routing a command needs only the envelope (and `in_reply_to`, found by a scan).
///
/// Thread safety: an immutable value, `Sendable`.
public struct IPCCommand: Sendable, Hashable {
    public var commandID: String
    public var senderID: String
    public var targetID: String
    public var commandType: String
    /// Microseconds since the Unix epoch, as sent.
    public var timestamp: Int64
    /// The payload (of a received command: decoded from its bytes on every read; keep the value if read often).
    public var payload: JSONValue {
        get {
            switch storage {
            case .value(let v): return v
            case .raw(let bytes): return Self.decodePayload(bytes)
            }
        }
        set { storage = .value(newValue) }
    }

    enum PayloadStorage: Sendable {
        case value(JSONValue)
        /// Validated JSON text of the payload, as received.
        case raw([UInt8])
    }

    var storage: PayloadStorage

    /// The payload member that marks a reply: the `command_id` of the request it answers.
    public static let inReplyToKey = "in_reply_to"

    public init(commandID: String, senderID: String, targetID: String, commandType: String, timestamp: Int64, payload: JSONValue) {
        self.init(commandID: commandID, senderID: senderID, targetID: targetID, commandType: commandType, timestamp: timestamp,
                  storage: .value(payload))
    }

    init(commandID: String, senderID: String, targetID: String, commandType: String, timestamp: Int64, rawPayload: [UInt8]) {
        self.init(commandID: commandID, senderID: senderID, targetID: targetID, commandType: commandType, timestamp: timestamp,
                  storage: .raw(rawPayload))
    }

    private init(commandID: String, senderID: String, targetID: String, commandType: String, timestamp: Int64, storage: PayloadStorage) {
        self.commandID = commandID
        self.senderID = senderID
        self.targetID = targetID
        self.commandType = commandType
        self.timestamp = timestamp
        self.storage = storage
    }

    public static func == (a: IPCCommand, b: IPCCommand) -> Bool {
        a.commandID == b.commandID && a.senderID == b.senderID && a.targetID == b.targetID && a.commandType == b.commandType
            && a.timestamp == b.timestamp && a.payload == b.payload
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(commandID)
        hasher.combine(senderID)
        hasher.combine(targetID)
        hasher.combine(commandType)
        hasher.combine(timestamp)
        hasher.combine(payload)
    }

    /// The request this command answers, when it is a reply (a received payload is scanned, not decoded).
    public var inReplyTo: String? {
        switch storage {
        case .value(let v): return v[Self.inReplyToKey]?.stringValue
        case .raw(let bytes):
            return bytes.withUnsafeBytes { raw -> String? in
                var found: String?
                var scanner = CommandJSONScanner(raw)
                try? scanner.members { (key, escaped, value, valueEscaped) throws(JSONParseError) in
                    guard CommandJSONScanner.key(raw, key, escaped: escaped, equals: "in_reply_to") else { return }
                    if raw[value.lowerBound] == UInt8(ascii: "\"") {
                        found = CommandJSONScanner.text(raw, value.lowerBound + 1..<value.upperBound - 1, escaped: valueEscaped)
                    } else {
                        found = nil
                    }
                }
                return found
            }
        }
    }

    static func decodePayload(_ bytes: [UInt8]) -> JSONValue {
        // Validated when received: cannot fail.
        bytes.withUnsafeBytes { (try? JSONParser.parseDocument($0)) ?? .null }
    }

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
        JSONWriter.writeInteger(timestamp, to: &out)
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
    /// One validating pass over the JSON: the envelope's fields become strings, the payload stays bytes.
    public static func decode(frame: UnsafeRawBufferPointer) -> Result<IPCCommand, CommandDecodeError> {
        guard frame.count > CommandTopic.size else {
            return .failure(.init(reason: "frame of \(frame.count) bytes, shorter than the 64-byte topic and a JSON body"))
        }
        let body = UnsafeRawBufferPointer(rebasing: frame[CommandTopic.size...])
        // Last occurrence wins, as in a parsed object.
        var fields = EnvelopeFields()
        var stamp: Range<Int>?
        var payload: Range<Int>?
        var scanner = CommandJSONScanner(body)
        do {
            scanner.skipSpace()
            guard scanner.peek == UInt8(ascii: "{") else {
                try scanner.skipValue(depth: 0)
                return .failure(.init(reason: "body is not a JSON object"))
            }
            try scanner.members { (key, escaped, value, valueEscaped) throws(JSONParseError) in
                let slot: Int
                if CommandJSONScanner.key(body, key, escaped: escaped, equals: "command_id") { slot = 0 }
                else if CommandJSONScanner.key(body, key, escaped: escaped, equals: "sender_id") { slot = 1 }
                else if CommandJSONScanner.key(body, key, escaped: escaped, equals: "target_id") { slot = 2 }
                else if CommandJSONScanner.key(body, key, escaped: escaped, equals: "command_type") { slot = 3 }
                else if CommandJSONScanner.key(body, key, escaped: escaped, equals: "timestamp") { stamp = value; return }
                else if CommandJSONScanner.key(body, key, escaped: escaped, equals: "payload") { payload = value; return }
                else { return }
                var string: (Range<Int>, Bool)?
                if body[value.lowerBound] == UInt8(ascii: "\"") {
                    string = (value.lowerBound + 1..<value.upperBound - 1, valueEscaped)
                }
                fields.set(slot, string)
            }
            scanner.skipSpace()
            guard scanner.index == body.count else { throw scanner.error("unexpected text after the JSON value") }
        } catch {
            return .failure(.init(reason: "body is not JSON: \(error)"))
        }
        func text(_ field: (Range<Int>, Bool)?) -> String? { field.map { CommandJSONScanner.text(body, $0.0, escaped: $0.1) } }
        guard let id = text(fields.id), !id.isEmpty else { return .failure(.init(reason: "no command_id string")) }
        guard let sender = text(fields.sender) else { return .failure(.init(reason: "no sender_id string")) }
        guard let target = text(fields.target) else { return .failure(.init(reason: "no target_id string")) }
        guard let type = text(fields.type), !type.isEmpty else { return .failure(.init(reason: "no command_type string")) }
        // The original design sends integer µs; a float (time.time() * 1e6) is accepted and truncated.
        guard let stampRange = stamp, let time = CommandJSONScanner.int64(body, stampRange)
            ?? (body[stampRange.lowerBound] == UInt8(ascii: "-") || (body[stampRange.lowerBound] >= UInt8(ascii: "0") && body[stampRange.lowerBound] <= UInt8(ascii: "9"))
                ? Double(String(decoding: UnsafeRawBufferPointer(rebasing: body[stampRange]), as: UTF8.self)).flatMap({ Int64(exactly: $0.rounded(.towardZero)) }) : nil)
        else {
            return .failure(.init(reason: "no integer timestamp"))
        }
        let raw = payload.map { [UInt8](UnsafeRawBufferPointer(rebasing: body[$0])) } ?? Array("{}".utf8)
        return .success(IPCCommand(commandID: id, senderID: sender, targetID: target, commandType: type, timestamp: time, rawPayload: raw))
    }

    public static func decode(frame: [UInt8]) -> Result<IPCCommand, CommandDecodeError> {
        frame.withUnsafeBytes { decode(frame: $0) }
    }
}

/// Where the envelope's four strings are in a body being decoded (content range, has escapes), without an array.
private struct EnvelopeFields {
    var id, sender, target, type: (Range<Int>, Bool)?

    mutating func set(_ slot: Int, _ value: (Range<Int>, Bool)?) {
        switch slot {
        case 0: id = value
        case 1: sender = value
        case 2: target = value
        default: type = value
        }
    }
}

/// Why a frame is not a command.
public struct CommandDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
