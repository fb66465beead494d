/// An instrument's decimals for prices and quantities, as Kraken's `instrument` channel gives them
/// (`price_precision`, `qty_precision` of each pair): `kraken_v2_crc32_top10` formats the JSON numbers of the
/// book with them. Fed per instrument with ``BookKeeper/setPrecision(_:_:)`` (or ``BookSync/setPrecision(_:)``).
public struct BookPrecision: Sendable, Hashable {
    /// Decimals of prices.
    public let price: UInt8
    /// Decimals of quantities.
    public let quantity: UInt8

    /// nil when either is negative or above 18 (no exchange uses more; the checksum text has room for 18).
    public init?(price: Int, quantity: Int) {
        guard (0...18).contains(price), (0...18).contains(quantity) else { return nil }
        self.price = UInt8(price)
        self.quantity = UInt8(quantity)
    }
}
