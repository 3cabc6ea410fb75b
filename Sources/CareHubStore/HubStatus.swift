import CareHubCore
import Foundation
import GRDB

/// The counts `carehub status` prints.
public struct HubStatus: Sendable, Equatable {
    public var eventsStored: Int
    public var eventsRefused: Int
    public var duplicatesIgnored: Int
    public var incidentsByState: [String: Int]
    public var devicesByHealth: [String: Int]
    public var homes: Int
    public var lastEventAt: Date?
    public var lastCommitAt: Date?
    public var outboxPending: Int
    public var outboxFailing: Int
    /// Where they fail: a webhook by its name (never its URL), or an MQTT topic by its kind and home.
    public var outboxFailingTargets: [OutboxTarget]
    public var oldestUndelivered: Date?
    public var lastHubStart: Date?

    /// Reads the status in one consistent snapshot.
    public static func read(from database: HubDatabase) throws -> HubStatus {
        let outbox = try OutboxStore(database: database).backlog()
        let failingTargets = try OutboxStore(database: database).failingTargets()
        return try database.writer.read { db in
            var incidents = Dictionary(uniqueKeysWithValues: IncidentState.allCases.map { ($0.rawValue, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS count FROM incidents GROUP BY state") {
                incidents[row["state"]] = row["count"]
            }
            let lastEvent = try Row.fetchOne(db, sql: "SELECT ts, received_at FROM events ORDER BY seq DESC LIMIT 1")
            let lastRefused = try Int64.fetchOne(db, sql: "SELECT MAX(received_at) FROM refused_events")
            let lastReceived: Int64? = lastEvent?["received_at"]
            let devices = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS total,
                       SUM(CASE WHEN battery IS NOT NULL AND battery <= 15 THEN 1 ELSE 0 END) AS low_battery,
                       SUM(CASE WHEN last_seen_at IS NULL THEN 1 ELSE 0 END) AS never_seen
                FROM devices
                """)
            let total: Int = devices?["total"] ?? 0
            let lowBattery: Int = devices?["low_battery"] ?? 0
            let neverSeen: Int = devices?["never_seen"] ?? 0
            let offline = try Int.fetchOne(db, sql: """
                SELECT COUNT(DISTINCT device_id) FROM incidents WHERE kind = 'device_offline' AND state != 'resolved'
                """) ?? 0
            return HubStatus(
                eventsStored: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0,
                eventsRefused: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM refused_events") ?? 0,
                duplicatesIgnored: try Int.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'duplicates'") ?? 0,
                incidentsByState: incidents,
                devicesByHealth: [
                    "ok": max(0, total - lowBattery - neverSeen - offline), "low_battery": lowBattery,
                    "offline": offline, "never_seen": neverSeen,
                ],
                homes: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM homes") ?? 0,
                lastEventAt: (lastEvent?["ts"] as Int64?).map(Date.init(millisecondsSince1970:)),
                lastCommitAt: [lastReceived, lastRefused].compactMap { $0 }.max().map(Date.init(millisecondsSince1970:)),
                outboxPending: outbox.count, outboxFailing: outbox.failing, outboxFailingTargets: failingTargets, oldestUndelivered: outbox.oldest,
                lastHubStart: try Int64.fetchOne(db, sql: "SELECT MAX(started_at) FROM hub_runs").map(Date.init(millisecondsSince1970:)))
        }
    }
}
