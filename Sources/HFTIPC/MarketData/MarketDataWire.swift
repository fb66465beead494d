public import HFTCore
import SwiftProtobuf

/// One market-data message as bytes, outside of sockets: for tools, recordings, other transports and benchmarks.
/// The same encoding as ``MarketDataPublisher`` and ``MarketDataSubscriber`` (docs/ipc.md).
///
/// Thread safety: stateless; any thread. Not for hot paths (names are read from the intern tables, with a lock).
public enum MarketDataWire {
    /// The topic frame of `event` (its normalized instrument and a space).
    public static func topic(of event: MarketEvent) -> [UInt8] { MarketDataTopic.bytes(event.instrument.description) }

    /// The protobuf payload of `event` (`hftkit.marketdata.MarketEvent`), as ``MarketDataPublisher`` sends it.
    public static func payload(of event: MarketEvent, sequence: UInt64 = 1, publishTime: Timestamp = .now()) -> [UInt8] {
        let names = MarketDataEncoder.Names(exchange: event.exchange.rawValue, instrument: event.instrument.description)
        return Array(MarketDataEncoder().encode(event, names: names, sequence: sequence, publishTime: publishTime))
    }

    /// The event of a payload, decoded by SwiftProtobuf (the reference decoding; ``MarketDataDecoder`` decodes
    /// received topic + payload pairs, with a fast path for tickers and trades).
    /// - Throws: ``MarketDataDecodingError`` when it is not a valid message.
    public static func event(fromPayload bytes: [UInt8]) throws(MarketDataDecodingError) -> MarketEvent {
        let message: MarketDataCodec.Message
        do {
            message = try MarketDataCodec.Message(serializedBytes: bytes)
        } catch {
            throw MarketDataDecodingError(field: "payload", reason: "not a hftkit.marketdata.MarketEvent (\(error))")
        }
        var names = MarketDataCodec.NameCache()
        return try MarketDataCodec.event(message, names: &names)
    }
}
