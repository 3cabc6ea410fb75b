import CareHubCore
import Foundation
import GRDB

/// One audited action: on an incident (its timeline) or on the data (purge, erasure).
public struct AuditEntry: Sendable, Equatable {
    public var at: Date
    public var actor: String
    /// The operating-system user that ran the program (`root (sudo from sam)`); nil for entries made before it was recorded.
    public var osUser: String?
    public var action: String
    public var home: String?
    public var incident: Int64?
    public var kind: String?
    public var note: String?
}

/// The audit trail for `carehub audit list`.
public struct AuditQueries: Sendable {
    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    /// Every action, oldest first, optionally for one home and since a time.
    public func list(home: String?, since: Date?, limit: Int) throws -> [AuditEntry] {
        let sinceMillis = since?.millisecondsSince1970 ?? .min
        return try database.writer.read { db in
            let timeline = try Row.fetchAll(db, sql: """
                SELECT t.at, t.actor, t.os_user, t.action, t.home_id, t.incident_id, i.kind, t.note FROM incident_timeline t
                LEFT JOIN incidents i ON i.id = t.incident_id
                WHERE t.at >= ? AND (? IS NULL OR t.home_id = ?) ORDER BY t.at, t.seq LIMIT ?
                """, arguments: [sinceMillis, home, home, limit])
            let data = try Row.fetchAll(db, sql: """
                SELECT at, actor, os_user, action, home_id, details FROM data_audit
                WHERE at >= ? AND (? IS NULL OR home_id = ?) ORDER BY at, seq LIMIT ?
                """, arguments: [sinceMillis, home, home, limit])
            let entries = timeline.map {
                AuditEntry(at: Date(millisecondsSince1970: $0["at"]), actor: $0["actor"], osUser: $0["os_user"], action: $0["action"],
                           home: $0["home_id"], incident: $0["incident_id"], kind: $0["kind"], note: $0["note"])
            } + data.map {
                AuditEntry(at: Date(millisecondsSince1970: $0["at"]), actor: $0["actor"], osUser: $0["os_user"], action: $0["action"],
                           home: $0["home_id"], incident: nil, kind: nil, note: $0["details"])
            }
            return Array(entries.sorted { $0.at < $1.at }.prefix(limit))
        }
    }
}
