import CareHubCore
import Foundation
import GRDB

/// Messages kept aside, gateways' limits, deliveries and the incidents ingest raises.
extension IngestTransaction {
    /// Keeps a refused message: its (first 16 KiB of) payload, length, SHA-256 and reason.
    public func keepRefused(_ refused: RefusedMessage, receivedAt millis: Int64) throws {
        try Self.insert(refused: refused, receivedAt: millis, in: db)
        pending.noteKeptRefusal(db.lastInsertedRowID)
    }

    static func insert(refused: RefusedMessage, receivedAt millis: Int64, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO refused_events (received_at, topic, payload, payload_length, payload_sha256, reason_code, reason, home_id, device_id, event_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                millis, refused.topic, Data(refused.payload), refused.payloadLength, refused.payloadSHA256,
                refused.reason.code, refused.reason.message, refused.home, refused.device, refused.eventID,
            ])
    }

    /// Keeps a refused message as its length, SHA-256 and reason only (a limit held it back; not one of the
    /// refusals `keptRefusals` lists).
    public func keepDigest(_ refused: RefusedMessage, receivedAt millis: Int64) throws {
        var digestOnly = refused
        digestOnly.payload = []  // its length and SHA-256 stay those of the whole payload
        try Self.insert(refused: digestOnly, receivedAt: millis, in: db)
    }

    /// A mark for `keptRefusals`: how many refused messages this transaction has kept so far.
    public func refusalMark() -> Int {
        pending.keptRefusals.count
    }

    /// A refused message kept whole, as its gateway's daily limits weigh it.
    public struct KeptRefusal: Sendable, Equatable {
        public var seq: Int64
        public var bytes: Int64
        public var reason: RefusalReason
    }

    /// The refused messages kept (`keepRefused`) since `mark`, and still kept whole.
    public func keptRefusals(since mark: Int) throws -> [KeptRefusal] {
        let kept = pending.keptRefusals
        guard mark < kept.count else { return [] }
        return try Row.fetchAll(db.cachedStatement(sql: """
            SELECT seq, LENGTH(payload) AS bytes, reason_code, reason FROM refused_events WHERE seq >= ? AND reason_code != 'quota'
            """), arguments: [kept[mark]]).map {
            KeptRefusal(seq: $0["seq"], bytes: $0["bytes"] ?? 0, reason: RefusalReason(code: $0["reason_code"], message: $0["reason"]))
        }
    }

    /// Deletes a kept refused message (its gateway's refused records for the day are used up).
    public func dropRefused(_ seq: Int64) throws {
        try db.cachedStatement(sql: "DELETE FROM refused_events WHERE seq = ?").execute(arguments: [seq])
    }

    /// Keeps only the length and SHA-256 of a kept refused message, under `reason`.
    public func reduceToDigest(_ seq: Int64, reason: RefusalReason) throws {
        try db.cachedStatement(sql: "UPDATE refused_events SET payload = x'', reason_code = ?, reason = ? WHERE seq = ?")
            .execute(arguments: [reason.code, reason.message, seq])
    }

    /// Notes a delivery in the redelivery guard's log (`DeliveryLog`).
    public func recordDelivery(_ digest: DeliveryDigest, packetID: Int32?, position: Int64, at millis: Int64) throws {
        try DeliveryLog.record(digest, packetID: packetID, position: position, receivedAt: millis, in: db)
    }

    /// Raises (or joins) an incident ingest found, such as a possible spoof.
    public func raise(_ draft: IncidentDraft, at millis: Int64) throws {
        _ = try IncidentStore.apply(.raise(draft), at: millis, in: db)
    }
}
