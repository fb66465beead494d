public import HFTCore

/// How an exchange writes instrument names, per market kind: a template with placeholders, letter case and
/// asset aliases. Generated from a spec's `symbols` section.
///
/// Placeholders: `{base}`, `{quote}`, and for dated contracts `{yyyy}`, `{yy}`, `{mm}`, `{dd}`.
/// Example: OKX futures `{base}-{quote}-{yy}{mm}{dd}` turns `BTC-USD-22K27` into `BTC-USD-220527`.
public struct SymbolFormat: Sendable, Hashable {
    public enum LetterCase: String, Sendable, Hashable {
        case upper, lower, asIs = "as_is"
    }

    public let template: String
    public let letterCase: LetterCase

    public init(template: String, letterCase: LetterCase = .asIs) {
        self.template = template
        self.letterCase = letterCase
    }

    /// The native name of `instrument`, with `aliases` (normalized asset → exchange asset, e.g. BTC → XBT)
    /// applied to base and quote.
    public func render(_ instrument: Instrument, aliases: [String: String]) -> String {
        var out = template
        out = out.replacingAll("{base}", with: aliases[instrument.base] ?? instrument.base)
        out = out.replacingAll("{quote}", with: aliases[instrument.quote] ?? instrument.quote)
        if case .future(let expiry) = instrument.kind {
            out = out.replacingAll("{yyyy}", with: String(expiry.year))
            out = out.replacingAll("{yy}", with: Self.twoDigits(expiry.year % 100))
            out = out.replacingAll("{mm}", with: Self.twoDigits(expiry.month))
            out = out.replacingAll("{dd}", with: Self.twoDigits(expiry.day))
        }
        switch letterCase {
        case .upper: return out.uppercased()
        case .lower: return out.lowercased()
        case .asIs: return out
        }
    }

    static func twoDigits(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
