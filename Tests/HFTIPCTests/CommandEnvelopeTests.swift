import HFTIPC
import Testing

/// The wire format of the issue (the original Python design's frame) and the JSON payload values.
@Suite struct CommandEnvelopeTests {
    /// The example command of the issue, as a Python peer sends it: topic padded to 64 bytes, then the JSON.
    static let issueJSON = #"{"command_id":"gateway_1702345678000000_1","sender_id":"gateway","target_id":"*","command_type":"heartbeat","timestamp":1702345678000000,"payload":{"status":"running"}}"#

    static func frame(topic: String, json: String) -> [UInt8] {
        Array(topic.utf8) + Array(repeating: UInt8(ascii: " "), count: 64 - topic.utf8.count) + Array(json.utf8)
    }

    @Test func decodesTheIssueExample() throws {
        let command = try IPCCommand.decode(frame: Self.frame(topic: "*.heartbeat", json: Self.issueJSON)).get()
        #expect(command.commandID == "gateway_1702345678000000_1")
        #expect(command.senderID == "gateway")
        #expect(command.targetID == "*")
        #expect(command.commandType == "heartbeat")
        #expect(command.timestamp == 1_702_345_678_000_000)
        #expect(command.payload == ["status": "running"])
        // Encoding gives back the same bytes (field order of the original design).
        #expect(try command.encodeFrame() == Self.frame(topic: "*.heartbeat", json: Self.issueJSON))
    }

    @Test func topicIsPaddedTo64BytesAndLongTopicsAreRejected() throws {
        let topic = try CommandTopic.encode(target: "api.gw", type: "status")
        #expect(topic.count == 64)
        #expect(String(decoding: topic, as: UTF8.self) == "api.gw.status" + String(repeating: " ", count: 51))
        let exactly64 = String(repeating: "t", count: 64 - "gw.".count)
        #expect(try CommandTopic.encode(target: "gw", type: exactly64).count == 64)
        #expect(throws: IPCError.topicTooLong(topic: "gw." + exactly64 + "x", bytes: 65)) {
            try CommandTopic.encode(target: "gw", type: exactly64 + "x")
        }
    }

    @Test func subscriptionsCoverUnicastBroadcastAndGroups() {
        let prefixes = CommandTopic.subscriptions(processID: "api.eu.gw").map { String(decoding: $0, as: UTF8.self) }
        #expect(Set(prefixes) == ["api.eu.gw.", "*.", "api.*.", "api.eu.*."])
        #expect(CommandTopic.matches(target: "api.*", processID: "api.gw"))
        #expect(CommandTopic.matches(target: "api.eu.*", processID: "api.eu.gw"))
        #expect(!CommandTopic.matches(target: "api.*", processID: "api"))
        #expect(!CommandTopic.matches(target: "api.*", processID: "apix.gw"))
        #expect(!CommandTopic.matches(target: "api.gw", processID: "api"))
        #expect(CommandTopic.matches(target: "*", processID: "anything"))
    }

    @Test func malformedFramesSayWhy() {
        func reason(_ bytes: [UInt8]) -> String? {
            if case .failure(let e) = IPCCommand.decode(frame: bytes) { return e.reason }
            return nil
        }
        #expect(reason(Array("short".utf8))?.contains("shorter than the 64-byte topic") == true)
        #expect(reason(Self.frame(topic: "x.y", json: "{not json"))?.contains("not JSON") == true)
        #expect(reason(Self.frame(topic: "x.y", json: "[1,2]")) == "body is not a JSON object")
        #expect(reason(Self.frame(topic: "x.y", json: #"{"command_id":"a","sender_id":"s","target_id":"x","timestamp":1}"#)) == "no command_type string")
        // A float timestamp (Python's time.time() * 1e6) is accepted.
        #expect(reason(Self.frame(topic: "x.y", json: #"{"command_id":"a","sender_id":"s","target_id":"x","command_type":"y","timestamp":1702345678000000.0}"#)) == nil)
    }

    /// JSON text as RFC 8259 defines it (escapes, surrogate pairs, exact numbers).
    @Test func jsonValuesParseAndPrint() throws {
        let value = try JSONValue(parsing: #" {"a": [1, -2.50, 1e-8, true, false, null], "s": "\u00e9\ud83d\ude00\n\"\\/", "n": {}} "#)
        #expect(value["a"] == [1, .number("-2.50"), .number("1e-8"), true, false, nil])
        #expect(value["s"] == "é😀\n\"\\/")
        #expect(value["n"] == .object([:]))
        #expect(value.jsonText == #"{"a":[1,-2.50,1e-8,true,false,null],"n":{},"s":"é😀\n\"\\/"}"#)
        #expect(try JSONValue(parsing: value.jsonText) == value)
        for bad in ["", "{", #"{"a":}"#, "[1,]", "01", "1.", #""\ud83d""#, "\"a\u{01}\"", "nul", "{} x", String(repeating: "[", count: 100)] {
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONValue(parsing: bad) }
        }
        #expect(JSONValue.string("\u{01}\t").jsonText == #""\u0001\t""#)
    }
}
