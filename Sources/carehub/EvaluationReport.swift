import CareHubCore
import CareHubService
import Foundation

/// `carehub evaluate`'s table: per home and mode, the false urgent incidents after learning and the detection delays
/// of the simulated collapses.
struct EvaluationReport {
    let results: [HomeEvaluation]

    func print(format: OutputFormat) {
        switch format {
        case .json:
            Swift.print("[" + results.map(json).joined(separator: ",") + "]")
        case .csv, .table:
            let header = ["home", "mode", "days", "false_urgent", "per_month", "kinds", "collapses", "detected", "median_h", "p90_h", "max_h",
                          "trends"]
            let rows = results.map(row)
            if format == .csv {
                Swift.print(header.joined(separator: ","))
                for row in rows { Swift.print(row.map { CSVCell.text($0) }.joined(separator: ",")) }
            } else {
                let widths = header.indices.map { column in ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0 }
                for line in [header] + rows {
                    Swift.print(line.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                        .joined(separator: "  "))
                }
            }
        }
    }

    private func row(_ result: HomeEvaluation) -> [String] {
        let detected = result.delays.compactMap { $0 }
        return [
            result.home, result.label, String(format: "%.1f", result.daysCounted), String(result.falseUrgent.count),
            result.falseUrgentPerMonth.map { String(format: "%.2f", $0) } ?? "-", kinds(result), String(result.delays.count),
            String(detected.count), hours(percentile(detected, 0.5)), hours(percentile(detected, 0.9)), hours(detected.max()),
            result.trends.map { "\($0.kind.rawValue) \(RFC3339.format($0.at).prefix(10))" }.joined(separator: "; "),
        ]
    }

    private func json(_ result: HomeEvaluation) -> String {
        let detected = result.delays.compactMap { $0 }
        func number(_ value: Double?) -> String { value.map { JSONText.number($0) } ?? "null" }
        return JSONText.object([
            ("home", JSONText.quoted(result.home)), ("mode", JSONText.quoted(result.label)),
            ("suggested_settings", result.suggestedSettings.map(settingsObject) ?? "null"),
            ("reviews", result.reviews.map { reviews in
                "[" + reviews.map { JSONText.object([("at", JSONText.quoted(RFC3339.format($0.at))), ("taken", settingsObject($0.taken))]) }
                    .joined(separator: ",") + "]"
            } ?? "null"),
            ("counted_from", result.countedFrom.map { JSONText.quoted(RFC3339.format($0)) } ?? "null"),
            ("first", JSONText.quoted(RFC3339.format(result.first))), ("last", JSONText.quoted(RFC3339.format(result.last))),
            ("learned_at", result.learnedAt.map { JSONText.quoted(RFC3339.format($0)) } ?? "null"),
            ("days_counted", JSONText.number(result.daysCounted)), ("days_without_data", JSONText.number(result.daysWithoutData)),
            ("false_urgent", String(result.falseUrgent.count)),
            ("false_urgent_per_month", number(result.falseUrgentPerMonth)),
            ("false_urgent_incidents", "[" + result.falseUrgent.map {
                JSONText.object([("kind", JSONText.quoted($0.kind.rawValue)), ("at", JSONText.quoted(RFC3339.format($0.at))),
                                 ("summary", JSONText.quoted($0.summary))])
            }.joined(separator: ",") + "]"),
            ("collapses", String(result.delays.count)), ("detected", String(detected.count)),
            ("delay_median_seconds", number(percentile(detected, 0.5))), ("delay_p90_seconds", number(percentile(detected, 0.9))),
            ("delay_max_seconds", number(detected.max())),
            ("delays_seconds", "[" + result.delays.map(number).joined(separator: ",") + "]"),
            ("collapse_cuts", "[" + result.cuts.map { JSONText.quoted(RFC3339.format($0)) }.joined(separator: ",") + "]"),
            ("collapse_detections", "[" + result.detections.map { found in
                found.map { JSONText.object([("kind", JSONText.quoted($0.kind.rawValue)), ("summary", JSONText.quoted($0.summary))]) } ?? "null"
            }.joined(separator: ",") + "]"),
            ("trends", "[" + result.trends.map {
                JSONText.object([("kind", JSONText.quoted($0.kind.rawValue)), ("at", JSONText.quoted(RFC3339.format($0.at))),
                                 ("summary", JSONText.quoted($0.summary))])
            }.joined(separator: ",") + "]"),
        ])
    }

    private func settingsObject(_ values: [String: String]) -> String {
        JSONText.object(values.sorted { $0.key < $1.key }.map { ($0.key, JSONText.quoted($0.value)) })
    }

    private func kinds(_ result: HomeEvaluation) -> String {
        var counts: [String: Int] = [:]
        for incident in result.falseUrgent { counts[incident.kind.rawValue, default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; ")
    }

    /// The nearest-rank percentile.
    private func percentile(_ values: [Double], _ fraction: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1))]
    }

    private func hours(_ seconds: Double?) -> String { seconds.map { String(format: "%.2f", $0 / 3600) } ?? "-" }
}
