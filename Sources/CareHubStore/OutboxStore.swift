import CareHubCore
import Foundation
import GRDB

/// A notification waiting to be delivered (an alert or a receipt), and where to.
public struct OutboxMessage: Sendable, Equatable {
    public var seq: Int64
    public var createdAt: Date
    /// `mqtt` or `webhook`.
    public var channel: String
    /// The webhook's name (never its URL) for a webhook row; nil for MQTT.
    public var webhook: String?
    /// What it announces; the notifier renders its topic and payload.
    public var notification: OutboxNotification
    public var retain: Bool
    public var attempts: Int

    /// Where it goes, by the names the notifier renders.
    public var target: OutboxTarget {
        webhook.map { .webhook(name: $0) } ?? .mqtt(notification.kind, home: notification.home)
    }
}

/// The outbox: notifications written in the same transaction as the change they announce, then delivered by
/// the notifier with retries until the broker or the webhook takes them. Delivery is at least once.
///
/// Rows hold typed data (`OutboxNotification`): the store knows no MQTT topic and no JSON.
public struct OutboxStore: Sendable {
    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    /// Queues `notification` for MQTT inside the caller's transaction; `now` is when it was queued (milliseconds).
    /// A receipt is never copied to webhooks, so it is born fanned out.
    static func enqueue(_ notification: OutboxNotification, queuedAt now: Int64, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO outbox (created_at, channel, \(OutboxNotification.columns), next_attempt_at, fanned_out)
            VALUES (?, 'mqtt', \(OutboxNotification.placeholders), ?, ?)
            """).execute(arguments: [now] + notification.arguments + [now, notification.kind == .receipt])
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
    /// queued raises a technical `notification_failed` incident (once) naming `target`, where it was going as the
    /// notifier names it (the MQTT topic, or the webhook's name); it keeps being retried.
    public func markFailed(
        _ seq: Int64, target: String, error: String, retryAt: Date, at now: Date = Date(), giveUpAfter: TimeInterval = 15 * 60
    ) throws {
        try database.writer.write { db in
            try db.execute(sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE seq = ?",
                           arguments: [error, retryAt.millisecondsSince1970, seq])
            try db.execute(sql: "INSERT INTO outbox_attempts (outbox_seq, at, ok, detail) VALUES (?, ?, 0, ?)",
                           arguments: [seq, now.millisecondsSince1970, error])
            guard let row = try Row.fetchOne(db, sql: "SELECT channel, created_at, failure_reported FROM outbox WHERE seq = ?", arguments: [seq]),
                  (row["failure_reported"] as Int) == 0,
                  now.millisecondsSince1970 - (row["created_at"] as Int64) >= Int64(giveUpAfter * 1000)
            else { return }
            try db.execute(sql: "UPDATE outbox SET failure_reported = 1 WHERE seq = ?", arguments: [seq])
            let channel: String = row["channel"]
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
            try Bool.fetchOne(db, sql: "SELECT 1 FROM outbox WHERE channel = 'mqtt' AND fanned_out = 0 AND notification = 'alert' LIMIT 1")
                ?? false
        }
        guard waiting else { return 0 }
        return try database.writer.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT seq, priority FROM outbox WHERE channel = 'mqtt' AND fanned_out = 0 AND notification = 'alert' ORDER BY seq LIMIT 500
                """)
            var added = 0
            for row in rows {
                let seq: Int64 = row["seq"]
                if let priority = (row["priority"] as String?).flatMap(Priority.init(rawValue:)) {
                    for name in routes(priority) {
                        try db.execute(sql: """
                            INSERT INTO outbox (created_at, channel, webhook, \(OutboxNotification.columns), next_attempt_at, fanned_out)
                            SELECT ?1, 'webhook', ?2, \(OutboxNotification.columns), ?1, 1 FROM outbox WHERE seq = ?3
                            """, arguments: [now.millisecondsSince1970, name, seq])
                        added += 1
                    }
                }
                try db.execute(sql: "UPDATE outbox SET fanned_out = 1 WHERE seq = ?", arguments: [seq])
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
    /// Where undelivered notifications are failing (a webhook by its name, or an MQTT topic the notifier renders from
    /// the kind and home): shown by `carehub status`.
    public func failingTargets() throws -> [OutboxTarget] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT DISTINCT webhook, notification, CASE WHEN webhook IS NULL THEN home_id END AS home_id FROM outbox
                WHERE delivered_at IS NULL AND attempts > 0 ORDER BY webhook IS NOT NULL, webhook, home_id, notification LIMIT 20
                """).compactMap(OutboxTarget.init(row:))
        }
    }
}

/// One notification about an incident, for `carehub incidents show`.
public struct NotificationRecord: Sendable, Equatable {
    public var target: OutboxTarget
    /// The incident's state it announced.
    public var state: String
    public var createdAt: Date
    public var deliveredAt: Date?
    public var attempts: Int
    public var lastError: String?

    public var channel: String { target.channel }
}

extension OutboxStore {
    /// Every alert and webhook about `incident`, oldest first.
    public func notifications(incident: Int64) throws -> [NotificationRecord] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT webhook, notification, home_id, state, created_at, delivered_at, attempts, last_error FROM outbox
                WHERE incident_id = ? ORDER BY seq
                """, arguments: [incident]).compactMap(NotificationRecord.init(row:))
        }
    }
}

extension NotificationRecord {
    init?(row: Row) {
        guard let target = OutboxTarget(row: row) else { return nil }
        let deliveredAt: Int64? = row["delivered_at"]
        self.init(target: target, state: row["state"] ?? "?", createdAt: Date(millisecondsSince1970: row["created_at"]),
                  deliveredAt: deliveredAt.map(Date.init(millisecondsSince1970:)), attempts: row["attempts"], lastError: row["last_error"])
    }
}
