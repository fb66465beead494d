import HFTCore
import HFTIPC
let binance = ExchangeID(rawValue: "binance")!
let btc = Instrument("BTC-USDT")!
func ticker(_ i: Int) -> MarketEvent {
    .ticker(Ticker(
        exchange: binance, instrument: btc,
        bidPrice: ExactDecimal(mantissa64: 6_400_001_000_000 + Int64(i % 1000), scale: 8), bidSize: ExactDecimal(mantissa64: 123_456_000, scale: 8),
        askPrice: ExactDecimal(mantissa64: 6_400_002_000_000, scale: 8), askSize: ExactDecimal(mantissa64: 50_000_000, scale: 8),
        exchangeTime: Timestamp(nanosecondsSinceEpoch: 1_700_000_000_000_000_000 + Int64(i)),
        receiveTime: Timestamp(nanosecondsSinceEpoch: 1_700_000_000_000_100_000 + Int64(i))))
}
let n = Int(CommandLine.arguments.dropFirst().first ?? "100000")!
let mode = CommandLine.arguments.dropFirst(2).first ?? "both"
let events = (0..<1000).map(ticker)
let encoder = MarketDataEncoder()
let names = MarketDataEncoder.Names(exchange: "binance", instrument: "BTC-USDT")
var decoder = MarketDataDecoder()
let topic = Array("BTC-USDT ".utf8)
var checksum: Int64 = 0
let saved = Array(encoder.encode(events[0], names: names, sequence: 1, publishTime: .now()))
topic.withUnsafeBytes { t in
    for i in 0..<n {
        if mode == "decode" {
            saved.withUnsafeBytes { b in
                guard case .ticker(let e) = try! decoder.decode(topic: t, payload: b).event else { fatalError() }
                checksum &+= e.receiveTime.nanosecondsSinceEpoch
            }
            continue
        }
        let bytes = encoder.encode(events[i % 1000], names: names, sequence: UInt64(i + 1), publishTime: Timestamp(nanosecondsSinceEpoch: 1_700_000_000_000_200_000))
        if mode == "encode" { checksum &+= Int64(bytes.count); continue }
        guard case .ticker(let e) = try! decoder.decode(topic: t, payload: bytes).event else { fatalError() }
        checksum &+= e.receiveTime.nanosecondsSinceEpoch
    }
}
print(checksum)
