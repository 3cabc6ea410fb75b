import CareHubCore
import CareHubRecords
import CareHubService
import CareHubStore
import Foundation

/// The weekly report's "homes to review": a home that raised a kind with a per-home threshold (`not_up`,
/// `bathroom_long`, `inactivity`) twice or more in the last four weeks, none of them a real emergency. That is the
/// allowance `carehub homes suggest` works to (once a month), so these are the homes where a lead should look at its
/// suggestion, with how the alerts ended: resolved by staff as false alarms, or cleared by themselves when the resident
/// moved. The hub never changes a threshold itself.
struct ThresholdReview {
    /// Days looked back over, and the fewest raises of a kind that make a home worth reviewing.
    static let days = 28
    static let minimumRaised = 2

    struct Row {
        var home: String
        var threshold: ThresholdSuggester.Threshold
        var raised = 0
        var falseAlarms = 0
        var cleared = 0
        var emergency = false
    }

    let rows: [Row]

    /// From the incidents opened in the last `days` (any state).
    init(incidents: [IncidentRecord]) {
        var found: [String: Row] = [:]
        for incident in incidents {
            guard let threshold = ThresholdSuggester.Threshold.allCases.first(where: { $0.kind.rawValue == incident.kind }) else { continue }
            var row = found["\(incident.home)/\(incident.kind)"] ?? Row(home: incident.home, threshold: threshold)
            row.raised += 1
            if incident.outcome == Outcome.falseAlarm.rawValue { row.falseAlarms += 1 }
            if incident.outcome != nil, incident.resolvedBy == IncidentStore.hubActor { row.cleared += 1 }
            if Outcome.isRealEmergency(incident.outcome) { row.emergency = true }
            found["\(incident.home)/\(incident.kind)"] = row
        }
        rows = found.values.filter { $0.raised >= Self.minimumRaised && !$0.emergency }
            .sorted { ($1.raised, $0.home, $0.threshold.key) < ($0.raised, $1.home, $1.threshold.key) }
    }

    var records: [OutputRecord] {
        rows.map { row in
            OutputRecord(fields: [
                ("home", .text(row.home)), ("kind", .text(row.threshold.kind.rawValue)), ("raised", .integer(Int64(row.raised))),
                ("false_alarms", .integer(Int64(row.falseAlarms))), ("cleared_automatically", .integer(Int64(row.cleared))),
                ("setting", .text(row.threshold.key)), ("see", .text("carehub homes suggest \(row.home)")),
            ])
        }
    }
}
