import CareHubCore
import CareHubRecords
import Foundation

/// Prints records as a table, JSON or CSV on standard output.
struct RecordPrinter {
    var format: OutputFormat
    var timeZone: TimeZone
    var now: Date
    var colour: Bool

    init(format: OutputFormat?, timeZoneIdentifier: String, now: Date = Date()) {
        self.format = format ?? .table
        timeZone = TimeZone(identifier: timeZoneIdentifier) ?? .gmt
        self.now = now
        colour = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    /// A list: one JSON array, a CSV with a header, or a table of `columns` (all fields when nil).
    func printList(_ records: [OutputRecord], columns: [String]? = nil, empty: String) {
        switch format {
        case .json:
            print(records.isEmpty ? "[]" : "[\n" + records.map { "  " + $0.jsonText }.joined(separator: ",\n") + "\n]")
        case .csv:
            guard let first = records.first else {
                return
            }
            print(first.fields.map { CSVCell.text($0.name) }.joined(separator: ","))
            for record in records {
                print(record.fields.map { csvField($0.value) }.joined(separator: ","))
            }
        case .table:
            guard let first = records.first else {
                print(empty)
                return
            }
            let names = columns ?? first.fields.map(\.name)
            let rows = records.map { record in names.map { tableText(record[$0], column: $0) } }
            printTable(headers: names.map { $0.uppercased().replacingOccurrences(of: "_", with: " ") }, rows: rows,
                       highlight: records.map { highlight(for: $0) })
        }
    }

    /// One object: JSON object, a two-column CSV, or `name: value` lines.
    func printObject(_ record: OutputRecord) {
        switch format {
        case .json:
            print(record.jsonText)
        case .csv:
            print("field,value")
            for field in record.fields { print(CSVCell.text(field.name) + "," + csvField(field.value)) }
        case .table:
            let width = record.fields.map(\.name.count).max() ?? 0
            for field in record.fields {
                let label = field.name.replacingOccurrences(of: "_", with: " ")
                print(label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + tableText(field.value, column: field.name))
            }
        }
    }

    func tableText(_ value: OutputValue, column: String) -> String {
        switch value {
        case .null: return "-"
        case .time(let date): return localTime(date)
        case .boolean(let flag): return flag ? "yes" : "no"
        default: return value.plainText
        }
    }

    /// "10:15:02" today, "Sat 28 Nov 22:40" this week, "2026-11-01 09:00" before, in the hub's time zone.
    func localTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = timeZone
        if calendar.isDate(date, inSameDayAs: now) {
            formatter.dateFormat = "HH:mm:ss"
        } else if abs(now.timeIntervalSince(date)) < 6 * 86_400 {
            formatter.dateFormat = "EEE d MMM HH:mm"
        } else {
            formatter.dateFormat = "yyyy-MM-dd HH:mm"
        }
        return formatter.string(from: date)
    }

    /// "45s", "12m", "3h05m", "2d4h".
    static func age(from date: Date, to now: Date) -> String {
        OutputRecord.age(from: date, to: now)
    }

    private func highlight(for record: OutputRecord) -> String? {
        guard colour, case .text(let priority) = record["priority"], case .text(let state) = record["state"], state != "resolved" else {
            return nil
        }
        switch priority {
        case Priority.emergency.rawValue: return "\u{1B}[1;31m"
        case Priority.urgent.rawValue: return "\u{1B}[33m"
        default: return nil
        }
    }

    private func printTable(headers: [String], rows: [[String]], highlight: [String?]) {
        let widths = headers.indices.map { column in
            max(headers[column].count, rows.map { $0[column].count }.max() ?? 0)
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        print(colour ? "\u{1B}[1m" + line(headers) + "\u{1B}[0m" : line(headers))
        for (row, start) in zip(rows, highlight) {
            if let start { print(start + line(row) + "\u{1B}[0m") } else { print(line(row)) }
        }
    }

    /// Text is neutralised against spreadsheet formulas; numbers, times and the program's own JSON are not.
    private func csvField(_ value: OutputValue) -> String {
        if case .text(let text) = value { return CSVCell.text(text) }
        return CSVCell.number(value.plainText)
    }
}
