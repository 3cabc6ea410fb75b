import CareHubCore
import Foundation
import GRDB

/// Writes the append-only `data_audit`: when, who (the name given with `--by` and the operating-system user
/// running the program), what, and for which home. An entry may be written `in_progress` (a purge or erasure
/// that runs in many transactions) and then closed once, with its final details.
enum DataAudit {
    /// Records one action; returns its sequence number.
    @discardableResult
    static func record(_ action: String, home: String?, by person: String, at now: Date, details: String?, inProgress: Bool = false,
                       in db: Database) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO data_audit (at, actor, os_user, action, home_id, details, in_progress) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [now.millisecondsSince1970, person, OperatingSystemUser.current, action, home, details, inProgress ? 1 : 0])
        return db.lastInsertedRowID
    }

    /// Closes an entry written in progress, with its final details.
    static func close(_ seq: Int64, details: String, in db: Database) throws {
        try db.execute(sql: "UPDATE data_audit SET in_progress = 0, details = ? WHERE seq = ? AND in_progress = 1", arguments: [details, seq])
    }

    /// Tells the running hub's rules that an erasure started or ended (they forget the home, and ignore it meanwhile).
    static func bumpErasureVersion(in db: Database) throws {
        try db.execute(sql: "UPDATE counters SET value = value + 1 WHERE name = 'erasure_version'")
    }
}
