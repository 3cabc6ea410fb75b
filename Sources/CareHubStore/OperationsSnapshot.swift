import CareHubCore
import Foundation
import GRDB

/// What the hub's metrics read from the database when they are scraped (never on the ingest path): open incidents by
/// priority, the outbox's backlog, how many homes are silent, and what the rules have yet to evaluate. Counts and ages
/// only: no home, device or person is named.
///
/// ```swift
/// let snapshot = try OperationsSnapshot.read(from: database, rulesEvaluatedThrough: 1_234)
/// ```
///
/// **Threads.** Any thread: one read transaction of the database pool, beside the hub's writer.
public struct OperationsSnapshot: Sendable, Equatable {
    /// Incidents in the state `open` (not yet acknowledged), by priority; every priority is present.
    public var incidentsOpen: [Priority: Int]
    /// Notifications (MQTT and webhook rows) not yet delivered.
    public var outboxBacklog: Int
    /// When the oldest undelivered notification was queued.
    public var outboxOldest: Date?
    /// Homes with a `no_data` incident not yet resolved: their sensors and gateway have gone quiet.
    public var homesSilent: Int
    /// When the oldest stored event the rules have not evaluated was stored (its `received_at`), if any.
    public var oldestUnevaluated: Date?
    /// Stored events past the rules' position (the newest row number less that position).
    public var unevaluated: Int64

    /// Reads the snapshot in one consistent read; `rulesEvaluatedThrough` is the row number (`events.seq`) the rules
    /// have evaluated up to, or nil to skip that part.
    public static func read(from database: HubDatabase, rulesEvaluatedThrough: Int64?) throws -> OperationsSnapshot {
        try database.writer.read { db in
            var open = Dictionary(uniqueKeysWithValues: Priority.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT priority, COUNT(*) AS count FROM incidents WHERE state = 'open' GROUP BY priority") {
                if let priority = Priority(rawValue: row["priority"]) { open[priority] = row["count"] }
            }
            let outbox = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS count, MIN(created_at) AS oldest FROM outbox WHERE delivered_at IS NULL")
            let oldestOutbox: Int64? = outbox?["oldest"]
            let silent = try Int.fetchOne(db, sql: """
                SELECT COUNT(DISTINCT home_id) FROM incidents WHERE kind = '\(IncidentKind.noData.rawValue)' AND state != 'resolved'
                """) ?? 0
            var oldestUnevaluated: Date?
            var unevaluated: Int64 = 0
            if let evaluated = rulesEvaluatedThrough {
                let stored = try Int64.fetchOne(db, sql: "SELECT received_at FROM events WHERE seq > ? ORDER BY seq LIMIT 1", arguments: [evaluated])
                oldestUnevaluated = stored.map(Date.init(millisecondsSince1970:))
                let newest = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM events") ?? 0
                unevaluated = max(0, newest - evaluated)
            }
            return OperationsSnapshot(incidentsOpen: open, outboxBacklog: outbox?["count"] ?? 0, outboxOldest: oldestOutbox.map(Date.init(millisecondsSince1970:)),
                                      homesSilent: silent, oldestUnevaluated: oldestUnevaluated, unevaluated: unevaluated)
        }
    }
}
