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

    /// Deletes events (and refused messages, gateway status records, delivered notifications and console sessions
    /// over) from before `cutoff`. Incidents and their timelines stay: they are the care record. Returns how many rows went.
    ///
    /// Runs beside the hub: it deletes in short transactions (`BatchedDeletion`), so the hub keeps storing and
    /// raising alarms. Its audit entry is written first, `in_progress`, and closed with the count at the end; an
    /// entry left open says a purge died midway, and the next purge that reaches as far finishes and closes it.
    public func purge(before cutoff: Date, by person: String, at now: Date) throws -> Int {
        let millis = cutoff.millisecondsSince1970
        let before = JSONText.quoted(RFC3339.format(cutoff))
        let entry = try database.writer.write { db in
            try DataAudit.record("purge", home: nil, by: person, at: now, details: JSONText.object([("before", before)]), inProgress: true, in: db)
        }
        var deletion = BatchedDeletion(writer: database.writer)
        var removed = 0
        for table in ["events", "refused_events", "gateway_status_log"] {
            removed += try deletion.delete(from: table, where: "received_at < ?", arguments: [millis])
        }
        // Notifications already delivered, with their attempts.
        removed += try deletion.delete(from: "outbox", where: "delivered_at < ?", arguments: [millis]) { db, keys in
            try db.execute(sql: "DELETE FROM outbox_attempts WHERE outbox_seq IN (\(keys))")
            return 0
        }
        try database.writer.write { db in
            // Per-gateway daily counts (QoS 0, limits) of the days before the cutoff: a few rows a gateway and day.
            try db.execute(sql: "DELETE FROM gateway_traffic WHERE day < ?", arguments: [GatewayTraffic.day(millis)])
            removed += db.changesCount
            // Console sessions over before the cutoff (the audit keeps their sign-ins and sign-outs).
            removed += try AccountStore.purgeSessions(before: millis, in: db)
            try DataAudit.close(entry, details: JSONText.object([("before", before), ("rows", String(removed))]), in: db)
            let interrupted = try Row.fetchAll(db, sql: """
                SELECT seq, json_extract(details, '$.before') AS before FROM data_audit
                WHERE action = 'purge' AND in_progress = 1 AND seq < ? AND json_extract(details, '$.before') <= ?
                """, arguments: [entry, RFC3339.format(cutoff)])
            for row in interrupted {
                try DataAudit.close(row["seq"], details: JSONText.object([
                    ("before", JSONText.quoted(row["before"])), ("interrupted", "true"), ("finished_by", String(entry)),
                ]), in: db)
            }
        }
        return removed
    }

    /// Everything held about one home, as one JSON object, with `also`'s (name, JSON) fields after the tables.
    public func export(home: String, also: [(name: String, json: String)] = []) throws -> String {
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
            ] + also)
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
