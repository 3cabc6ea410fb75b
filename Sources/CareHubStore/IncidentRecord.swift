import CareHubCore
import Foundation
import GRDB

/// One incident as stored.
public struct IncidentRecord: Sendable, Equatable {
    public var id: Int64
    public var home: String
    public var kind: String
    public var priority: Priority
    public var state: IncidentState
    public var device: String?
    public var summary: String
    public var openedAt: Date
    public var acknowledgedAt: Date?
    public var acknowledgedBy: String?
    public var resolvedAt: Date?
    public var resolvedBy: String?
    public var outcome: String?
    public var triggerEventID: String?
    public var triggerCount: Int
    public var lastTriggeredAt: Date
    public var escalationLevel: Int
    public var assignedTo: String?
    public var flags: [String]

    static let columns = """
        id, home_id, kind, priority, state, device_id, summary, opened_at, acknowledged_at, acknowledged_by,
        resolved_at, resolved_by, outcome, trigger_event_id, trigger_count, last_triggered_at, escalation_level,
        assigned_to, flags
        """

    init(row: Row) {
        id = row["id"]
        home = row["home_id"]
        kind = row["kind"]
        priority = Priority(rawValue: row["priority"]) ?? .urgent
        state = IncidentState(rawValue: row["state"]) ?? .open
        device = row["device_id"]
        summary = row["summary"]
        openedAt = Date(millisecondsSince1970: row["opened_at"])
        acknowledgedAt = (row["acknowledged_at"] as Int64?).map(Date.init(millisecondsSince1970:))
        acknowledgedBy = row["acknowledged_by"]
        resolvedAt = (row["resolved_at"] as Int64?).map(Date.init(millisecondsSince1970:))
        resolvedBy = row["resolved_by"]
        outcome = row["outcome"]
        triggerEventID = row["trigger_event_id"]
        triggerCount = row["trigger_count"]
        lastTriggeredAt = Date(millisecondsSince1970: row["last_triggered_at"])
        escalationLevel = row["escalation_level"]
        assignedTo = row["assigned_to"]
        flags = (row["flags"] as String?).map { $0.split(separator: ",").map(String.init) } ?? []
    }

    /// The alert announcing `state` at `at`, with what the incident holds now (contract section 4); `repeatCount`
    /// for an alarm pressed again.
    func alert(state: IncidentAlert.State, at: Date, repeatCount: Int? = nil) -> IncidentAlert {
        IncidentAlert(
            incident: id, home: home, kind: kind, priority: priority, state: state, at: at, summary: summary, device: device,
            level: state == .escalated ? escalationLevel : nil, repeatCount: repeatCount,
            by: state == .acknowledged ? acknowledgedBy : state == .resolved ? resolvedBy : nil,
            outcome: state == .resolved ? outcome : nil)
    }
}

/// One line of an incident's append-only timeline: what happened, who did it, when.
public struct TimelineEntry: Sendable, Equatable {
    public var seq: Int64
    public var incidentID: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var note: String?
    public var details: String?

    init(row: Row) {
        seq = row["seq"]
        incidentID = row["incident_id"]
        at = Date(millisecondsSince1970: row["at"])
        actor = row["actor"]
        action = row["action"]
        note = row["note"]
        details = row["details"]
    }
}
