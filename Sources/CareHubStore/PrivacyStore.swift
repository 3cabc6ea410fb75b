import CareHubCore
import Foundation
import GRDB

/// Retention, export and erasure of what the hub holds about a home (health data is special-category
/// personal data, GDPR art. 9). Every purge and erasure leaves an entry in the append-only `data_audit`.
public struct PrivacyStore: Sendable {
    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    /// Deletes events (and refused messages and gateway status records) received before `cutoff`.
    /// Incidents and their timelines stay: they are the care record. Returns how many rows went.
    public func purge(before cutoff: Date, by person: String, at now: Date) throws -> Int {
        try database.writer.write { db in
            let millis = cutoff.millisecondsSince1970
            var removed = 0
            for table in ["events", "refused_events", "gateway_status_log"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE received_at < ?", arguments: [millis])
                removed += db.changesCount
            }
            // Notifications already delivered, and their attempts.
            try db.execute(sql: "DELETE FROM outbox_attempts WHERE outbox_seq IN (SELECT seq FROM outbox WHERE delivered_at < ?)", arguments: [millis])
            try db.execute(sql: "DELETE FROM outbox WHERE delivered_at < ?", arguments: [millis])
            removed += db.changesCount
            try db.execute(sql: "INSERT INTO data_audit (at, actor, action, details) VALUES (?, ?, 'purge', ?)", arguments: [
                now.millisecondsSince1970, person,
                JSONText.object([("before", JSONText.quoted(RFC3339.format(cutoff))), ("rows", String(removed))]),
            ])
            return removed
        }
    }

    /// Everything held about one home, as one JSON object.
    public func export(home: String) throws -> String {
        try database.writer.read { db in
            func rows(_ sql: String) throws -> String {
                "[" + (try Row.fetchAll(db, sql: sql, arguments: [home]).map(Self.json)).joined(separator: ",") + "]"
            }
            return JSONText.object([
                ("home", JSONText.quoted(home)),
                ("registration", try rows("SELECT * FROM homes WHERE id = ?")),
                ("devices", try rows("SELECT * FROM devices WHERE home_id = ?")),
                ("events", try rows("SELECT * FROM events WHERE home_id = ? ORDER BY seq")),
                ("refused_messages", try rows("SELECT seq, received_at, topic, payload_length, payload_sha256, reason_code, reason, device_id, event_id FROM refused_events WHERE home_id = ? ORDER BY seq")),
                ("gateway_status", try rows("SELECT * FROM gateway_status_log WHERE home_id = ? ORDER BY seq")),
                ("incidents", try rows("SELECT * FROM incidents WHERE home_id = ? ORDER BY id")),
                ("incident_timeline", try rows("SELECT * FROM incident_timeline WHERE home_id = ? ORDER BY seq")),
                ("away_and_visits", try rows("SELECT * FROM home_modes WHERE home_id = ?")),
                ("rule_state", try rows("SELECT * FROM rule_states WHERE home_id = ?")),
                ("data_audit", try rows("SELECT * FROM data_audit WHERE home_id = ? ORDER BY seq")),
            ])
        }
    }

    /// Erases everything about one home in one transaction, leaving only the audit entry that it happened
    /// (who, when, how many rows). Returns the number of rows erased.
    public func erase(home: String, by person: String, at now: Date) throws -> Int {
        try database.writer.write { db in
            try db.execute(sql: "INSERT INTO data_audit (at, actor, action, home_id, in_progress) VALUES (?, ?, 'erase', ?, 1)",
                           arguments: [now.millisecondsSince1970, person, home])
            let entry = db.lastInsertedRowID
            var removed = 0
            let deletions = [
                "DELETE FROM outbox WHERE incident_id IN (SELECT id FROM incidents WHERE home_id = ?)",
                "DELETE FROM incident_timeline WHERE home_id = ?",
                "DELETE FROM incidents WHERE home_id = ?",
                "DELETE FROM events WHERE home_id = ?",
                "DELETE FROM refused_events WHERE home_id = ?",
                "DELETE FROM gateway_status_log WHERE home_id = ?",
                "DELETE FROM rule_states WHERE home_id = ?",
                "DELETE FROM timers WHERE home_id = ?",
                "DELETE FROM home_modes WHERE home_id = ?",
                "DELETE FROM devices WHERE home_id = ?",
                "DELETE FROM homes WHERE id = ?",
            ]
            for sql in deletions {
                try db.execute(sql: sql, arguments: [home])
                removed += db.changesCount
            }
            try db.execute(sql: "DELETE FROM outbox WHERE topic LIKE ? ESCAPE '\\'",
                           arguments: ["carehub/v1/" + home.replacingOccurrences(of: "_", with: "\\_") + "/%"])
            removed += db.changesCount
            try db.execute(sql: "UPDATE data_audit SET in_progress = 0, details = ? WHERE seq = ?",
                           arguments: [JSONText.object([("rows", String(removed))]), entry])
            return removed
        }
    }

    static func json(_ row: Row) -> String {
        JSONText.object(row.columnNames.map { name in
            let value: String
            switch row[name] as DatabaseValue? {
            case nil: value = "null"
            case let databaseValue?:
                switch databaseValue.storage {
                case .null: value = "null"
                case .int64(let number): value = String(number)
                case .double(let number): value = JSONText.number(number)
                case .string(let text): value = JSONText.quoted(text)
                case .blob(let data): value = JSONText.quoted(data.base64EncodedString())
                }
            }
            return (name, value)
        })
    }
}
