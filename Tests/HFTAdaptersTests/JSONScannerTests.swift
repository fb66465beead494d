import HFTAdapters
import HFTCore
import Testing

@Suite struct JSONScannerTests {
    /// Strings are scanned 8 bytes at a time: escaped quotes and backslashes at every offset, across word
    /// boundaries, must still end the string at the right quote.
    @Test func stringsEndAtTheRightQuoteWhateverTheirLength() throws {
        for prefix in 0..<20 {
            for escape in [#"\""#, #"\\"#, "é", "x"] {
                let content = String(repeating: "a", count: prefix) + escape + "tail"
                let json = "\"\(content)\",1"
                var bytes = Array(json.utf8)
                let raw = try bytes.withUnsafeMutableBytes { buffer -> String in
                    var s = JSONScanner(UnsafeRawBufferPointer(buffer))
                    let v = try s.scalar()
                    #expect(v.kind == .string)
                    #expect(s.peek() == UInt8(ascii: ","))
                    return v.span.string
                }
                #expect(raw == content, "prefix \(prefix) escape \(escape)")
            }
        }
    }

    @Test func walksObjectsAndSkipsNestedValues() throws {
        let json = #"{"skip":{"a":[1,"]}",{"b":"\"}"}],"c":null},"k":"v","n":-12.5e3,"t":true}"#
        var bytes = Array(json.utf8)
        var seen: [String] = []
        try bytes.withUnsafeMutableBytes { buffer in
            var s = JSONScanner(UnsafeRawBufferPointer(buffer))
            try s.beginObject()
            var first = true
            while let key = try s.nextKey(first: &first) {
                if key.equals("skip") {
                    try s.skipValue()
                    seen.append("skip")
                } else {
                    let v = try s.scalar()
                    seen.append("\(key.string)=\(v.span.string)")
                }
            }
            let ended = s.atEnd()
            #expect(ended)
        }
        #expect(seen == ["skip", "k=v", "n=-12.5e3", "t=true"])
    }

    /// Walking (as parsers do) checks the grammar of what it walks.
    @Test(arguments: [#"{"a" 1}"#, #"{"a":1 "b":2}"#, #"[1 2]"#, #"{1:2}"#, #"{"a":1"#, #"{"a":"x}"#])
    func walkingReportsMalformedJSON(text: String) {
        var bytes = Array(text.utf8)
        #expect(throws: FrameFailure.self) {
            try bytes.withUnsafeMutableBytes { buffer in
                var s = JSONScanner(UnsafeRawBufferPointer(buffer))
                try Self.walk(&s)
            }
        }
    }

    /// Skipping (members a parser does not need) only tracks nesting: it reports what it cannot get past.
    @Test(arguments: [#"{"a":1"#, #"{"a":"x}"#, #"[1,[2]"#])
    func skippingReportsUnterminatedValues(text: String) {
        var bytes = Array(text.utf8)
        #expect(throws: FrameFailure.self) {
            try bytes.withUnsafeMutableBytes { buffer in
                var s = JSONScanner(UnsafeRawBufferPointer(buffer))
                try s.skipValue()
            }
        }
    }

    static func walk(_ s: inout JSONScanner) throws(FrameFailure) {
        switch s.peek() {
        case UInt8(ascii: "{"):
            try s.beginObject()
            var first = true
            while try s.nextKey(first: &first) != nil { try walk(&s) }
        case UInt8(ascii: "["):
            try s.beginArray()
            var first = true
            while try s.nextElement(first: &first) { try walk(&s) }
        default:
            _ = try s.scalar()
        }
    }
}

@Suite struct AdapterSupportTests {
    @Test func symbolTableFoldsCaseWithoutCreatingStrings() throws {
        let table = SymbolTable([("PI_XBTUSD", try Instrument(parsing: "BTC-USD-PERP")), ("BTCUSDT", try Instrument(parsing: "BTC-USDT"))])
        for text in ["pi_xbtusd", "PI_XBTUSD", "Pi_XbtUsd", "btcusdt"] {
            let bytes = Array(text.utf8)
            let found = bytes.withUnsafeBufferPointer { table.instrument(for: ByteSpan(base: $0.baseAddress!, count: $0.count)) }
            #expect(found != nil, "\(text)")
        }
        let other = Array("PI_XBTUSE".utf8)
        let missing = other.withUnsafeBufferPointer { table.instrument(for: ByteSpan(base: $0.baseAddress!, count: $0.count)) }
        #expect(missing == nil)
    }

    @Test func templatesRenderJSON() {
        let t = JSONTemplate.object([.init("op", .string("subscribe")), .init("args", .string("{args}")),
                                     .init("id", .string("{id}")), .init("note", .string("ch={channel}"))])
        #expect(t.render(["args": .json([#"{"a":1}"#]), "id": .integer(7), "channel": .string("tr\"ades")])
            == #"{"op":"subscribe","args":[{"a":1}],"id":7,"note":"ch=tr\"ades"}"#)
    }

    @Test func symbolFormatsNameDatedContracts() throws {
        let f = SymbolFormat(template: "{base}-{quote}-{yy}{mm}{dd}", letterCase: .upper)
        #expect(f.render(try Instrument(parsing: "BTC-USD-22K27"), aliases: [:]) == "BTC-USD-220527")
        let k = SymbolFormat(template: "fi_{base}{quote}_{yy}{mm}{dd}", letterCase: .lower)
        #expect(k.render(try Instrument(parsing: "BTC-USD-21U24"), aliases: ["BTC": "XBT"]) == "fi_xbtusd_210924")
    }
}

@Suite struct NumberScanningTests {
    /// Numbers are scanned 8 digits at a time; every length and every digit must end at the right byte.
    @Test func numbersEndAtTheRightByte() throws {
        for length in 1...25 {
            for digit in ["0", "5", "9"] {
                for tail in [",", "}", "]", " ", ".5,", "e-3,"] {
                    let number = String(repeating: digit, count: length)
                    let text = number + tail + "x"
                    var bytes = Array(text.utf8)
                    let scanned = try bytes.withUnsafeMutableBytes { buffer -> String in
                        var s = JSONScanner(UnsafeRawBufferPointer(buffer))
                        return try s.scalar().span.string
                    }
                    let expected = tail.hasPrefix(".") || tail.hasPrefix("e") ? number + String(tail.dropLast()) : number
                    #expect(scanned == expected, "\(text)")
                }
            }
        }
    }
}
