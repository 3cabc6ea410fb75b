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

    /// Keeps a message a gateway limit held back as its length, SHA-256 and reason, or only counts it once the
    /// gateway's refused records for the day are used up; raises `quota_exceeded` the first time a day.
    public func keepOverLimit(_ refused: RefusedMessage, sender: GatewaySender, limit: GatewayTraffic.Limit, limits: GatewayLimits,
                              at millis: Int64) throws {
        try GatewayTraffic.keepOverLimit(refused, sender: sender, limit: limit, limits: limits, at: millis, in: db)
    }

    /// A mark for `applyRefusalLimits`: how many refused messages this transaction has kept so far.
    public func refusalMark() -> Int {
        pending.keptRefusals.count
    }

    /// Holds the refused messages kept since `mark` (`keepRefused`) to the sender's daily limits (`GatewayTraffic`).
    public func applyRefusalLimits(_ sender: GatewaySender, limits: GatewayLimits, keptSince mark: Int, at millis: Int64) throws {
        let kept = pending.keptRefusals
        guard mark < kept.count else { return }
        try GatewayTraffic.applyRefusalLimits(sender, limits: limits, after: kept[mark] - 1, at: millis, in: db)
    }

    /// Counts a message that reached the hub at QoS 0; `alarm` when it carried one.
    public func noteQoS0(_ sender: GatewaySender, alarm: Bool, at millis: Int64) throws {
        try GatewayTraffic.noteQoS0(sender, alarm: alarm, at: millis, in: db)
    }

    /// Notes a delivery in the redelivery guard's log (`DeliveryLog`).
    public func recordDelivery(_ digest: DeliveryDigest, position: Int64, at millis: Int64) throws {
        try DeliveryLog.record(digest, position: position, receivedAt: millis, in: db)
    }

    /// Raises (or joins) an incident ingest found, such as a possible spoof.
    public func raise(_ draft: IncidentDraft, at millis: Int64) throws {
        _ = try IncidentStore.apply(.raise(draft), at: millis, in: db)
    }
}
