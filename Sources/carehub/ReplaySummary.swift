import CareHubCore
import CareHubService
import Foundation

/// The end-of-replay report: what was fed, and the incidents raised by kind and by day.
struct ReplaySummary {
    let outcome: Replayer.Outcome
    let unmapped: [String: Int]
    let unreadable: UnreadableLines
    let timeZone: String
    let elapsed: Duration

    func print(format: OutputFormat) {
        var clock = LocalClock(identifier: timeZone) ?? LocalClock(timeZone: .gmt)
        var byDay: [String: [String: Int]] = [:]
        var byKind: [String: Int] = [:]
        for incident in outcome.raised {
            let day = dayText(incident.at, clock: &clock)
            byDay[day, default: [:]][incident.kind.rawValue, default: 0] += 1
            byKind[incident.kind.rawValue, default: 0] += 1
        }
        let kinds = byKind.keys.sorted()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        switch format {
        case .json:
            let days = byDay.keys.sorted().map { day in
                JSONText.object([("day", JSONText.quoted(day))] + kinds.map { ($0, String(byDay[day]?[$0] ?? 0)) })
            }
            Swift.print(JSONText.object([
                ("lines", String(outcome.lines)), ("events", String(outcome.events)), ("duplicates", String(outcome.duplicates)),
                ("refused", String(outcome.refused)), ("timer_firings", String(outcome.timerFirings)),
                ("first", outcome.firstLine.map { JSONText.quoted(RFC3339.format($0)) } ?? "null"),
                ("last", outcome.lastLine.map { JSONText.quoted(RFC3339.format($0)) } ?? "null"),
                ("until", outcome.until.map { JSONText.quoted(RFC3339.format($0)) } ?? "null"),
                ("seconds", String(format: "%.3f", seconds)),
                ("incidents_by_kind", JSONText.object(kinds.map { ($0, String(byKind[$0] ?? 0)) })),
                ("incidents_by_day", "[" + days.joined(separator: ",") + "]"),
                ("unmapped_sensors", JSONText.object(unmapped.sorted { $0.key < $1.key }.map { ($0.key, String($0.value)) })),
                ("unreadable_lines", String(unreadable.count)),
                ("unreadable", "[" + unreadable.first.map(JSONText.quoted).joined(separator: ",") + "]"),
            ]))
        case .csv:
            Swift.print((["day"] + kinds).joined(separator: ","))
            for day in byDay.keys.sorted() {
                Swift.print(([day] + kinds.map { String(byDay[day]?[$0] ?? 0) }).joined(separator: ","))
            }
        case .table:
            let rate = seconds > 0 ? Double(outcome.lines) / seconds : 0
            Swift.print("Replayed \(outcome.lines) lines (\(outcome.events) events, \(outcome.duplicates) duplicates, \(outcome.refused) refused) "
                        + "in \(String(format: "%.1f", seconds)) s (\(Int(rate)) lines/s); \(outcome.timerFirings) timer firings.")
            if let first = outcome.firstLine, let last = outcome.lastLine, let until = outcome.until {
                Swift.print("From \(RFC3339.format(first)) to \(RFC3339.format(last)); timers up to \(RFC3339.format(until)).")
            }
            if !unmapped.isEmpty {
                Swift.print("Skipped lines of unmapped sensors: " + ReplayInput.Loaded.listing(unmapped))
            }
            if let sentence = unreadable.sentence {
                Swift.print(sentence.prefix(1).uppercased() + sentence.dropFirst())
            }
            Swift.print("\nIncidents by kind: " + (kinds.isEmpty ? "none" : kinds.map { "\($0) \(byKind[$0] ?? 0)" }.joined(separator: ", ")))
            guard !kinds.isEmpty else { return }
            Swift.print("\nIncidents by day (\(timeZone))")
            let header = ["DAY"] + kinds.map { $0.uppercased() }
            let rows = byDay.keys.sorted().map { day in [day] + kinds.map { String(byDay[day]?[$0] ?? 0) } }
            let widths = header.indices.map { column in max(header[column].count, rows.map { $0[column].count }.max() ?? 0) }
            for row in [header] + rows {
                Swift.print(row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  "))
            }
        }
    }

    private func dayText(_ date: Date, clock: inout LocalClock) -> String {
        let (year, month, day) = RFC3339.civilFromDays(Int(clock.localDay(at: date.millisecondsSince1970)))
        return String(format: "%04d-%02d-%02d", year, month, day)
    }
}
