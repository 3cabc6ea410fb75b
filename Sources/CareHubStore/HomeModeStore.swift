import CareHubCore
import Foundation
import GRDB

/// Explicit away (holiday) and visit settings, written by the command line and read by the rules service.
public struct HomeModeStore: Sendable {
    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    /// Asks the rules service to start `home`'s learned routine again (after a hospital stay, say): what it learned and
    /// counted so far is forgotten, and the fixed thresholds apply until it has learned again.
    public func relearn(home: String, by person: String, at now: Date) throws {
        try database.writer.write { db in
            let stamp = try Self.nextStamp(after: now, in: db)
            try db.execute(sql: """
                INSERT INTO home_modes (home_id, updated_at, updated_by, relearn_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (home_id) DO UPDATE SET updated_at = excluded.updated_at, updated_by = excluded.updated_by,
                    relearn_at = excluded.relearn_at
                """, arguments: [home, stamp, person, stamp])
            try DataAudit.record("relearn", home: home, by: person, at: now, details: nil, in: db)
        }
    }

    /// Strictly increasing change times, so the rules service never misses one written in the same millisecond.
    private static func nextStamp(after now: Date, in db: Database) throws -> Int64 {
        let last = try Int64.fetchOne(db, sql: "SELECT MAX(updated_at) FROM home_modes") ?? 0
        return max(now.millisecondsSince1970, last + 1)
    }

    /// Sets both; nil ends that pause now.
    public func set(home: String, holidayUntil: Date?, visitUntil: Date?, by person: String, at now: Date) throws {
        try database.writer.write { db in
            let stamp = try Self.nextStamp(after: now, in: db)
            try db.execute(sql: """
                INSERT INTO home_modes (home_id, holiday_until, visit_until, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (home_id) DO UPDATE SET holiday_until = excluded.holiday_until, visit_until = excluded.visit_until,
                    updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """, arguments: [home, holidayUntil?.millisecondsSince1970, visitUntil?.millisecondsSince1970, stamp, person])
            let action = holidayUntil != nil ? "away" : visitUntil != nil ? "visit" : "back"
            let until = (holidayUntil ?? visitUntil).map { JSONText.object([("until", JSONText.quoted(RFC3339.format($0)))]) }
            try DataAudit.record(action, home: home, by: person, at: now, details: until, in: db)
        }
    }
}
