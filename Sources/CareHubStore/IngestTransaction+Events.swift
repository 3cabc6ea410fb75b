import CareHubCore
import Foundation
import GRDB

/// Events, their receipts, and what they say about their device and home.
extension IngestTransaction {
    /// Inserts `event`; its row number, or nil when its home already has an event with its id (nothing changes).
    public func insertEvent(_ event: SensorEvent, receivedAt millis: Int64) throws -> Int64? {
        try db.cachedStatement(sql: """
            INSERT INTO events (home_id, id, device_id, type, value, ts, received_at, room, battery, device_seq, is_test, flags)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (home_id, id) DO NOTHING
            """).execute(arguments: [
                event.home, event.id, event.device, event.type.rawValue,
                event.value == .none ? nil : event.value.jsonText,
                event.timestamp.millisecondsSince1970, millis, event.room, event.battery, event.sequence,
                event.isTest, event.flags.isEmpty ? nil : event.flags.map(\.code).joined(separator: ","),
            ])
        return db.changesCount > 0 ? db.lastInsertedRowID : nil
    }

    /// When the home's event `id` was stored.
    public func storedAt(home: String, eventID id: String) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT received_at FROM events WHERE home_id = ? AND id = ?"), arguments: [home, id])
    }

    /// Notes a new event on its device's row (if the home has one): last seen, battery, sequence and its gaps,
    /// and the room and type it did not know yet. Written once, at the end of the transaction.
    public func noteDeviceActivity(_ event: SensorEvent, type: EventType?, receivedAt millis: Int64) throws {
        try pending.update(home: event.home, device: event.device, in: db) {
            $0.note(sequence: event.sequence, receivedAt: millis, battery: event.battery, room: event.room, type: type?.rawValue)
        }
    }

    /// Notes that `home`'s gateway sent a message at `millis`. Written once, at the end of the transaction.
    public func noteHomeMessage(_ home: String, at millis: Int64) throws {
        pending.noteHomeMessage(home, at: millis)
    }

    /// Queues a receipt for the gateway (contract section 4).
    public func queueReceipt(_ receipt: EventReceipt, at millis: Int64) throws {
        try OutboxStore.enqueue(.receipt(receipt), queuedAt: millis, in: db)
    }

    /// Adds one to a hub-wide counter.
    public func count(_ counter: IngestCounter) throws {
        try db.cachedStatement(sql: "UPDATE counters SET value = value + 1 WHERE name = ?").execute(arguments: [counter.rawValue])
    }

    /// A gateway's word on its own state, kept on its home and in the status log.
    public func recordGatewayStatus(home: String, state: GatewayState, at millis: Int64) throws {
        try db.cachedStatement(sql: "UPDATE homes SET gateway_state = ?, gateway_state_at = ? WHERE id = ?")
            .execute(arguments: [state.rawValue, millis, home])
        pending.noteHomeMessage(home, at: millis)
        try db.cachedStatement(sql: "INSERT INTO gateway_status_log (home_id, state, received_at) VALUES (?, ?, ?)")
            .execute(arguments: [home, state.rawValue, millis])
    }

    /// A gateway's word on one device's availability, kept on the device and in the status log.
    public func recordDeviceStatus(home: String, device: String, state: GatewayState, at millis: Int64) throws {
        try db.cachedStatement(sql: "UPDATE devices SET availability = ?, availability_at = ? WHERE home_id = ? AND id = ?")
            .execute(arguments: [state.rawValue, millis, home, device])
        try db.cachedStatement(sql: "INSERT INTO gateway_status_log (home_id, device_id, state, received_at) VALUES (?, ?, ?, ?)")
            .execute(arguments: [home, device, state.rawValue, millis])
    }

    /// What a mapped message left on its device: the mapping's memory (as stored text), its link quality when it
    /// gave one, and `seenAt` when it counts as a sign of life. Written once, at the end of the transaction.
    public func saveMappingState(home: String, device: String, memory: String, linkQuality: Double?, seenAt: Int64?) throws {
        try pending.update(home: home, device: device, in: db) { $0.noteMapping(memory: memory, linkQuality: linkQuality, seenAt: seenAt) }
    }
}
