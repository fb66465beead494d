import HFTCore
@testable import HFTServices
import Testing

/// The configuration reader against hand-written files: the issue's example, key paths of invalid entries, `${VAR}`
/// substitution, and secrets that never print.
@Suite struct ConfigurationTests {
    static let example = """
        {"service.mm_demo": {"class_name": "PingPongService", "setting": {
           "apis": [{"exchange": "binance", "api_key": "${BINANCE_API_KEY}", "api_secret": "${BINANCE_API_SECRET}"}],
           "streams": [{"exchange": "binance", "currency_pairs": ["btc/usdt", "eth/usdt"], "subscribe_channels": ["ticker", "trade"]}],
           "ipc_command_publisher": "process_a", "ipc_command_subscribers": ["process_b"]}}}
        """
    static let environment = ["BINANCE_API_KEY": "key-AKIA1234", "BINANCE_API_SECRET": "s3cr3t-value-987"]

    @Test func theIssueExampleParses() throws {
        let config = try ServiceConfiguration(text: Self.example, environment: Self.environment)
        #expect(config.services.count == 1)
        let entry = try #require(config.services.first)
        #expect(entry.name == "mm_demo")
        #expect(entry.className == "PingPongService")
        let s = entry.settings
        #expect(s.ipcCommandPublisher == "process_a")
        #expect(s.ipcCommandSubscribers == ["process_b"])
        #expect(s.apis.count == 1)
        #expect(s.apis[0].exchange.rawValue == "binance")
        #expect(s.apis[0].apiKey?.revealed == "key-AKIA1234")
        #expect(s.apis[0].apiSecret?.revealed == "s3cr3t-value-987")
        #expect(s.streams.count == 1)
        #expect(s.streams[0].exchange.rawValue == "binance")
        #expect(s.streams[0].instruments.map(\.description) == ["BTC-USDT", "ETH-USDT"])
        #expect(s.streams[0].channels.map(\.rawValue) == ["ticker", "trade"])
        #expect(s.streams[0].source == .exchange)
        #expect(config.warnings.isEmpty)
    }

    @Test func secretsNeverPrint() throws {
        let config = try ServiceConfiguration(text: Self.example, environment: Self.environment)
        let settings = config.services[0].settings
        var dumped = ""
        dump(settings, to: &dumped)
        let texts = ["\(settings.apis[0])", String(reflecting: settings.apis[0]), "\(settings.values)", dumped,
                     "\(settings.apis[0].apiKey!)", "\(settings.values["apis"]!)"]
        for text in texts {
            #expect(!text.contains("AKIA1234") && !text.contains("s3cr3t"), "secret printed: \(text)")
        }
        #expect("\(settings.apis[0].apiSecret!)" == "***")
        // Marked secret by ${secret:VAR} under any key.
        let marked = try ServiceConfiguration(text: """
            {"service.x": {"class_name": "PingPongService", "setting": {"ping_target": "p", "note": "${secret:BINANCE_API_SECRET}"}}}
            """, environment: Self.environment)
        #expect(marked.services[0].settings["note"] == .secret(Secret("s3cr3t-value-987")))
        #expect(!"\(marked.services[0].settings.values)".contains("s3cr3t"))
    }

    @Test func environmentSubstitution() throws {
        let config = try ServiceConfiguration(text: """
            {"service.g": {"class_name": "PublisherService", "setting": {"streams": [
              {"exchange": "binance", "endpoint": "ws://127.0.0.1:${PORT}", "currency_pairs": ["BTC-USDT"], "subscribe_channels": ["trade"]}]}}}
            """, environment: ["PORT": "9123"])
        #expect(config.services[0].settings.streams[0].endpoint == "ws://127.0.0.1:9123")
    }

    @Test func missingVariableNamesPathAndVariableButNoValue() {
        #expect {
            try ServiceConfiguration(text: Self.example, environment: ["BINANCE_API_KEY": "key-AKIA1234"])
        } throws: { error in
            let text = "\(error)"
            return text.contains("service.mm_demo.setting.apis[0].api_secret: environment variable BINANCE_API_SECRET is not set")
                && !text.contains("AKIA1234")
        }
    }

    @Test func invalidEntriesNameTheirKeyPaths() throws {
        let text = """
            {"service.bad": {"class_name": "PingPongService", "setting": {
               "streams": [{"exchange": "binanse", "currency_pairs": ["BTC-USDT"], "subscribe_channels": ["ticker"]},
                           {"exchange": "binance", "currency_pairs": ["BTCUSDT-XYZ-1-2-3-4", 7], "subscribe_channels": ["tickers"]},
                           {"exchange": "binance", "currency_pairs": ["BTC-USDT"], "subscribe_channels": ["trade"], "endpoint": "http://x"}],
               "ipc_command_subscribers": "process_b"}},
             "service.other": {"class_name": "NoSuchService"}}
            """
        let error = try #require(throws: ConfigurationError.self) { try ServiceConfiguration(text: text, environment: [:]) }
        let paths = Set(error.issues.map(\.path))
        #expect(paths == [
            "service.bad.setting.streams[0].exchange",
            "service.bad.setting.streams[1].currency_pairs[0]",
            "service.bad.setting.streams[1].currency_pairs[1]",
            "service.bad.setting.streams[1].subscribe_channels[0]",
            "service.bad.setting.streams[2].endpoint",
            "service.bad.setting.ipc_command_subscribers",
            "service.other.class_name",
        ], "\(error)")
        let byPath = Dictionary(error.issues.map { ($0.path, $0.message) }, uniquingKeysWith: { a, _ in a })
        #expect(byPath["service.bad.setting.streams[0].exchange"]?.contains("unknown exchange 'binanse'; known:") == true)
        #expect(byPath["service.bad.setting.streams[1].subscribe_channels[0]"]?.contains("valid:") == true)
        #expect(byPath["service.bad.setting.streams[2].endpoint"]?.contains("ws://") == true)
        #expect(byPath["service.other.class_name"]?.contains("registered: ConsoleService") == true)
    }

    @Test func unknownKeysAreWarnedByPath() throws {
        let config = try ServiceConfiguration(text: """
            {"service.c": {"class_name": "ConsoleService", "setting": {"mode": "plain", "strems": [],
              "streams": [{"exchange": "binance", "currency_pairs": ["BTC-USDT"], "subscribe_channels": ["trade"], "edpoint": "x"}]}},
             "services.typo": {}}
            """, environment: [:])
        #expect(Set(config.warnings.map(\.path)) == ["service.c.setting.strems", "service.c.setting.streams[0].edpoint", "services.typo"])
    }

    @Test func notJSONSaysWhere() {
        let error = #expect(throws: ConfigurationError.self) { try ServiceConfiguration(text: "{\n\"service.a\": {,}\n}", environment: [:]) }
        #expect(error?.issues.first?.message.contains("line 2") == true, "\(String(describing: error))")
    }
}
