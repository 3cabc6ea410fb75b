import CareHubCore
import Foundation
import GRDB

/// The alarms one of the hub's two connections handled while both ran, each waiting for the other's copy.
///
/// The live lane (a second, clean-session connection) runs only while the persistent session drains a backlog. It
/// stores an alarm the moment it is published; the persistent session delivers the same message later. A mapped
/// alarm (a Zigbee2MQTT `{"action":"sos"}`) has no id of its own, and a contract alarm's copy would send a second
/// receipt, so each lane notes here the digest of every alarm message it handled (`notedBy`), and the other lane's
/// copy uses one note up, one for one (two identical presses, or a gateway's genuine re-send, are two notes), and
/// changes nothing. Normally the live lane is first; as the backlog ends either may be, and the notes make the
/// order not matter.
///
/// Notes that will never meet their copy are forgotten so they can never swallow a later message:
/// - the live lane's: after storing some, the hub publishes a marker through the persistent session, which the broker
///   queues behind those alarms' copies; when it comes back, a note still waiting had no copy (the broker dropped it);
/// - the persistent session's: when its backlog sentinel comes back, the live lane stops, and its notes go. A stale
///   one could at worst make the live lane leave an alarm to the persistent session, which delivers it anyway.
///
/// **Threads.** All of it runs inside ingest transactions, on the MQTT network threads.
public enum LiveDeliveries {
    /// Notes an alarm message `lane` handled; returns the note's sequence number (for the live lane's marker).
    public static func record(_ digest: DeliveryDigest, notedBy lane: IngestLane, at receivedAt: Date,
                              in transaction: IngestTransaction) throws -> Int64 {
        try transaction.db.cachedStatement(sql: "INSERT INTO live_deliveries (lane, digest, stored_at) VALUES (?, ?, ?)")
            .execute(arguments: [lane.rawValue, Data(digest.bytes), receivedAt.millisecondsSince1970])
        return transaction.db.lastInsertedRowID
    }

    /// Whether a message is the copy of one the other lane (`lane`) handled; if so, that note is used up.
    public static func consume(_ digest: DeliveryDigest, notedBy lane: IngestLane, in transaction: IngestTransaction) throws -> Bool {
        try transaction.db.cachedStatement(sql: """
            DELETE FROM live_deliveries
            WHERE seq = (SELECT seq FROM live_deliveries WHERE digest = ? AND lane = ? ORDER BY seq LIMIT 1)
            """).execute(arguments: [Data(digest.bytes), lane.rawValue])
        return transaction.db.changesCount > 0
    }

    /// The live lane's marker for `seq` came back through the persistent session: its notes up to it are forgotten.
    public static func forget(upTo seq: Int64, in transaction: IngestTransaction) throws {
        try transaction.db.cachedStatement(sql: "DELETE FROM live_deliveries WHERE lane = 'live' AND seq <= ?").execute(arguments: [seq])
    }

    /// The persistent session has delivered its backlog: the live lane stops, and the persistent session's notes go.
    public static func forgetPersistentNotes(in transaction: IngestTransaction) throws {
        try transaction.db.cachedStatement(sql: "DELETE FROM live_deliveries WHERE lane = 'persistent'").execute()
    }
}
