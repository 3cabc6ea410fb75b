import CareHubCore
import Foundation
import GRDB

/// Writes what ingest received: one transaction per read burst (`write { transaction in … }`, group commit), or
/// one per message when called without a transaction (architecture invariant 1).
///
/// **Threads.** Called on the MQTT network thread, synchronously, before the batch handler returns; the
/// broker's acknowledgements leave only after the transaction has committed. If anything throws, nothing of the
/// burst may be acknowledged.
public struct IngestStore: Sendable {
    public let database: HubDatabase
    public var registration: RegistrationMode
    public var defaultTimeZone: String
    public var limits: GatewayLimits

    public init(database: HubDatabase, registration: RegistrationMode, defaultTimeZone: String, limits: GatewayLimits = GatewayLimits()) {
        self.database = database
        self.registration = registration
        self.defaultTimeZone = defaultTimeZone
        self.limits = limits
    }

    /// What storing one message did.
    public enum Outcome: Sendable, Equatable {
        /// A new event, with its row number; `receiptQueued` for alarms.
        case stored(seq: Int64, receiptQueued: Bool)
        /// The home already had an event with this id: nothing stored, counted (a receipt is re-sent for alarms).
        case duplicate(receiptQueued: Bool)
        case refused(code: String)
        case gatewayStatus(GatewayState)
        /// A mapped dialect's message: how many events it stored (a message may carry several readings).
        case mapped(events: Int, receiptQueued: Bool)
        /// A gateway's word on one device's availability.
        case deviceStatus(GatewayState)
        /// Nothing about the home (a bridge log, a retained state only moving baselines).
        case ignored
        /// The persistent session's copy of an alarm the live lane already handled: nothing stored, nothing sent.
        case liveCopy

        /// Whether the message held an alarm that was stored (or met its stored copy): alarms are receipted.
        public var carriedAlarm: Bool {
            switch self {
            case .stored(_, let receipt), .duplicate(let receipt), .mapped(_, let receipt): receipt
            case .liveCopy: true
            default: false
            }
        }
    }

    /// One delivery: who sent it and at which QoS, and what the `RedeliveryGuard` made of it. Written with the
    /// message it carried: the delivery log entry, the sender's QoS 0 count, and its daily refusal limits.
    public struct Delivery: Sendable, Equatable {
        public var sender: GatewaySender?
        public var qos: Int32
        /// The delivery log's entry for it (`DeliveryLog`), when the hub keeps one.
        public var digest: DeliveryDigest?
        public var position: Int64
        /// A copy the broker sent again of a message already stored.
        public var isRedelivery: Bool

        public init(sender: GatewaySender? = nil, qos: Int32 = 1, digest: DeliveryDigest? = nil, position: Int64 = 0, isRedelivery: Bool = false) {
            self.sender = sender
            self.qos = qos
            self.digest = digest
            self.position = position
            self.isRedelivery = isRedelivery
        }
    }

    /// Runs `body` in one durable write transaction: every message stored through `transaction` commits together,
    /// or (if anything throws) none of them.
    public func write<T>(_ body: (IngestTransaction) throws -> T) throws -> T {
        try database.writer.write { db in try body(IngestTransaction(db: db)) }
    }

    /// Stores `message` (decoded from `topic` and `payload`) with its `delivery`, in `transaction` or in a durable
    /// transaction of its own.
    public func store(_ message: DecodedMessage, topic: String, payload: [UInt8], receivedAt: Date, delivery: Delivery? = nil,
                      in transaction: IngestTransaction? = nil) throws -> Outcome {
        try write(delivery, receivedAt: receivedAt, in: transaction) { db, receivedAt in
            try store(message, topic: topic, payload: payload, receivedAt: receivedAt, in: db)
        }
    }

    /// Counts a redelivered message, which changes nothing else, and logs it again as the newest delivery (the
    /// broker sends it once more if this acknowledgement is lost too).
    public func storeRedelivery(_ delivery: Delivery, receivedAt: Date, in transaction: IngestTransaction? = nil) throws -> Outcome {
        try write(delivery, receivedAt: receivedAt, in: transaction) { db, _ in
            try db.cachedStatement(sql: "UPDATE counters SET value = value + 1 WHERE name IN ('duplicates', 'redeliveries')").execute()
            return .duplicate(receiptQueued: false)
        }
    }

    /// Counts (`live_copies`) the persistent session's copy of an alarm the live lane already handled
    /// (`LiveDeliveries`), which changes nothing else, and logs it as the newest delivery.
    public func storeCopy(_ delivery: Delivery, receivedAt: Date, in transaction: IngestTransaction? = nil) throws -> Outcome {
        try write(delivery, receivedAt: receivedAt, in: transaction) { db, _ in
            try db.cachedStatement(sql: "UPDATE counters SET value = value + 1 WHERE name = 'live_copies'").execute()
            return .liveCopy
        }
    }

    /// Keeps a message a gateway limit held back (`limit`) as its length, SHA-256 and reason `quota`, or counts it
    /// once the gateway's refused records for the day are used up; raises `quota_exceeded` the first time a day.
    public func storeOverLimit(_ refused: RefusedMessage, limit: GatewayTraffic.Limit, delivery: Delivery, receivedAt: Date,
                               in transaction: IngestTransaction? = nil) throws -> Outcome {
        try write(delivery, receivedAt: receivedAt, in: transaction) { db, receivedAt in
            if let sender = delivery.sender {
                try GatewayTraffic.keepOverLimit(refused, sender: sender, limit: limit, limits: limits, at: receivedAt, in: db)
            }
            return .refused(code: refused.reason.code)
        }
    }

    /// One message's writes, in `transaction` or a durable transaction of its own: `body`, then what its
    /// `delivery` asks to record.
    func write(_ delivery: Delivery?, receivedAt: Date, in transaction: IngestTransaction?,
               _ body: (Database, Int64) throws -> Outcome) throws -> Outcome {
        if let transaction { return try write(delivery, receivedAt: receivedAt, db: transaction.db, body) }
        return try database.writer.write { db in try write(delivery, receivedAt: receivedAt, db: db, body) }
    }

    private func write(_ delivery: Delivery?, receivedAt: Date, db: Database, _ body: (Database, Int64) throws -> Outcome) throws -> Outcome {
        let millis = receivedAt.millisecondsSince1970
        let refusedBefore = delivery?.sender == nil
            ? nil : try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(seq), 0) FROM refused_events"))
        let outcome = try body(db, millis)
        guard let delivery else { return outcome }
        if let digest = delivery.digest { try DeliveryLog.record(digest, position: delivery.position, receivedAt: millis, in: db) }
        if let sender = delivery.sender {
            if let refusedBefore { try GatewayTraffic.applyRefusalLimits(sender, limits: limits, after: refusedBefore, at: millis, in: db) }
            if delivery.qos == 0 { try GatewayTraffic.noteQoS0(sender, alarm: outcome.carriedAlarm, at: millis, in: db) }
        }
        return outcome
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
            switch try registration(of: event.device, type: event.type, room: event.room, home: event.home, receivedAt: receivedAt, in: db) {
            case .registered:
                break
            case .unregistered:
                guard event.type.isAlarm else {
                    try insertRefused(
                        RefusedMessage(topic: topic, payload: payload, reason: .unregistered,
                                       home: event.home, device: event.device, eventID: event.id),
                        receivedAt: receivedAt, in: db)
                    return .refused(code: RefusalReason.unregistered.code)
                }
                event.flags.append(.unregistered)
            case .elsewhere(let otherHome):
                guard event.type.isAlarm else {
                    let reason = RefusalReason.registeredElsewhere(device: event.device, home: otherHome)
                    try insertRefused(RefusedMessage(topic: topic, payload: payload, reason: reason, home: event.home, device: event.device, eventID: event.id),
                                      receivedAt: receivedAt, in: db)
                    try reportPossibleSpoof(home: event.home, device: event.device, registeredTo: otherHome, receivedAt: receivedAt, in: db)
                    return .refused(code: reason.code)
                }
                event.flags.append(.registeredElsewhere)
            case .overLimit:
                guard event.type.isAlarm else {
                    try keepOverDeviceLimit(RefusedMessage(topic: topic, payload: payload, reason: deviceLimitReason(home: event.home),
                                                           home: event.home, device: event.device, eventID: event.id),
                                            dialect: GatewaySender.contractDialect, receivedAt: receivedAt, in: db)
                    return .refused(code: "quota")
                }
                event.flags.append(.unregistered)
            }
            return try insertEvent(event, receivedAt: receivedAt, in: db)
        }
    }

    func insertEvent(_ event: SensorEvent, receivedAt: Int64, in db: Database) throws -> Outcome {
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
            let receipt = EventReceipt(home: event.home, eventID: event.id, storedAt: Date(millisecondsSince1970: storedAt))
            try OutboxStore.enqueue(.receipt(receipt), queuedAt: receivedAt, in: db)
        }
        return isNew ? .stored(seq: seq, receiptQueued: needsReceipt) : .duplicate(receiptQueued: needsReceipt)
    }

    private func recordDeviceActivity(_ event: SensorEvent, receivedAt: Int64, in db: Database) throws {
        // Without a `seq` (NULL) the sequence expressions leave seq_gaps and last_seq as they are. Numbered parameters
        // (?1 seq, ?2 received, ?3 battery, ?4 room, ?5 type, ?6 home, ?7 device), not named ones: GRDB builds a
        // dictionary for named arguments, which cost a twelfth of a persisted replay's time.
        try db.cachedStatement(sql: """
            UPDATE devices SET
                seq_gaps = seq_gaps + CASE WHEN last_seq IS NOT NULL AND ?1 > last_seq + 1 THEN ?1 - last_seq - 1 ELSE 0 END,
                last_seq = CASE WHEN last_seq IS NULL OR ?1 > last_seq THEN ?1 ELSE last_seq END,
                last_seen_at = MAX(COALESCE(last_seen_at, 0), ?2), battery = COALESCE(?3, battery),
                room = COALESCE(room, ?4),
                type = COALESCE(type, CASE WHEN ?5 IN ('heartbeat', 'battery') THEN NULL ELSE ?5 END)
            WHERE home_id = ?6 AND id = ?7
            """).execute(arguments: [event.sequence, receivedAt, event.battery, event.room, event.type.rawValue, event.home, event.device])
        try db.cachedStatement(sql: "UPDATE homes SET last_message_at = ? WHERE id = ?").execute(arguments: [receivedAt, event.home])
    }

    /// True when the home is (now) registered.
    func ensureHome(_ home: String, receivedAt: Int64, in db: Database) throws -> Bool {
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

    /// Whether a device may report for a home.
    enum Registration: Equatable {
        case registered
        /// Strict registration and the home or device is not in the registry.
        case unregistered
        /// Not registered in this home, but moved by staff from it to another one: a possible spoof.
        case elsewhere(home: String)
        /// Registration is automatic, but the home already has `GatewayLimits.devicesPerHome` devices.
        case overLimit
    }

    /// Looks the device up, registering it when registration is automatic. A device staff registered to
    /// another home is never registered here automatically.
    func registration(of device: String, type: EventType?, room: String?, name: String? = nil, home: String, receivedAt: Int64,
                      in db: Database) throws -> Registration {
        let homeKnown = try ensureHome(home, receivedAt: receivedAt, in: db)
        let removed = try Bool.fetchOne(db.cachedStatement(sql: "SELECT removed_at IS NOT NULL FROM devices WHERE home_id = ? AND id = ?"),
                                        arguments: [home, device])
        if removed == false { return .registered }
        if removed == true, let other = try homeMovedTo(device: device, name: nil, from: home, in: db) {
            return .elsewhere(home: other)
        }
        guard homeKnown, registration == .automatic else { return .unregistered }
        let registered = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM devices WHERE home_id = ? AND removed_at IS NULL"),
                                          arguments: [home]) ?? 0
        if registered >= limits.devicesPerHome { return .overLimit }
        try db.cachedStatement(sql: """
            INSERT INTO devices (home_id, id, type, room, name, registered_at, registered_by) VALUES (?, ?, ?, ?, ?, ?, 'automatic')
            ON CONFLICT (home_id, id) DO UPDATE SET removed_at = NULL
            """).execute(arguments: [home, device, type.flatMap { $0 == .heartbeat || $0 == .battery ? nil : $0.rawValue }, room, name, receivedAt])
        try DeviceRegistry.bumpVersion(in: db)
        return .registered
    }

    func deviceLimitReason(home: String) -> RefusalReason {
        .quota("home \(home) already has \(limits.devicesPerHome) devices, the most registered automatically")
    }

    /// A new device past its home's device limit: kept as length and SHA-256, and reported once a day.
    func keepOverDeviceLimit(_ refused: RefusedMessage, dialect: String, receivedAt: Int64, in db: Database) throws {
        try GatewayTraffic.keepOverLimit(refused, sender: GatewaySender(dialect: dialect, home: refused.home), limit: .devices, limits: limits,
                                         at: receivedAt, in: db)
    }

    /// The home staff moved this device to (`carehub devices assign`) from `home`, if they did: messages that still
    /// claim it here are a possible spoof, or a registry not updated. Device ids are unique within a home only (and
    /// gateway names within a gateway): the same id or name in another home is another device unless the registry
    /// says this one left this home for that one.
    func homeMovedTo(device: String, name: String?, from home: String, in db: Database) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: """
            SELECT there.home_id FROM devices AS here JOIN devices AS there ON there.id = here.id AND there.home_id != here.home_id
            WHERE here.home_id = ? AND here.removed_at IS NOT NULL AND (here.id = ? OR here.name = ?)
              AND there.removed_at IS NULL AND there.registered_by != 'automatic'
            LIMIT 1
            """), arguments: [home, device, name])
    }

    /// A message claimed a device registered to another home: kept aside (by the caller) and reported as a
    /// technical incident of the home it claimed, one per device while open.
    func reportPossibleSpoof(home: String, device: String, registeredTo other: String, receivedAt: Int64, in db: Database) throws {
        let summary = "Messages for this home claim to come from device \(device), which is registered to home \(other): "
            + "a possible spoof, or a device moved without updating the registry (carehub devices assign). They are kept aside, not used."
        _ = try IncidentStore.apply(.raise(IncidentDraft(home: home, kind: .dataFault, device: device, summary: summary,
                                                         at: Date(millisecondsSince1970: receivedAt), flags: [.registeredElsewhere])),
                                    at: receivedAt, in: db)
    }

    func insertRefused(_ refused: RefusedMessage, receivedAt: Int64, in db: Database) throws {
        try Self.insert(refused: refused, receivedAt: receivedAt, in: db)
    }

    /// Keeps a refused message: its (first 16 KiB of) payload, length, SHA-256 and reason.
    static func insert(refused: RefusedMessage, receivedAt: Int64, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO refused_events (received_at, topic, payload, payload_length, payload_sha256, reason_code, reason, home_id, device_id, event_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                receivedAt, refused.topic, Data(refused.payload), refused.payloadLength, refused.payloadSHA256,
                refused.reason.code, refused.reason.message, refused.home, refused.device, refused.eventID,
            ])
    }
}
