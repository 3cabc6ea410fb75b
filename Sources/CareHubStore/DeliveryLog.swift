import CareHubCore
import Foundation
import GRDB

/// The digests of the last messages the hub committed, kept in the same transaction as each message, so that
/// after a crash the hub can recognise the broker redelivering one it had stored but not yet acknowledged
/// (architecture invariant 2 for messages that carry no id of their own: a Zigbee2MQTT button press).
///
/// A redelivery can only be one of the messages committed just before the connection dropped: with group commit,
/// the last read burst (at most `MosquittoConfiguration.BatchLimits.maximumMessages`, 256), whose PUBACKs had not
/// left, and in the worst case the acknowledgements of a few bursts before it still in the kernel's send buffer
/// when the process died. The log keeps `capacity` entries in a ring (four full bursts), and `recent` offers
/// only those committed within `settleTime` of the last one.
///
/// **Threads.** `record` runs inside ingest's write transaction, on the MQTT network thread.
public struct DeliveryLog: Sendable {
    /// Ring size: four full bursts.
    public static let capacity: Int64 = 16_384
    /// Only messages committed this close to the last one can still be unacknowledged: a PUBACK leaves within
    /// milliseconds of its commit unless the connection died at that moment.
    public static let settleTime: Int64 = 5_000

    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    /// The next position to write (one past the newest entry).
    public func nextPosition() throws -> Int64 {
        try database.writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(position) + 1, 0) FROM recent_deliveries") ?? 0
        }
    }

    /// The digests of the messages committed within `settleTime` of the newest, oldest first: the only ones the
    /// broker may still redeliver.
    public func recent() throws -> [DeliveryDigest] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT digest FROM recent_deliveries
                WHERE received_at >= (SELECT MAX(received_at) FROM recent_deliveries) - ? ORDER BY position
                """, arguments: [Self.settleTime]).compactMap { DeliveryDigest(stored: Array($0["digest"] as Data)) }
        }
    }

    /// Forgets every entry: after a clean disconnect every acknowledgement has left, so nothing can come back.
    public func forget() throws {
        try database.writer.write { db in try db.execute(sql: "DELETE FROM recent_deliveries") }
    }

    /// Notes a committed message at `position` (the ring slot is `position % capacity`).
    static func record(_ digest: DeliveryDigest, position: Int64, receivedAt: Int64, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO recent_deliveries (slot, position, digest, received_at) VALUES (?, ?, ?, ?)")
            .execute(arguments: [position % capacity, position, Data(digest.bytes), receivedAt])
    }
}
