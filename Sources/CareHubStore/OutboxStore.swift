import CareHubCore
import Foundation
import GRDB

/// A message waiting to be published (an alert or a receipt).
public struct OutboxMessage: Sendable, Equatable {
    public var seq: Int64
    public var createdAt: Date
    /// `mqtt` (topic is an MQTT topic) or `webhook` (topic is the webhook's name, never its URL).
    public var channel: String
    public var topic: String
    public var payload: [UInt8]
    public var retain: Bool
    public var attempts: Int
}

/// The outbox: messages written in the same transaction as the change they announce, then published by
/// the notifier with retries until the broker acknowledges them. Delivery is at least once.
public struct OutboxStore: Sendable {
    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    static func enqueue(topic: String, payload: String, incident: Int64?, now: Int64, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO outbox (created_at, channel, topic, payload, incident_id, next_attempt_at) VALUES (?, 'mqtt', ?, ?, ?, ?)
            """).execute(arguments: [now, topic, Data(payload.utf8), incident, now])
    }

    /// Records a successful attempt.
    public func markDelivered(_ seq: Int64, at now: Date, detail: String? = nil) throws {
        try database.writer.write { db in
            try db.execute(sql: "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE seq = ?",
                           arguments: [now.millisecondsSince1970, seq])
            try db.execute(sql: "INSERT INTO outbox_attempts (outbox_seq, at, ok, detail) VALUES (?, ?, 1, ?)",
                           arguments: [seq, now.millisecondsSince1970, detail])
        }
    }

    /// Records a failed attempt and when to try again. A message still undelivered `giveUpAfter` after it was
    /// queued raises a technical `notification_failed` incident (once); it keeps being retried.
    public func markFailed(_ seq: Int64, error: String, retryAt: Date, at now: Date = Date(), giveUpAfter: TimeInterval = 15 * 60) throws {
        try database.writer.write { db in
            try db.execute(sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE seq = ?",
                           arguments: [error, retryAt.millisecondsSince1970, seq])
            try db.execute(sql: "INSERT INTO outbox_attempts (outbox_seq, at, ok, detail) VALUES (?, ?, 0, ?)",
                           arguments: [seq, now.millisecondsSince1970, error])
            guard let row = try Row.fetchOne(db, sql: "SELECT channel, topic, created_at, failure_reported FROM outbox WHERE seq = ?", arguments: [seq]),
                  (row["failure_reported"] as Int) == 0,
                  now.millisecondsSince1970 - (row["created_at"] as Int64) >= Int64(giveUpAfter * 1000)
            else { return }
            try db.execute(sql: "UPDATE outbox SET failure_reported = 1 WHERE seq = ?", arguments: [seq])
            let channel: String = row["channel"]
            let target: String = row["topic"]
            let place = channel == "webhook" ? "to the webhook \(target)" : "on the \(channel) topic \(target)"
            let duration = giveUpAfter < 60 ? "\(Int(giveUpAfter)) s" : "\(Int(giveUpAfter / 60)) min"
            _ = try IncidentStore.apply(.raise(IncidentDraft(
                home: "hub", kind: .notificationFailed, device: nil,
                summary: "A notification \(place) has failed for \(duration) (\(error)); it is still being retried. Check the channel: people may not be hearing about incidents.",
                at: now)), at: now.millisecondsSince1970, in: db)
        }
    }

    /// Copies each alert queued for MQTT to the webhooks that want its priority (`routes`), once.
    public func fanOutAlerts(routes: @Sendable (Priority) -> [String], at now: Date) throws -> Int {
        let waiting = try database.writer.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM outbox WHERE channel = 'mqtt' AND fanned_out = 0 AND topic LIKE 'carehub/v1/%/alert' LIMIT 1")
                ?? false
        }
        guard waiting else { return 0 }
        return try database.writer.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT seq, payload, incident_id FROM outbox WHERE channel = 'mqtt' AND fanned_out = 0 AND topic LIKE 'carehub/v1/%/alert' ORDER BY seq LIMIT 500
                """)
            var added = 0
            for row in rows {
                let payload: Data = row["payload"]
                if case .string(let name)? = (try? JSONValue.parse(Array(payload)))?["priority"], let priority = Priority(rawValue: name) {
                    for url in routes(priority) {
                        try db.execute(sql: """
                            INSERT INTO outbox (created_at, channel, topic, payload, incident_id, next_attempt_at, fanned_out)
                            VALUES (?, 'webhook', ?, ?, ?, ?, 1)
                            """, arguments: [now.millisecondsSince1970, url, payload, row["incident_id"] as Int64?, now.millisecondsSince1970])
                        added += 1
                    }
                }
                try db.execute(sql: "UPDATE outbox SET fanned_out = 1 WHERE seq = ?", arguments: [row["seq"] as Int64])
            }
            return added
        }
    }

    /// Undelivered messages and the oldest one's age: shown by `carehub status`.
    public func backlog() throws -> (count: Int, oldest: Date?, failing: Int) {
        try database.writer.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS count, MIN(created_at) AS oldest, SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS failing
                FROM outbox WHERE delivered_at IS NULL
                """)
            let oldest: Int64? = row?["oldest"]
            return (row?["count"] ?? 0, oldest.map(Date.init(millisecondsSince1970:)), row?["failing"] ?? 0)
        }
    }
}

extension OutboxStore {
    /// Where undelivered notifications are failing, as "<channel> <target>" (`webhook oncall`,
    /// `mqtt carehub/v1/flat-12/alert`): shown by `carehub status`.
    public func failingTargets() throws -> [String] {
        try database.writer.read { db in
            try String.fetchAll(db, sql: """
                SELECT DISTINCT channel || ' ' || topic FROM outbox WHERE delivered_at IS NULL AND attempts > 0 ORDER BY 1 LIMIT 20
                """)
        }
    }
}

/// One notification about an incident, for `carehub incidents show`.
public struct NotificationRecord: Sendable, Equatable {
    public var channel: String
    public var target: String
    public var state: String
    public var createdAt: Date
    public var deliveredAt: Date?
    public var attempts: Int
    public var lastError: String?
}

extension OutboxStore {
    /// Every alert and webhook about `incident`, oldest first.
    public func notifications(incident: Int64) throws -> [NotificationRecord] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT channel, topic, payload, created_at, delivered_at, attempts, last_error FROM outbox WHERE incident_id = ? ORDER BY seq
                """, arguments: [incident]).map { row in
                let payload: Data = row["payload"]
                var state = "?"
                if case .string(let text)? = (try? JSONValue.parse(Array(payload)))?["state"] { state = text }
                return NotificationRecord(
                    channel: row["channel"], target: row["topic"], state: state, createdAt: Date(millisecondsSince1970: row["created_at"]),
                    deliveredAt: (row["delivered_at"] as Int64?).map(Date.init(millisecondsSince1970:)), attempts: row["attempts"],
                    lastError: row["last_error"])
            }
        }
    }
}
