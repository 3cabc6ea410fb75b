import CareHubCore
import Foundation
import GRDB

extension OutboxNotification {
    /// The typed columns of `outbox` that hold a notification, in the order of `arguments`.
    static let columns = "notification, home_id, at, event_id, incident_id, kind, priority, state, summary, device_id, level, repeat_count, actor, outcome"
    /// One `?` for each of `columns`.
    static let placeholders = Array(repeating: "?", count: 14).joined(separator: ", ")

    /// The values of `columns`, for an INSERT.
    var arguments: StatementArguments {
        switch self {
        case .receipt(let receipt):
            [Kind.receipt.rawValue, receipt.home, receipt.storedAt.millisecondsSince1970, receipt.eventID,
             nil, nil, nil, nil, nil, nil, nil, nil, nil, nil]
        case .alert(let alert):
            [Kind.alert.rawValue, alert.home, alert.at.millisecondsSince1970, nil,
             alert.incident, alert.kind, alert.priority.rawValue, alert.state.rawValue, alert.summary, alert.device,
             alert.level, alert.repeatCount, alert.by, alert.outcome]
        }
    }

    /// Reads the typed columns of a row; nil when they do not make a notification (the schema's checks forbid that).
    init?(row: Row) {
        let home: String = row["home_id"]
        let at = Date(millisecondsSince1970: row["at"])
        switch Kind(rawValue: row["notification"]) {
        case .receipt?:
            guard let eventID: String = row["event_id"] else { return nil }
            self = .receipt(EventReceipt(home: home, eventID: eventID, storedAt: at))
        case .alert?:
            guard let incident: Int64 = row["incident_id"], let kind: String = row["kind"], let summary: String = row["summary"],
                  let priority = (row["priority"] as String?).flatMap(Priority.init(rawValue:)),
                  let state = (row["state"] as String?).flatMap(IncidentAlert.State.init(rawValue:))
            else { return nil }
            self = .alert(IncidentAlert(incident: incident, home: home, kind: kind, priority: priority, state: state, at: at, summary: summary,
                                        device: row["device_id"], level: row["level"], repeatCount: row["repeat_count"], by: row["actor"],
                                        outcome: row["outcome"]))
        case nil:
            return nil
        }
    }
}
