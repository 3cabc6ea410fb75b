import CareHubCore
import Foundation
import GRDB

/// A message waiting to be published (an alert or a receipt).
public struct OutboxMessage: Sendable, Equatable {
    public var seq: Int64
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

    /// Undelivered messages due at `now`, oldest first.
    public func due(at now: Date, limit: Int = 100) throws -> [OutboxMessage] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT seq, topic, payload, retain, attempts FROM outbox
                WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY seq LIMIT ?
                """, arguments: [now.millisecondsSince1970, limit]).map { row in
                    OutboxMessage(seq: row["seq"], topic: row["topic"], payload: Array(row["payload"] as Data),
                                  retain: row["retain"], attempts: row["attempts"])
                }
        }
    }

    /// When the next undelivered message falls due, if any.
    public func nextDue() throws -> Date? {
        try database.writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM outbox WHERE delivered_at IS NULL")
        }.map(Date.init(millisecondsSince1970:))
    }

    public func markDelivered(_ seq: Int64, at now: Date) throws {
        try database.writer.write { db in
            try db.execute(sql: "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE seq = ?",
                           arguments: [now.millisecondsSince1970, seq])
        }
    }

    public func markFailed(_ seq: Int64, error: String, retryAt: Date) throws {
        try database.writer.write { db in
            try db.execute(sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE seq = ?",
                           arguments: [error, retryAt.millisecondsSince1970, seq])
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
