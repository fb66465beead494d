/// A path into a frame, as specs write them: `$.data.p`, `$[1][*][0]`, `$[-1]`, `@.px`, `@[0]`.
///
/// `$` is the frame's root; `@` is the current element (of the message's `each` array, or of a level
/// array). `[*]` means every element; negative indices count from the end.
public struct SpecPath: Sendable, Hashable, CustomStringConvertible {
    public enum Root: Sendable, Hashable {
        case frame, element
    }

    public enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
        case every
    }

    public let root: Root
    public let steps: [Step]
    /// The path as written in the spec.
    public let text: String

    public init(root: Root, steps: [Step], text: String) {
        self.root = root
        self.steps = steps
        self.text = text
    }

    /// Parses path text, or returns a message saying what is wrong.
    public static func parse(_ text: String) -> Result<SpecPath, PathError> {
        let chars = Array(text)
        guard let first = chars.first, first == "$" || first == "@" else {
            return .failure(PathError("a path starts with $ (the frame) or @ (the current element)"))
        }
        var steps: [Step] = []
        var i = 1
        while i < chars.count {
            switch chars[i] {
            case ".":
                i += 1
                let start = i
                while i < chars.count, chars[i] != ".", chars[i] != "[" { i += 1 }
                guard i > start else { return .failure(PathError("empty member name after '.' at character \(start)")) }
                steps.append(.key(String(chars[start..<i])))
            case "[":
                i += 1
                let start = i
                while i < chars.count, chars[i] != "]" { i += 1 }
                guard i < chars.count else { return .failure(PathError("missing ']'")) }
                let inside = String(chars[start..<i])
                i += 1
                if inside == "*" {
                    steps.append(.every)
                } else if let n = Int(inside) {
                    steps.append(.index(n))
                } else {
                    return .failure(PathError("'[\(inside)]' is neither an index nor [*]"))
                }
            default:
                return .failure(PathError("unexpected '\(chars[i])' at character \(i); use .name, [index] or [*]"))
            }
        }
        return .success(SpecPath(root: first == "$" ? .frame : .element, steps: steps, text: text))
    }

    public var description: String { text }

    /// The path ends with `[*]` (it names an array whose elements are visited one by one).
    public var endsWithEvery: Bool { steps.last == .every }

    /// This path without its last step.
    public var dropLast: SpecPath {
        SpecPath(root: root, steps: Array(steps.dropLast()), text: text)
    }
}

public struct PathError: Error, Sendable {
    public let message: String
    init(_ message: String) { self.message = message }
}
