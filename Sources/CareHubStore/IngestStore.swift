import CareHubCore
import Foundation
import GRDB

/// Writes what ingest received: one transaction per message (architecture invariant 1).
///
/// **Threads.** Called on the MQTT network thread, synchronously, before the message callback returns; the
/// broker's acknowledgement leaves only after `store` has returned. If `store` throws, the message must not
/// be acknowledged.
public struct IngestStore: Sendable {
    public let database: HubDatabase
    public var registration: RegistrationMode
    public var defaultTimeZone: String

    public init(database: HubDatabase, registration: RegistrationMode, defaultTimeZone: String) {
        self.database = database
        self.registration = registration
        self.defaultTimeZone = defaultTimeZone
    }

    /// What storing one message did.
    public enum Outcome: Sendable, Equatable {
        /// A new event, with its row number; `receiptQueued` for alarms.
        case stored(seq: Int64, receiptQueued: Bool)
        /// The home already had an event with this id: nothing stored, counted (a receipt is re-sent for alarms).
        case duplicate(receiptQueued: Bool)
        case refused(code: String)
        case gatewayStatus(GatewayState)
    }

    /// Stores `message` (decoded from `topic` and `payload`) in one durable transaction.
    public func store(_ message: DecodedMessage, topic: String, payload: [UInt8], receivedAt: Date) throws -> Outcome {
        try database.writer.write { db in
            try store(message, topic: topic, payload: payload, receivedAt: receivedAt.millisecondsSince1970, in: db)
        }
    }

    func store(_ message: DecodedMessage, topic: String, payload: [UInt8], receivedAt: Int64, in db: Database) throws -> Outcome {
        switch message {
        case .refused(let refused):
            try insertRefused(refused, receivedAt: receivedAt, in: db)
            return .refused(code: refused.reason.code)
        case .gatewayStatus(let home, let state):
            guard try ensureHome(home, receivedAt: receivedAt, in: db) else {
                try insertRefused(RefusedMessage(topic: topic, payload: payload, reason: .unregistered, home: home),
                                  receivedAt: receivedAt, in: db)
                return .refused(code: RefusalReason.unregistered.code)
            }
            try db.cachedStatement(sql: "UPDATE homes SET gateway_state = ?, gateway_state_at = ?, last_message_at = ? WHERE id = ?")
                .execute(arguments: [state.rawValue, receivedAt, receivedAt, home])
            try db.cachedStatement(sql: "INSERT INTO gateway_status_log (home_id, state, received_at) VALUES (?, ?, ?)")
                .execute(arguments: [home, state.rawValue, receivedAt])
            return .gatewayStatus(state)
        case .event(var event):
            let registered = try ensureHome(event.home, receivedAt: receivedAt, in: db)
                && ensureDevice(event, receivedAt: receivedAt, in: db)
            if !registered {
                guard event.type.isAlarm else {
                    try insertRefused(
                        RefusedMessage(topic: topic, payload: payload, reason: .unregistered,
                                       home: event.home, device: event.device, eventID: event.id),
                        receivedAt: receivedAt, in: db)
                    return .refused(code: RefusalReason.unregistered.code)
                }
                event.flags.append(.unregistered)
            }
            return try insertEvent(event, receivedAt: receivedAt, in: db)
        }
    }

    private func insertEvent(_ event: SensorEvent, receivedAt: Int64, in db: Database) throws -> Outcome {
        try db.cachedStatement(sql: """
            INSERT INTO events (home_id, id, device_id, type, value, ts, received_at, room, battery, device_seq, is_test, flags)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (home_id, id) DO NOTHING
            """).execute(arguments: [
                event.home, event.id, event.device, event.type.rawValue,
                event.value == .none ? nil : event.value.jsonText,
                event.timestamp.millisecondsSince1970, receivedAt, event.room, event.battery, event.sequence,
                event.isTest, event.flags.isEmpty ? nil : event.flags.map(\.code).joined(separator: ","),
            ])
        let isNew = db.changesCount > 0
        let seq = db.lastInsertedRowID
        let needsReceipt = event.type.isAlarm
        if isNew {
            try recordDeviceActivity(event, receivedAt: receivedAt, in: db)
        } else {
            try db.cachedStatement(sql: "UPDATE counters SET value = value + 1 WHERE name = 'duplicates'").execute()
        }
        if needsReceipt {
            let storedAt = isNew
                ? receivedAt
                : try Int64.fetchOne(db, sql: "SELECT received_at FROM events WHERE home_id = ? AND id = ?", arguments: [event.home, event.id]) ?? receivedAt
            let receipt = JSONText.object([("id", JSONText.quoted(event.id)), ("stored_at", JSONText.quoted(RFC3339.formatMilliseconds(storedAt)))])
            try OutboxStore.enqueue(topic: Topic.receipt(home: event.home), payload: receipt, incident: nil, now: receivedAt, in: db)
        }
        return isNew ? .stored(seq: seq, receiptQueued: needsReceipt) : .duplicate(receiptQueued: needsReceipt)
    }

    private func recordDeviceActivity(_ event: SensorEvent, receivedAt: Int64, in db: Database) throws {
        // Without a `seq` (NULL) the sequence expressions leave seq_gaps and last_seq as they are.
        try db.cachedStatement(sql: """
            UPDATE devices SET
                seq_gaps = seq_gaps + CASE WHEN last_seq IS NOT NULL AND :seq > last_seq + 1 THEN :seq - last_seq - 1 ELSE 0 END,
                last_seq = CASE WHEN last_seq IS NULL OR :seq > last_seq THEN :seq ELSE last_seq END,
                last_seen_at = MAX(COALESCE(last_seen_at, 0), :received), battery = COALESCE(:battery, battery),
                room = COALESCE(room, :room), type = COALESCE(type, :type)
            WHERE home_id = :home AND id = :device
            """).execute(arguments: [
                "seq": event.sequence, "received": receivedAt, "battery": event.battery, "room": event.room,
                "type": event.type.rawValue, "home": event.home, "device": event.device,
            ])
        try db.cachedStatement(sql: "UPDATE homes SET last_message_at = ? WHERE id = ?").execute(arguments: [receivedAt, event.home])
    }

    /// True when the home is (now) registered.
    private func ensureHome(_ home: String, receivedAt: Int64, in db: Database) throws -> Bool {
        switch registration {
        case .automatic:
            try db.cachedStatement(sql: """
                INSERT INTO homes (id, timezone, registered_at, registered_by) VALUES (?, ?, ?, 'automatic')
                ON CONFLICT (id) DO NOTHING
                """).execute(arguments: [home, defaultTimeZone, receivedAt])
            return true
        case .strict:
            return try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM homes WHERE id = ?"), arguments: [home]) ?? false
        }
    }

    private func ensureDevice(_ event: SensorEvent, receivedAt: Int64, in db: Database) throws -> Bool {
        switch registration {
        case .automatic:
            try db.cachedStatement(sql: """
                INSERT INTO devices (home_id, id, type, room, registered_at, registered_by) VALUES (?, ?, ?, ?, ?, 'automatic')
                ON CONFLICT (home_id, id) DO NOTHING
                """).execute(arguments: [event.home, event.device, event.type.rawValue, event.room, receivedAt])
            return true
        case .strict:
            return try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM devices WHERE home_id = ? AND id = ?"),
                                     arguments: [event.home, event.device]) ?? false
        }
    }

    private func insertRefused(_ refused: RefusedMessage, receivedAt: Int64, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO refused_events (received_at, topic, payload, payload_length, payload_sha256, reason_code, reason, home_id, device_id, event_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                receivedAt, refused.topic, Data(refused.payload), refused.payloadLength, refused.payloadSHA256,
                refused.reason.code, refused.reason.message, refused.home, refused.device, refused.eventID,
            ])
    }
}
