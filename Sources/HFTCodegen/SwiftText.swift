func indent(_ text: String, _ spaces: Int = 4) -> String {
    let pad = String(repeating: " ", count: spaces)
    return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n")
}

/// Quoting text for the generated sources.
enum SwiftText {
    /// A Swift string literal (also usable as a `StaticString`).
    static func literal(_ text: String) -> String {
        quote(text) { "\\u{\(String($0, radix: 16))}" }
    }

    /// A JSON string literal.
    static func jsonQuote(_ text: String) -> String {
        quote(text) { value in
            let hex = String(value, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
    }

    /// `text` in double quotes with `"`, `\\` and control characters escaped; `control` spells the others.
    private static func quote(_ text: String, control: (UInt32) -> String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += control(scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
