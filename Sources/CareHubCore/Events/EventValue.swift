/// The validated `value` of an event.
public enum EventValue: Sendable, Equatable, Hashable {
    case none
    case boolean(Bool)
    case text(String)
    case number(Double)

    /// The value as JSON text, as stored and printed (`null` for none).
    public var jsonText: String {
        switch self {
        case .none: "null"
        case .boolean(let flag): flag ? "true" : "false"
        case .text(let text): JSONText.quoted(text)
        case .number(let number): JSONText.number(number)
        }
    }

    public var boolean: Bool? {
        if case .boolean(let flag) = self { return flag }
        return nil
    }

    public var number: Double? {
        if case .number(let number) = self { return number }
        return nil
    }

    public var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    /// Parses what `jsonText` produced.
    public init(jsonText: String) {
        switch jsonText {
        case "null", "": self = .none
        case "true": self = .boolean(true)
        case "false": self = .boolean(false)
        default:
            if jsonText.hasPrefix("\""), let value = try? JSONValue.parse(Array(jsonText.utf8)), case .string(let text) = value {
                self = .text(text)
            } else if let number = Double(jsonText) {
                self = .number(number)
            } else {
                self = .text(jsonText)
            }
        }
    }
}
