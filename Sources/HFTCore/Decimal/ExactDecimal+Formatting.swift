/// Printing decimals: the canonical form (``description``) and the scale-preserving form (``plainText``).
extension ExactDecimal: CustomStringConvertible {
    /// Canonical text: no exponent, no trailing fractional zeros, no `-0` (`"6195.00000000"` → `"6195"`,
    /// `1e-8` → `"0.00000001"`).
    public var description: String {
        normalized.plainText
    }

    /// Text with the scale as received (`"6195.00000000"` stays `"6195.00000000"`): reproduces an exchange's
    /// decimal string exactly, as checksums require. Exponent input prints in plain form (`5.5E+3` → `"5500"`).
    public var plainText: String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxTextLength) { buffer in
            let count = writePlain(into: UnsafeMutableRawBufferPointer(buffer))
            return String(decoding: buffer[..<count], as: UTF8.self)
        }
    }

    /// Writes ``plainText`` as UTF-8 into `buffer` and returns the number of bytes written. Allocates nothing.
    /// - Precondition: `buffer.count >= ExactDecimal.maxTextLength`.
    @discardableResult
    public func writePlain(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(buffer.count >= Self.maxTextLength, "buffer shorter than ExactDecimal.maxTextLength")
        // Render the magnitude's digits backwards into the tail of a 40-byte scratch area.
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { scratch -> Int in
            var end = scratch.count
            var magnitude = mantissa.magnitude
            repeat {
                if magnitude <= UInt128(UInt64.max) {
                    var small = UInt64(magnitude)
                    repeat {
                        end -= 1
                        scratch[end] = UInt8(truncatingIfNeeded: small % 10) + 48
                        small /= 10
                    } while small != 0
                    magnitude = 0
                } else {
                    end -= 1
                    scratch[end] = UInt8(truncatingIfNeeded: magnitude % 10) + 48
                    magnitude /= 10
                }
            } while magnitude != 0
            var digitCount = scratch.count - end
            // Zero-pad so that at least one digit stands before the decimal point.
            let scale = Int(self.scale)
            while digitCount <= scale {
                end -= 1
                scratch[end] = 48
                digitCount += 1
            }
            var out = 0
            if mantissa < 0 {
                buffer[out] = UInt8(ascii: "-")
                out += 1
            }
            let integerDigits = digitCount - scale
            for k in 0..<integerDigits {
                buffer[out] = scratch[end + k]
                out += 1
            }
            if scale > 0 {
                buffer[out] = UInt8(ascii: ".")
                out += 1
                for k in integerDigits..<digitCount {
                    buffer[out] = scratch[end + k]
                    out += 1
                }
            }
            return out
        }
    }
}
