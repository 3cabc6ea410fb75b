import CareHubCore
import Foundation
import GRDB

/// The alarms the live lane handled, each waiting for its copy from the hub's persistent session.
///
/// The live lane (a second, clean-session connection) stores an alarm the moment it is published, while the
/// persistent session may still be delivering a backlog queued before it. The persistent session later delivers
/// the same message. A mapped alarm (a Zigbee2MQTT `{"action":"sos"}`) has no id of its own, and a contract alarm's
/// copy would send a second receipt, so the live lane notes each alarm message's digest here and the persistent copy
/// consumes one entry with the same digest (one for one: two identical presses, or a gateway's genuine re-send, are
/// two entries) and changes nothing. When the live lane stores some, the hub
/// publishes a marker through the persistent session; the broker queues it behind those alarms' copies, so when it
/// comes back, an entry still waiting had no copy (the broker dropped it) and is forgotten: it can never swallow a
/// later press.
///
/// **Threads.** All of it runs inside ingest transactions, on the MQTT network threads.
public enum LiveDeliveries {
    /// Notes a mapped message the live lane stored; returns its sequence number (for the marker).
    public static func record(_ digest: DeliveryDigest, at receivedAt: Date, in transaction: IngestTransaction) throws -> Int64 {
        try transaction.db.cachedStatement(sql: "INSERT INTO live_deliveries (digest, stored_at) VALUES (?, ?)")
            .execute(arguments: [Data(digest.bytes), receivedAt.millisecondsSince1970])
        return transaction.db.lastInsertedRowID
    }

    /// Whether a message from the persistent session is the copy of one the live lane stored; if so, that entry is
    /// used up.
    public static func consume(_ digest: DeliveryDigest, in transaction: IngestTransaction) throws -> Bool {
        try transaction.db.cachedStatement(sql: """
            DELETE FROM live_deliveries WHERE seq = (SELECT seq FROM live_deliveries WHERE digest = ? ORDER BY seq LIMIT 1)
            """).execute(arguments: [Data(digest.bytes)])
        return transaction.db.changesCount > 0
    }

    /// The marker for `seq` came back through the persistent session: every entry up to it is forgotten.
    public static func forget(upTo seq: Int64, in transaction: IngestTransaction) throws {
        try transaction.db.cachedStatement(sql: "DELETE FROM live_deliveries WHERE seq <= ?").execute(arguments: [seq])
    }
}
