import CareHubCore
import Foundation
import GRDB

/// Escalation of incidents nobody has acknowledged: each open incident carries its next escalation time (UTC,
/// persisted like a rule timer); when it passes, the level rises, the timeline says so and an `escalated`
/// alert goes out. After downtime an overdue escalation happens once, not once per missed interval.
public struct EscalationStore: Sendable {
    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    /// Escalates every open incident whose time has come; returns their ids.
    public func escalateDue(at now: Date, policy: EscalationPolicy) throws -> [Int64] {
        // Most of the time there is nothing to do: find that out with a read, without taking the write lock that
        // ingest needs for every message.
        let pending = try database.writer.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT 1 FROM incidents WHERE state = 'open' AND (next_escalation_at IS NULL OR next_escalation_at <= ?) LIMIT 1
                """, arguments: [now.millisecondsSince1970]) ?? false
        }
        guard pending else { return [] }
        return try database.writer.write { db in
            let millis = now.millisecondsSince1970
            for priority in Priority.allCases {
                try db.execute(sql: """
                    UPDATE incidents SET next_escalation_at = opened_at + ? WHERE state = 'open' AND next_escalation_at IS NULL AND priority = ?
                    """, arguments: [Int64(policy.interval(for: priority) * 1000), priority.rawValue])
            }
            let due = try Row.fetchAll(db, sql: """
                SELECT id, priority, escalation_level, home_id FROM incidents
                WHERE state = 'open' AND next_escalation_at <= ? ORDER BY priority_rank, next_escalation_at LIMIT 1000
                """, arguments: [millis])
            var escalated: [Int64] = []
            for row in due {
                let id: Int64 = row["id"]
                let priority = Priority(rawValue: row["priority"]) ?? .urgent
                let level: Int = row["escalation_level"] + 1
                let interval = policy.interval(for: priority)
                try db.execute(sql: "UPDATE incidents SET escalation_level = ?, next_escalation_at = ? WHERE id = ?",
                               arguments: [level, millis + Int64(interval * 1000), id])
                let minutes = Int((interval / 60).rounded())
                try IncidentStore.appendTimeline(
                    incident: id, home: row["home_id"], at: millis, actor: IncidentStore.hubActor, action: "escalated",
                    note: "Not acknowledged within \(minutes) min of the last notification; escalation level \(level).",
                    details: JSONText.object([("level", String(level))]), in: db)
                try IncidentStore.enqueueAlert(incident: id, state: .escalated, at: millis, in: db)
                escalated.append(id)
            }
            return escalated
        }
    }

    /// When the next escalation is due, if any incident is open.
    public func nextDue() throws -> Date? {
        try database.writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(next_escalation_at) FROM incidents WHERE state = 'open'")
        }.map(Date.init(millisecondsSince1970:))
    }
}
