import CareHubCore
import Foundation
import GRDB

/// The rules service's view of the database: events after its checkpoint, and the transaction that applies
/// its decisions together with the advanced checkpoint (so each event is evaluated exactly once).
public struct RulesStore: Sendable {
    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    public func checkpoint() throws -> Int64 {
        try database.writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT last_event_seq FROM rules_checkpoint WHERE id = 1") ?? 0
        }
    }

    /// Up to `limit` events stored after `seq`, in storage order.
    public func events(after seq: Int64, limit: Int) throws -> [EventRecord] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(EventRecord.columns) FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                             arguments: [seq, limit]).compactMap(EventRecord.init(row:))
        }
    }

    /// Applies `commands` and moves the checkpoint to `checkpoint`, in one transaction.
    @discardableResult
    public func apply(_ commands: [IncidentCommand], checkpoint: Int64, at now: Date) throws -> [IncidentStore.Change] {
        try database.writer.write { db in
            let millis = now.millisecondsSince1970
            var changes: [IncidentStore.Change] = []
            for command in commands {
                changes += try IncidentStore.apply(command, at: millis, in: db)
            }
            try db.execute(sql: "UPDATE rules_checkpoint SET last_event_seq = ?, updated_at = ? WHERE id = 1 AND last_event_seq <= ?",
                           arguments: [checkpoint, millis, checkpoint])
            return changes
        }
    }
}
