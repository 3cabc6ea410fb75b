import CareHubCore
import Foundation

/// A value in a printed record.
public enum OutputValue: Sendable {
    case null
    case text(String)
    case integer(Int64)
    case number(Double)
    case boolean(Bool)
    case time(Date)
    /// Already JSON (nested objects, event values).
    case json(String)

    public static func optionalText(_ text: String?) -> OutputValue { text.map(OutputValue.text) ?? .null }
    public static func optionalTime(_ date: Date?) -> OutputValue { date.map(OutputValue.time) ?? .null }

    public var jsonText: String {
        switch self {
        case .null: "null"
        case .text(let text): JSONText.quoted(text)
        case .integer(let value): String(value)
        case .number(let value): JSONText.number(value)
        case .boolean(let flag): flag ? "true" : "false"
        case .time(let date): JSONText.quoted(RFC3339.format(date))
        case .json(let json): json
        }
    }

    /// For CSV: times in RFC 3339 UTC, null as empty.
    public var plainText: String {
        switch self {
        case .null: ""
        case .text(let text): text
        case .time(let date): RFC3339.format(date)
        case .json(let json): json
        default: jsonText
        }
    }
}
