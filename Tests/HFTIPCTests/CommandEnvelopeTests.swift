import Foundation
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

    /// The one-pass envelope decoder keeps the payload as bytes: it must still reject what RFC 8259 rejects anywhere
    /// in the body (the payload included), decode escapes in the envelope, and find `in_reply_to` only at the
    /// payload's top level.
    /// The scanner reads strings 8 bytes at a time: a quote, an escape, a raw control character or a multi-byte
    /// character at every position of strings up to 40 bytes is handled as Foundation's JSON parser handles it.
    @Test func envelopeStringsAgreeWithFoundationAtEveryPosition() throws {
        for length in 0..<40 {
            for position in 0...length {
                for special in [#"\""#, #"\\"#, #"\n"#, #"\u00e9"#, "é", "€", "\u{01}", "\u{1F}", "\u{7F}", " "] {
                    let content = String(repeating: "a", count: position) + special + String(repeating: "b", count: length - position)
                    let json = #"{"command_id":"\#(content)","sender_id":"s","target_id":"x","command_type":"y","timestamp":1}"#
                    let reference = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
                    let decoded = try? IPCCommand.decode(frame: Self.frame(topic: "x.y", json: json)).get()
                    #expect(decoded?.commandID == reference?["command_id"] as? String, "\(json.debugDescription)")
                }
            }
        }
    }

    @Test func envelopeScanValidatesEverythingAndKeepsThePayloadExact() throws {
        func envelope(id: String = #""a""#, payload: String) -> [UInt8] {
            Self.frame(topic: "x.y", json: #"{"command_id":\#(id),"sender_id":"s","target_id":"x","command_type":"y","timestamp":1,"payload":\#(payload)}"#)
        }
        func decoded(_ bytes: [UInt8]) -> IPCCommand? { try? IPCCommand.decode(frame: bytes).get() }
        for bad in [#"{"a":}"#, "[1,]", "01", "1.", #""\ud83d""#, "\"a\u{01}\"", "nul", #"{"a":1"#, String(repeating: "[", count: 100)] {
            #expect(decoded(envelope(payload: bad)) == nil, "payload \(bad)")
        }
        #expect(decoded(envelope(payload: "{}") + Array(" x".utf8)) == nil)
        // Whitespace anywhere, escapes in envelope strings, the last of repeated members (as a parsed object).
        let spaced = Self.frame(topic: "x.y", json: #" {"command_id" : "a\"b\u00e9" , "sender_id":"s","target_id":"x","command_type":"old","command_type":"y","timestamp": -5 ,"payload": { "k" : [ 1 , 2.50 ] } } "#)
        let command = try #require(decoded(spaced))
        #expect(command.commandID == "a\"bé" && command.commandType == "y" && command.timestamp == -5)
        #expect(command.payload == ["k": [1, .number("2.50")]])
        #expect(command.inReplyTo == nil)
        // in_reply_to: top level only, escapes decoded, not a string → no reply.
        #expect(decoded(envelope(payload: #"{"x":{"in_reply_to":"n"},"in_reply_to":"r\u0031"}"#))?.inReplyTo == "r1")
        #expect(decoded(envelope(payload: #"{"x":{"in_reply_to":"n"}}"#))?.inReplyTo == nil)
        #expect(decoded(envelope(payload: #"{"in_reply_to":7}"#))?.inReplyTo == nil)
        // A payload that is not an object is kept as sent; a missing payload is an empty object.
        #expect(decoded(envelope(payload: "[true,null]"))?.payload == [true, nil])
        let bare = Self.frame(topic: "x.y", json: #"{"command_id":"a","sender_id":"s","target_id":"x","command_type":"y","timestamp":1}"#)
        #expect(decoded(bare)?.payload == .object([:]))
        #expect(decoded(envelope(id: "7", payload: "{}")) == nil)  // command_id must be a string
        // A received command equals the same command built from values (equality and hash see the decoded payload).
        let built = IPCCommand(commandID: "a", senderID: "s", targetID: "x", commandType: "y", timestamp: 1, payload: ["b": 1, "a": "é"])
        let received = try #require(decoded(envelope(payload: #"{ "b" : 1, "a" : "\u00e9" }"#)))
        #expect(received == built && Set([received, built]).count == 1)
        #expect(try received.encodeFrame() == built.encodeFrame())
    }

    /// What `reply(to:)` and `sendCommand` put on the wire, read back by an independent parser (`JSONValue`):
    /// keys sorted, `in_reply_to` merged into the payload, strings escaped.
    @Test func encodedObjectsAreSortedAndEscaped() throws {
        let command = IPCCommand(commandID: "i", senderID: "s", targetID: "t", commandType: "c", timestamp: -12,
                                 payload: ["zeta": "q\"\n", "alpha": [1, ["m": nil, "b": false]], "mid": .number("0.00001234")])
        let json = String(decoding: try command.encodeFrame().dropFirst(64), as: UTF8.self)
        #expect(json == #"{"command_id":"i","sender_id":"s","target_id":"t","command_type":"c","timestamp":-12,"payload":{"alpha":[1,{"b":false,"m":null}],"mid":0.00001234,"zeta":"q\"\n"}}"#)
    }
}
