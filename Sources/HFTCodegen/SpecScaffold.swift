/// The text of a new spec with every section present and explained (`hft spec new <name>`). JSON has no
/// comments, so explanations sit in `$comment` members, which the compiler ignores.
public enum SpecScaffold {
    public static func render(exchange: String) -> String {
        """
        {
          "$schema": "./exchange-spec.schema.json",
          "$comment": "Spec for \(exchange). Language reference: docs/spec-language.md. Build with `swift build`; run the generated conformance tests with `swift test --filter \(exchange)`.",
          "exchange": "\(exchange)",
          "title": "TODO: human title",
          "documentation": "https://TODO/the/api/documentation/this/spec/follows",
          "symbols": {
            "$comment": "Native name per market kind: placeholders {base} {quote}, and {yy} {mm} {dd} {yyyy} for futures. aliases: normalized asset -> exchange asset.",
            "spot": {"template": "{base}-{quote}", "case": "upper"},
            "aliases": {}
          },
          "channels": {
            "$comment": "HFTKit channel -> the exchange's name. 'stream' is the stream-name template for subscriptions in the URL; 'parameters' fill other placeholders; 'subscribe' overrides the message template.",
            "trade": {"native": "trades"}
          },
          "connections": [
            {
              "$comment": "One entry per endpoint. subscription: url ({streams} in the URL) or messages. maxStreams shards symbols over connections.",
              "name": "public",
              "url": "wss://TODO",
              "channels": ["trade"],
              "subscription": "messages",
              "maxStreams": 100,
              "maxLifetimeSeconds": 86400
            }
          ],
          "subscribe": {
            "$comment": "grouping: per_channel ({symbols} list), per_symbol ({symbol}) or arguments ({args} built from 'argument'). Placeholders: {channel} {symbol} {symbols} {args} {id}.",
            "grouping": "per_channel",
            "message": {"op": "subscribe", "channel": "{channel}", "symbols": "{symbols}"},
            "unsubscribe": {"op": "unsubscribe", "channel": "{channel}", "symbols": "{symbols}"}
          },
          "heartbeat": {
            "$comment": "ping: none, frame, {\\"text\\": \\"ping\\"} or {\\"json\\": {...}}. A connection silent for staleAfterSeconds is closed and reopened.",
            "ping": "frame",
            "intervalSeconds": 20,
            "staleAfterSeconds": 30
          },
          "reconnect": {"backoffSeconds": [0.5, 1, 2, 4, 8, 16, 30], "jitter": 0.2},
          "book": {
            "$comment": "continuity: none, binance_spot, binance_futures, okx_seq_id, increment, connection_increment. checksum: none, kraken_crc32_top10, kraken_v2_crc32_top10, okx_crc32_top25.",
            "continuity": "none",
            "checksum": "none"
          },
          "messages": [
            {"$comment": "Rules are tried in order; the first whose 'when' conditions all hold decides the kind.",
             "kind": "pong", "text": "pong", "control": "pong"},
            {"kind": "subscribed", "when": {"$.event": "subscribed"}, "control": "ack"},
            {"kind": "error", "when": {"$.event": "error"}, "control": "error"},
            {"$comment": "'each' makes one event per element; '@' paths read the element, '$' paths the frame.",
             "kind": "trade", "when": {"$.channel": "trades"}, "emit": "trade", "each": "$.data[*]",
             "fields": {
               "symbol": "@.symbol",
               "price": "@.price",
               "size": "@.size",
               "side": {"path": "@.side", "map": {"buy": "buy", "sell": "sell"}},
               "tradeId": "@.id",
               "exchangeTime": {"path": "@.time", "time": "ms"}
             }}
          ],
          "conformance": {
            "$comment": "captures: files in Tests/ExchangeConformanceTests/Captures with frames/events per kind counted independently (countCommand). cases: one frame and the events written by hand from it.",
            "cases": [
              {"name": "one trade", "source": "TODO: where the frame comes from",
               "frame": "{\\"channel\\":\\"trades\\",\\"data\\":[{\\"symbol\\":\\"BTC-USD\\",\\"price\\":\\"100.5\\",\\"size\\":\\"0.1\\",\\"side\\":\\"buy\\",\\"id\\":\\"1\\",\\"time\\":1700000000000}]}",
               "events": [{"exchange": "\(exchange)", "symbol": "BTC-USD", "channel": "trade", "kind": "trade", "exchangeTime": 1700000000000000000,
                           "price": "100.5", "size": "0.1", "side": "buy", "tradeId": "1"}]}
            ]
          }
        }

        """
    }
}
