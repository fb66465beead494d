public import HFTCore

/// Reading the last elements of a frame's root array from its end.
///
/// Kraken spot frames name their channel and pair in the last two elements (`[1664, {...}, "book-10",
/// "XBT/USD"]`). Reading those first lets routing decide, and a parser stop, without walking the payload in
/// between. Only scalars are found this way: strings are delimited backwards by their first quote that is not
/// escaped (preceded by an even number of backslashes), numbers and literals by their characters. When one of
/// the last elements is an object or an array, or the frame does not end like an array, the caller falls back to
/// a forward walk. Offsets found here are read forward again, which validates them.
extension JSONScanner {
    /// Start offsets of the last `n` (at most 4) elements of the frame's root array, last first, into `out`
    /// (-1 where the array has fewer elements). False when the frame is not an array ending in `n` scalars.
    @inlinable
    public func rootTailScalars(_ n: Int, into out: inout (Int, Int, Int, Int)) -> Bool {
        var i = count - 1
        i = Self.skipWhitespaceBackward(base, i)
        guard i > 0, base[i] == UInt8(ascii: "]") else { return false }
        i -= 1
        var k = 0
        while k < n {
            i = Self.skipWhitespaceBackward(base, i)
            guard i >= 0 else { return false }
            let c = base[i]
            let start: Int
            if c == UInt8(ascii: "\"") {
                guard let open = Self.openingQuote(base, before: i) else { return false }
                start = open
            } else if c == UInt8(ascii: "[") {
                // The array ends before n elements: the root's opening bracket, preceded by nothing else.
                return k == 0 && Self.skipWhitespaceBackward(base, i - 1) < 0
            } else if Self.isScalarByte(c) {
                var j = i
                while j >= 0 && Self.isScalarByte(base[j]) { j -= 1 }
                start = j + 1
            } else {
                return false  // an object or array element (or not JSON): walk forward instead
            }
            switch k {
            case 0: out.0 = start
            case 1: out.1 = start
            case 2: out.2 = start
            default: out.3 = start
            }
            k += 1
            i = Self.skipWhitespaceBackward(base, start - 1)
            guard i >= 0 else { return false }
            if base[i] == UInt8(ascii: ",") {
                i -= 1
            } else if base[i] == UInt8(ascii: "[") {
                return Self.skipWhitespaceBackward(base, i - 1) < 0  // fewer than n elements
            } else {
                return false
            }
        }
        return true
    }

    @inlinable @inline(__always)
    static func skipWhitespaceBackward(_ p: UnsafePointer<UInt8>, _ from: Int) -> Int {
        var i = from
        while i >= 0 {
            let b = p[i]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { break }
            i -= 1
        }
        return i
    }

    /// The offset of the quote that opens the string whose closing quote is at `close`.
    @inlinable
    static func openingQuote(_ p: UnsafePointer<UInt8>, before close: Int) -> Int? {
        var j = close - 1
        while j >= 0 {
            #if _endian(little)
            if j >= 7 {
                // Eight bytes at a time, backwards: the highest quote of the word ending at j (the exact test:
                // `bytesEqual` can flag a byte above a match).
                let word = UnsafeRawPointer(p + (j &- 7)).loadUnaligned(as: UInt64.self)
                let quotes = ByteWords.bytesEqualExact(word, 0x2222_2222_2222_2222)
                if quotes == 0 {
                    j &-= 8
                    continue
                }
                j = j &- 7 &+ ((63 &- quotes.leadingZeroBitCount) >> 3)
            }
            #endif
            if p[j] == UInt8(ascii: "\"") {
                var slashes = 0
                var b = j - 1
                while b >= 0 && p[b] == UInt8(ascii: "\\") {
                    slashes += 1
                    b -= 1
                }
                if slashes & 1 == 0 { return j }
            }
            j -= 1
        }
        return nil
    }

    /// Bytes of numbers and of `true`, `false`, `null`.
    @inlinable @inline(__always)
    static func isScalarByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
            || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: "E")
    }
}
