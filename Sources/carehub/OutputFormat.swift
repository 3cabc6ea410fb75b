import ArgumentParser
import CareHubCore
import Foundation

/// How records are printed: `table` for people (the default), `json` and `csv` for programs.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

/// A value in a printed record.
enum OutputValue {
    case null
    case text(String)
    case integer(Int64)
    case number(Double)
    case boolean(Bool)
    case time(Date)
    /// Already JSON (nested objects, event values).
    case json(String)

    static func optionalText(_ text: String?) -> OutputValue { text.map(OutputValue.text) ?? .null }
    static func optionalTime(_ date: Date?) -> OutputValue { date.map(OutputValue.time) ?? .null }

    var jsonText: String {
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
    var plainText: String {
        switch self {
        case .null: ""
        case .text(let text): text
        case .time(let date): RFC3339.format(date)
        case .json(let json): json
        default: jsonText
        }
    }
}

/// One record: named fields in a stable order.
struct OutputRecord {
    var fields: [(name: String, value: OutputValue)]

    subscript(name: String) -> OutputValue {
        fields.first { $0.name == name }?.value ?? .null
    }

    var jsonText: String {
        "{" + fields.map { JSONText.quoted($0.name) + ":" + $0.value.jsonText }.joined(separator: ",") + "}"
    }
}
