public import HFTAdapters
public import HFTCore

/// Reads the REST order-book snapshots that REST sync recipes need (``BookIntegrity/Continuity/needsRESTSnapshot``).
///
/// Binance spot (`/api/v3/depth`) and USD-M (`/fapi/v1/depth`) answer
/// `{"lastUpdateId":N, ["E":…, "T":…,] "bids":[["price","qty"],…], "asks":[…]}`; the result is a snapshot
/// ``BookUpdate`` whose `sequence.last` is `lastUpdateId`, ready for ``BookSync/receiveSnapshot(_:)``.
/// The body format belongs to the continuity recipe, so specs name no parser for it.
///
/// Not a hot path (one request per resync), but it still parses in place with ``JSONScanner``.
public enum RESTBookSnapshot {
    /// Parses a Binance depth body; errors name the field.
    public static func binanceDepth(
        _ body: UnsafeRawBufferPointer, exchange: ExchangeID, instrument: Instrument, receiveTime: Timestamp
    ) throws(FrameFailure) -> BookUpdate {
        var s = JSONScanner(body)
        var lastUpdateID: UInt64?
        var exchangeTime: Timestamp?
        var bids: [BookLevel] = []
        var asks: [BookLevel] = []
        try s.beginObject()
        var first = true
        while let key = try s.nextKey(first: &first) {
            if key.equals("lastUpdateId") {
                guard let id = try s.scalar().span.unsigned() else { throw FrameFailure(field: "$.lastUpdateId", reason: .invalidValue) }
                lastUpdateID = id
            } else if key.equals("E") {
                exchangeTime = try FieldValues.timestamp(try s.scalar(), .integer(.milliseconds), "$.E")
            } else if key.equals("bids") {
                bids = try levels(&s, "$.bids")
            } else if key.equals("asks") {
                asks = try levels(&s, "$.asks")
            } else {
                try s.skipValue()
            }
        }
        guard let lastUpdateID else { throw FrameFailure(field: "$.lastUpdateId", reason: .missingField) }
        return BookUpdate(exchange: exchange, instrument: instrument, kind: .snapshot, bids: bids, asks: asks,
                          sequence: BookSequence(last: lastUpdateID), exchangeTime: exchangeTime, receiveTime: receiveTime)
    }

    /// `[["price","qty"], …]`
    static func levels(_ s: inout JSONScanner, _ field: StaticString) throws(FrameFailure) -> [BookLevel] {
        var out: [BookLevel] = []
        try s.beginArray()
        var first = true
        while try s.nextElement(first: &first) {
            try s.beginArray()
            var inner = true
            guard try s.nextElement(first: &inner) else { throw FrameFailure(field: field, reason: .missingField) }
            let price = try FieldValues.decimal(try s.scalar(), field)
            guard try s.nextElement(first: &inner) else { throw FrameFailure(field: field, reason: .missingField) }
            let size = try FieldValues.decimal(try s.scalar(), field)
            while try s.nextElement(first: &inner) { try s.skipValue() }
            out.append(BookLevel(price: price, size: size))
        }
        return out
    }
}
