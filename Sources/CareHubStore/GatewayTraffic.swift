import CareHubCore
import Foundation
import GRDB

/// What each gateway sent per UTC day that the hub must be able to show: messages received at QoS 0 (lost by the
/// broker whenever the hub is down, unless the broker queues them), and what its limits held back
/// (`GatewayLimits`). One row per gateway and day, updated in the transaction of the message it counts.
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

    private static func ensureRow(_ sender: GatewaySender, day: Int64, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO gateway_traffic (dialect, home_id, day) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            .execute(arguments: [sender.dialect, sender.home, day])
    }

    /// Adds one to a counter column (`quota_kept`, `quota_counted`) of the gateway's row for `day`.
    private static func increment(_ column: String, _ sender: GatewaySender, day: Int64, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE gateway_traffic SET \(column) = \(column) + 1 WHERE dialect = ? AND home_id = ? AND day = ?")
            .execute(arguments: [sender.dialect, sender.home, day])
    }

    /// Past the day's refused records: the message is only counted, and the limit reported.
    private static func countOnly(_ sender: GatewaySender, limits: GatewayLimits, at millis: Int64, in db: Database) throws {
        try increment("quota_counted", sender, day: day(millis), in: db)
        try report(.refusedRecords, sender: sender, limits: limits, at: millis, in: db)
    }

    /// Counts a message that reached the hub at QoS 0; `alarm` when it carried one.
    static func noteQoS0(_ sender: GatewaySender, alarm: Bool, at millis: Int64, in db: Database) throws {
        try ensureRow(sender, day: day(millis), in: db)
        try db.cachedStatement(sql: """
            UPDATE gateway_traffic SET qos0_messages = qos0_messages + 1, qos0_alarms = qos0_alarms + ?, qos0_last_at = ?
            WHERE dialect = ? AND home_id = ? AND day = ?
            """).execute(arguments: [alarm ? 1 : 0, millis, sender.dialect, sender.home, day(millis)])
    }

    /// Holds the refused rows written after `seq` to the gateway's daily limits: past `refusedBytesPerDay` a row
    /// keeps only its length, SHA-256 and reason `quota`; past `refusedRecordsPerDay` it is deleted and counted.
    static func applyRefusalLimits(_ sender: GatewaySender, limits: GatewayLimits, after seq: Int64, at millis: Int64, in db: Database) throws {
        // Rows kept over a limit (reason quota) were counted when they were kept.
        let rows = try SQLiteRow.fetchAll(db.cachedStatement(sql: """
            SELECT seq, LENGTH(payload) AS bytes, reason_code, reason FROM refused_events WHERE seq > ? AND reason_code != 'quota'
            """), arguments: [seq])
        guard !rows.isEmpty else { return }
        let today = day(millis)
        try ensureRow(sender, day: today, in: db)
        for row in rows {
            let figures = try SQLiteRow.fetchOne(db.cachedStatement(sql: """
                SELECT refused_bytes, quota_kept + kept AS records FROM gateway_traffic WHERE dialect = ? AND home_id = ? AND day = ?
                """), arguments: [sender.dialect, sender.home, today])
            let bytes: Int64 = figures?["refused_bytes"] ?? 0
            let records: Int64 = figures?["records"] ?? 0
            let length: Int64 = row["bytes"] ?? 0
            let rowSeq: Int64 = row["seq"]
            if records >= limits.refusedRecordsPerDay {
                try db.cachedStatement(sql: "DELETE FROM refused_events WHERE seq = ?").execute(arguments: [rowSeq])
                try countOnly(sender, limits: limits, at: millis, in: db)
            } else if bytes + length > limits.refusedBytesPerDay {
                let code: String = row["reason_code"]
                let reason: String = row["reason"]
                let detail = RefusalReason.quota("\(sender) refused more than \(limits.refusedBytesPerDay) bytes today; it was refused as \(code): \(reason)")
                try db.cachedStatement(sql: "UPDATE refused_events SET payload = x'', reason_code = ?, reason = ? WHERE seq = ?")
                    .execute(arguments: [detail.code, detail.message, rowSeq])
                try increment("quota_kept", sender, day: today, in: db)
                try report(.refusedBytes, sender: sender, limits: limits, at: millis, in: db)
            } else {
                try db.cachedStatement(sql: """
                    UPDATE gateway_traffic SET refused_bytes = refused_bytes + ?, kept = kept + 1 WHERE dialect = ? AND home_id = ? AND day = ?
                    """).execute(arguments: [length, sender.dialect, sender.home, today])
            }
        }
    }

    /// Keeps a message held back by a limit (`reason`) as its length, SHA-256 and reason `quota`, or only counts it
    /// once the gateway's refused records for the day are used up.
    static func keepOverLimit(_ message: RefusedMessage, sender: GatewaySender, limit: Limit, limits: GatewayLimits,
                              at millis: Int64, in db: Database) throws {
        let today = day(millis)
        try ensureRow(sender, day: today, in: db)
        try report(limit, sender: sender, limits: limits, at: millis, in: db)
        let records = try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT quota_kept + kept FROM gateway_traffic WHERE dialect = ? AND home_id = ? AND day = ?
            """), arguments: [sender.dialect, sender.home, today]) ?? 0
        if records >= limits.refusedRecordsPerDay {
            try countOnly(sender, limits: limits, at: millis, in: db)
            return
        }
        var digestOnly = message
        digestOnly.payload = []  // its length and SHA-256 stay those of the whole payload
        try IngestTransaction.insert(refused: digestOnly, receivedAt: millis, in: db)
        try increment("quota_kept", sender, day: today, in: db)
    }

    /// Raises one `quota_exceeded` incident the first time in a day a gateway meets `limit` (it joins one still
    /// open); the incident's home is the gateway's, or `hub` when it has none.
    static func report(_ limit: Limit, sender: GatewaySender, limits: GatewayLimits, at millis: Int64, in db: Database) throws {
        let today = day(millis)
        try db.cachedStatement(sql: "UPDATE gateway_traffic SET reported = reported | ? WHERE dialect = ? AND home_id = ? AND day = ? AND reported & ? = 0")
            .execute(arguments: [limit.rawValue, sender.dialect, sender.home, today, limit.rawValue])
        guard db.changesCount > 0 else { return }
        let what: String
        switch limit {
        case .devices: what = "already has \(limits.devicesPerHome) devices, the most a home may register automatically; messages from further new devices are kept as length and SHA-256 only"
        case .rate: what = "sends more than \(JSONText.number(limits.messagesPerSecond)) messages a second; the rest are kept as length and SHA-256 only"
        case .refusedBytes: what = "sent more than \(limits.refusedBytesPerDay) bytes of refused messages today; further refused messages are kept as length and SHA-256 only"
        case .refusedRecords: what = "sent more than \(limits.refusedRecordsPerDay) refused messages today; further ones are only counted (carehub status)"
        }
        let summary = "The gateway \(sender) \(what). Alarms are still raised. Check the gateway for a fault, a loop or a stolen password, "
            + "or raise the limit (limits: in the configuration) if the traffic is genuine."
        let home = sender.home.isEmpty ? "hub" : sender.home
        _ = try IncidentStore.apply(.raise(IncidentDraft(home: home, kind: .quotaExceeded, device: sender.dialect, summary: summary,
                                                         at: Date(millisecondsSince1970: millis))), at: millis, in: db)
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
