import CareHubCore
import Foundation
import GRDB

extension OutboxStore {
    /// The row of `lane` to send next at `now`, if one is due: rows never tried before rows being retried, each
    /// oldest first. A fresh alert therefore waits for at most the one attempt in flight on its lane, never
    /// behind a queue of retries; retries go out whenever the lane has no fresh row due.
    public func next(in lane: OutboxLane, at now: Date, excluding inFlight: Set<Int64> = []) throws -> OutboxMessage? {
        let condition = lane.condition
        let excluded = inFlight.isEmpty ? "" : " AND seq NOT IN (" + Array(repeating: "?", count: inFlight.count).joined(separator: ", ") + ")"
        return try database.writer.read { db in
            try Row.fetchOne(db, sql: """
                SELECT seq, created_at, channel, webhook, \(OutboxNotification.columns), retain, attempts FROM outbox
                WHERE delivered_at IS NULL AND next_attempt_at <= ? AND \(condition.sql)\(excluded)
                ORDER BY attempts > 0, seq LIMIT 1
                """, arguments: StatementArguments([now.millisecondsSince1970]) + condition.arguments + StatementArguments(inFlight.sorted()))
                .map(OutboxMessage.init(row:))
        }
    }

    /// When the next undelivered row of `lane` falls due, if any.
    public func nextDue(in lane: OutboxLane) throws -> Date? {
        let condition = lane.condition
        return try database.writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM outbox WHERE delivered_at IS NULL AND \(condition.sql)",
                               arguments: condition.arguments)
        }.map(Date.init(millisecondsSince1970:))
    }
}

extension OutboxMessage {
    /// Reads a row; a row whose typed columns make no notification (which the schema's checks forbid) is damage.
    init(row: Row) throws {
        let seq: Int64 = row["seq"]
        guard let notification = OutboxNotification(row: row) else {
            throw StoreError(.databaseUnreadable, "Outbox row \(seq) is damaged; run `carehub db check` and restore from a backup if it finds faults.")
        }
        self.init(seq: seq, createdAt: Date(millisecondsSince1970: row["created_at"]), channel: row["channel"], webhook: row["webhook"],
                  notification: notification, retain: row["retain"], attempts: row["attempts"])
    }
}
