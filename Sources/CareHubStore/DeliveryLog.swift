import CareHubCore
import Foundation
import GRDB

/// The digests of the last messages the hub committed, in the order it received them, each written in the same
/// transaction as its message, so that after a crash the hub can recognise the broker redelivering one it had stored
/// but whose acknowledgement the broker never processed (architecture invariant 2 for messages that carry no id of
/// their own: a Zigbee2MQTT button press). `RedeliveryGuard` explains how.
///
/// How many can come back is how far behind the broker was in reading the hub's acknowledgements when the
/// connection died: on a loaded machine that was seconds' worth (hundreds of messages with mosquitto 2.0.11, whose
/// in-flight limit does not hold after a reconnect). The ring keeps `capacity` entries, many times that.
///
/// **Threads.** `record` runs inside ingest's write transaction, on the MQTT network thread.
public struct DeliveryLog: Sendable {
    /// Ring size.
    public static let capacity: Int64 = 16_384

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

    /// One committed message: its digest and MQTT packet identifier (nil for entries logged before identifiers were),
    /// its place in the log, and when it was last received (milliseconds since 1970).
    public struct Entry: Sendable, Equatable {
        public let digest: DeliveryDigest
        public let packetID: Int32?
        public let position: Int64
        public let receivedAt: Int64

        public init(digest: DeliveryDigest, packetID: Int32?, position: Int64, receivedAt: Int64) {
            self.digest = digest
            self.packetID = packetID
            self.position = position
            self.receivedAt = receivedAt
        }

        /// Whether a delivery of `digest` with `packetID` can be this message sent again: the same bytes, and the same
        /// packet identifier where both are known.
        public func matches(_ digest: DeliveryDigest, packetID: Int32?) -> Bool {
            self.digest == digest && (self.packetID == nil || packetID == nil || self.packetID == packetID)
        }
    }

    /// Every entry of the ring, in the order the messages were received.
    public func entries() throws -> [Entry] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT digest, packet_id, position, received_at FROM recent_deliveries ORDER BY position").compactMap { row in
                DeliveryDigest(stored: Array(row["digest"] as Data)).map {
                    Entry(digest: $0, packetID: row["packet_id"], position: row["position"], receivedAt: row["received_at"])
                }
            }
        }
    }

    /// Forgets every entry: after a clean disconnect every acknowledgement has left, so nothing can come back.
    public func forget() throws {
        try database.writer.write { db in try db.execute(sql: "DELETE FROM recent_deliveries") }
    }

    /// Notes a committed message at `position` (the ring slot is `position % capacity`); for a recognised redelivery,
    /// at the position it already holds, with the time it came back.
    static func record(_ digest: DeliveryDigest, packetID: Int32?, position: Int64, receivedAt: Int64, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO recent_deliveries (slot, position, digest, packet_id, received_at) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [position % capacity, position, Data(digest.bytes), packetID, receivedAt])
    }
}
