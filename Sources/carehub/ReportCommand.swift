import ArgumentParser
import CareHubCore
import CareHubRecords
import CareHubService
import CareHubStore
import Foundation

struct ReportCommand: AsyncParsableCommand {
    enum Period: String, ExpressibleByArgument, CaseIterable {
        case daily, weekly
        var days: Double { self == .daily ? 1 : 7 }
    }

    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Activity per home, incidents by kind and outcome, response times, false alarms by rule.",
        discussion: """
            The period ends now (daily: the last 24 h; weekly: the last 7 days). The weekly report adds each home's
            trends: its learned routine's measures over the last 7 counted days against the weeks before, and the homes to
            review: those that raised not_up, bathroom_long or inactivity twice or more in the last 28 days, none of them a
            real emergency (ambulance, visited, other), each with the `carehub homes suggest` to look at. Time to acknowledge counts the
            incidents opened in the period that a person acknowledged; the industry bar is 97.5 % of alarm calls
            answered within 60 s. The false-alarm rate of a rule is its incidents resolved "false_alarm" out of
            those a person resolved.

            Examples:
              carehub report daily
              carehub report weekly --home flat-12 --format json
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOption
    @Argument(help: "daily or weekly.") var period: Period
    @Option(help: ArgumentHelp("Only this home.", valueName: "home")) var home: String?

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: true)
        if let home { try HomeQueries(database: db).requireKnown(home) }
        let end = Date()
        let start = end.addingTimeInterval(-period.days * 86_400)
        // One read: the weekly report's homes to review look back further than its period.
        let reviewSince = end.addingTimeInterval(-Double(ThresholdReview.days) * 86_400)
        let read = try IncidentQueries(database: db).list(IncidentFilter(states: nil, home: home, since: period == .weekly ? reviewSince : start),
                                                          limit: 1_000_000)
        let incidents = read.filter { $0.openedAt.millisecondsSince1970 >= start.millisecondsSince1970 }
        let activity = try HomeQueries(database: db).activitySummary(home: home, from: start, to: end)
        let report = IncidentReport(incidents: incidents)
        let printer = RecordPrinter(format: output.format, timeZoneIdentifier: configuration.timeZone, now: end)
        let activityRecords = activity.map { row in
            OutputRecord(fields: [("home", .text(row.home)), ("events", .integer(Int64(row.events))), ("activity", .integer(Int64(row.activity))),
                                  ("last_activity_at", .optionalTime(row.last))])
        }
        let kindRecords = report.byKind.map { row in
            OutputRecord(fields: [
                ("kind", .text(row.kind)), ("raised", .integer(Int64(row.raised))), ("open", .integer(Int64(row.open))),
                ("resolved_by_staff", .integer(Int64(row.staffResolved))), ("cleared_automatically", .integer(Int64(row.cleared))),
                ("false_alarms", .integer(Int64(row.falseAlarms))),
                ("false_alarm_rate", row.staffResolved > 0 ? .number((Double(row.falseAlarms) / Double(row.staffResolved) * 1000).rounded() / 1000) : .null),
                ("outcomes", .text(row.outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))),
            ])
        }
        let response = report.response
        let trendRecords = period == .weekly ? try trends(db: db, configuration: configuration) : []
        let reviewRecords = period == .weekly ? ThresholdReview(incidents: read).records : []
        switch printer.format {
        case .json:
            let responseJSON = JSONText.object([
                ("acknowledged", String(response.count)),
                ("p50_seconds", response.p50.map { JSONText.number($0) } ?? "null"),
                ("p95_seconds", response.p95.map { JSONText.number($0) } ?? "null"),
                ("within_60s", response.within60.map { JSONText.number($0) } ?? "null"),
                ("emergencies_within_60s", response.emergencyWithin60.map { JSONText.number($0) } ?? "null"),
            ])
            print(JSONText.object([
                ("period", JSONText.quoted(period.rawValue)), ("from", JSONText.quoted(RFC3339.format(start))), ("to", JSONText.quoted(RFC3339.format(end))),
                ("activity", "[" + activityRecords.map(\.jsonText).joined(separator: ",") + "]"),
                ("incidents_by_kind", "[" + kindRecords.map(\.jsonText).joined(separator: ",") + "]"),
                ("time_to_acknowledge", responseJSON),
                ("trends", "[" + trendRecords.map(\.jsonText).joined(separator: ",") + "]"),
                ("homes_to_review", "[" + reviewRecords.map(\.jsonText).joined(separator: ",") + "]"),
            ]))
        case .csv:
            printer.printList(kindRecords, empty: "")
        case .table:
            print("\(period.rawValue.capitalized) report, \(printer.localTime(start)) to \(printer.localTime(end))\(home.map { ", home \($0)" } ?? "")\n")
            print("Activity")
            printer.printList(activityRecords, empty: "(no events)")
            print("\nIncidents by kind")
            printer.printList(kindRecords, columns: ["kind", "raised", "open", "resolved_by_staff", "cleared_automatically", "false_alarm_rate", "outcomes"],
                              empty: "(none)")
            print("\nTime to acknowledge (\(response.count) acknowledged by staff)")
            func seconds(_ value: Double?) -> String {
                guard let value else { return "-" }
                switch value {
                case ..<120: return String(format: "%.0f s", value)
                case ..<7200: return String(format: "%.0f min", value / 60)
                default: return String(format: "%d h %02d min", Int(value) / 3600, Int(value) / 60 % 60)
                }
            }
            func share(_ value: Double?) -> String { value.map { String(format: "%.1f %%", $0 * 100) } ?? "-" }
            print("  p50 \(seconds(response.p50)), p95 \(seconds(response.p95)); within 60 s: \(share(response.within60)) "
                  + "(emergencies: \(share(response.emergencyWithin60)); the bar is 97.5 %)")
            if period == .weekly {
                print("\nTrends: the last 7 counted days against the weeks before (learned routines)")
                printer.printList(trendRecords, columns: ["home", "measure", "this_week", "before", "flagged"],
                                  empty: "(no home has 21 days counted yet)")
                print("\nHomes to review: a kind raised \(ThresholdReview.minimumRaised) times or more in the last \(ThresholdReview.days) days, "
                      + "none a real emergency (a person who knows the resident decides; the hub never changes a threshold)")
                printer.printList(reviewRecords, empty: "(none)")
            }
        }
    }

    /// Each home's trend measures (`RoutineSummary`), from the rule state the rules service last saved.
    private func trends(db: HubDatabase, configuration: HubConfiguration) throws -> [OutputRecord] {
        let store = RulesStore(database: db)
        let homes = try home.map { [$0] } ?? HomeQueries(database: db).list().map(\.id)
        return try homes.flatMap { id -> [OutputRecord] in
            guard let state = try store.state(of: id) else { return [] }
            return RoutineSummary(state: state, settings: configuration.rules.settings(for: id)).trends.map { measure in
                var record = TrendRecord.make(measure)
                record.fields.insert(("home", .text(id)), at: 0)
                return record
            }
        }
    }
}

/// Incident statistics for a report.
struct IncidentReport {
    struct KindRow {
        var kind: String
        var raised = 0
        var open = 0
        var staffResolved = 0
        var cleared = 0
        var falseAlarms = 0
        var outcomes: [String: Int] = [:]
    }

    struct Response {
        var count: Int
        var p50: Double?
        var p95: Double?
        var within60: Double?
        var emergencyWithin60: Double?
    }

    let byKind: [KindRow]
    let response: Response

    init(incidents: [IncidentRecord]) {
        var rows: [String: KindRow] = [:]
        var delays: [Double] = []
        var emergencyDelays: [Double] = []
        for incident in incidents {
            var row = rows[incident.kind] ?? KindRow(kind: incident.kind)
            row.raised += 1
            if incident.state != .resolved { row.open += 1 }
            if let outcome = incident.outcome {
                row.outcomes[outcome, default: 0] += 1
                if incident.resolvedBy == IncidentStore.hubActor { row.cleared += 1 } else { row.staffResolved += 1 }
                if outcome == Outcome.falseAlarm.rawValue { row.falseAlarms += 1 }
            }
            rows[incident.kind] = row
            if let acknowledged = incident.acknowledgedAt, incident.acknowledgedBy != IncidentStore.hubActor {
                let delay = acknowledged.timeIntervalSince(incident.openedAt)
                delays.append(delay)
                if incident.priority == .emergency { emergencyDelays.append(delay) }
            }
        }
        byKind = rows.values.sorted { $0.raised > $1.raised || ($0.raised == $1.raised && $0.kind < $1.kind) }
        func percentile(_ values: [Double], _ fraction: Double) -> Double? {
            guard !values.isEmpty else { return nil }
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int((fraction * Double(sorted.count - 1)).rounded()))]
        }
        func share(_ values: [Double]) -> Double? {
            values.isEmpty ? nil : Double(values.filter { $0 <= 60 }.count) / Double(values.count)
        }
        response = Response(count: delays.count, p50: percentile(delays, 0.5), p95: percentile(delays, 0.95), within60: share(delays),
                            emergencyWithin60: share(emergencyDelays))
    }
}
