import CareHubCore
import Foundation
import GRDB

/// What each gateway sent per UTC day that the hub must be able to show: messages received at QoS 0 (lost by the
/// broker whenever the hub is down, unless the broker queues them), and what its limits held back
/// (`GatewayLimits`, applied by the `Ingestor`). One row per gateway and day, updated in the transaction of the
/// message it counts.
///
/// **Threads.** The `static` writers run inside ingest's write transaction on the MQTT network thread.
public struct GatewayTraffic: Sendable {
    /// Bits of `reported`: which limits already raised a `quota_exceeded` incident that day.
    public enum Limit: Int64, Sendable, CaseIterable {
        case devices = 1, rate = 2, refusedBytes = 4, refusedRecords = 8
    }

    /// One gateway's figures for one day.
    public struct Row: Sendable, Equatable {
        public var sender: GatewaySender
        public var day: Date
        public var qos0Messages: Int64
        public var qos0Alarms: Int64
        public var quotaKept: Int64
        public var quotaCounted: Int64
        public var refusedBytes: Int64
    }

    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    static func day(_ millis: Int64) -> Int64 { millis / 86_400_000 }

    /// A counter of a gateway's day that ingest adds one to.
    public enum Count: String, Sendable {
        /// A message kept as its length and SHA-256 only, held back by a limit.
        case quotaKept = "quota_kept"
        /// A message only counted: the day's refused records were used up.
        case quotaCounted = "quota_counted"
    }

    static func ensureRow(_ sender: GatewaySender, day: Int64, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO gateway_traffic (dialect, home_id, day) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            .execute(arguments: [sender.dialect, sender.home, day])
    }

    /// Adds one to a counter of the gateway's row for `day`.
    static func increment(_ count: Count, _ sender: GatewaySender, day: Int64, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE gateway_traffic SET \(count.rawValue) = \(count.rawValue) + 1 WHERE dialect = ? AND home_id = ? AND day = ?")
            .execute(arguments: [sender.dialect, sender.home, day])
    }

    /// Counts a message that reached the hub at QoS 0; `alarm` when it carried one.
    static func noteQoS0(_ sender: GatewaySender, alarm: Bool, at millis: Int64, in db: Database) throws {
        try ensureRow(sender, day: day(millis), in: db)
        try db.cachedStatement(sql: """
            UPDATE gateway_traffic SET qos0_messages = qos0_messages + 1, qos0_alarms = qos0_alarms + ?, qos0_last_at = ?
            WHERE dialect = ? AND home_id = ? AND day = ?
            """).execute(arguments: [alarm ? 1 : 0, millis, sender.dialect, sender.home, day(millis)])
    }

    /// What the gateway's refused messages took on `day`: bytes kept whole, and records kept (whole or as a digest).
    static func refusals(_ sender: GatewaySender, day: Int64, in db: Database) throws -> (bytes: Int64, records: Int64) {
        let figures = try SQLiteRow.fetchOne(db.cachedStatement(sql: """
            SELECT refused_bytes, quota_kept + kept AS records FROM gateway_traffic WHERE dialect = ? AND home_id = ? AND day = ?
            """), arguments: [sender.dialect, sender.home, day])
        return (figures?["refused_bytes"] ?? 0, figures?["records"] ?? 0)
    }

    /// Counts a refused message kept whole, with its length.
    static func countKept(_ sender: GatewaySender, bytes: Int64, day: Int64, in db: Database) throws {
        try db.cachedStatement(sql: """
            UPDATE gateway_traffic SET refused_bytes = refused_bytes + ?, kept = kept + 1 WHERE dialect = ? AND home_id = ? AND day = ?
            """).execute(arguments: [bytes, sender.dialect, sender.home, day])
    }

    /// Notes that `limit` held the gateway back on `day`; true the first time that day.
    static func markReported(_ limit: Limit, sender: GatewaySender, day: Int64, in db: Database) throws -> Bool {
        try db.cachedStatement(sql: "UPDATE gateway_traffic SET reported = reported | ? WHERE dialect = ? AND home_id = ? AND day = ? AND reported & ? = 0")
            .execute(arguments: [limit.rawValue, sender.dialect, sender.home, day, limit.rawValue])
        return db.changesCount > 0
    }

    /// Gateways that sent at QoS 0 or were held to a limit since `since`, busiest first.
    public func recent(since: Date) throws -> [Row] {
        try database.writer.read { db in
            try SQLiteRow.fetchAll(db, sql: """
                SELECT dialect, home_id, MAX(day) AS day, SUM(qos0_messages) AS qos0, SUM(qos0_alarms) AS qos0_alarms,
                       SUM(quota_kept) AS quota_kept, SUM(quota_counted) AS quota_counted, SUM(refused_bytes) AS refused_bytes
                FROM gateway_traffic WHERE day >= ? GROUP BY dialect, home_id
                HAVING SUM(qos0_messages) > 0 OR SUM(quota_kept) > 0 OR SUM(quota_counted) > 0
                ORDER BY SUM(qos0_alarms) DESC, SUM(quota_kept) + SUM(quota_counted) DESC, SUM(qos0_messages) DESC
                """, arguments: [Self.day(since.millisecondsSince1970)]).map { row in
                let home: String = row["home_id"]
                return Row(sender: GatewaySender(dialect: row["dialect"], home: home.isEmpty ? nil : home),
                           day: Date(millisecondsSince1970: (row["day"] as Int64) * 86_400_000),
                           qos0Messages: row["qos0"], qos0Alarms: row["qos0_alarms"], quotaKept: row["quota_kept"],
                           quotaCounted: row["quota_counted"], refusedBytes: row["refused_bytes"])
            }
        }
    }
}

/// GRDB's row, named apart from `GatewayTraffic.Row`.
typealias SQLiteRow = GRDB.Row
