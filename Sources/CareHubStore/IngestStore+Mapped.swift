import CareHubCore
import Foundation
import GRDB

extension IngestStore {
    /// A message of a mapped dialect (Zigbee2MQTT, Tasmota, …) as received.
    public struct MappedInput: Sendable {
        public var mapping: GatewayMapping
        public var route: GatewayMapping.Route
        public var match: TopicPattern.Match
        public var topic: String
        public var payload: [UInt8]
        public var retained: Bool

        public init(mapping: GatewayMapping, route: GatewayMapping.Route, match: TopicPattern.Match, topic: String, payload: [UInt8], retained: Bool) {
            self.mapping = mapping
            self.route = route
            self.match = match
            self.topic = topic
            self.payload = payload
            self.retained = retained
        }

        /// Whether the message holds an alarm on its own, whatever the device's memory: alarms pass every limit.
        public func holdsAlarm(receivedAt: Date) -> Bool {
            let alone = mapping.translate(route: route, payload: payload, topic: topic, retained: retained,
                                          receivedAt: receivedAt.millisecondsSince1970, memory: DeviceMappingMemory())
            if case .events(let events) = alone.outcome { return events.contains { $0.type.isAlarm } }
            return false
        }

        /// The message as the first of `mappings` with a route for `topic` reads it; nil when none has one.
        public init?(mappings: [GatewayMapping], topic: String, payload: [UInt8], retained: Bool) {
            for mapping in mappings {
                if let (route, match) = mapping.route(for: topic) {
                    self.init(mapping: mapping, route: route, match: match, topic: topic, payload: payload, retained: retained)
                    return
                }
            }
            return nil
        }
    }

    /// Translates and stores a mapped message in one durable transaction: the device is looked up (by its
    /// gateway name) in the registry, the mapping's memory of it is read and written back with the events it
    /// produced, so a crash can never separate the two.
    public func store(mapped input: MappedInput, receivedAt: Date, clockSkew: ClockSkewPolicy, delivery: Delivery? = nil,
                      in transaction: IngestTransaction? = nil) throws -> Outcome {
        try write(delivery, receivedAt: receivedAt, in: transaction) { db, receivedAt in
            try store(mapped: input, receivedAt: receivedAt, clockSkew: clockSkew, in: db)
        }
    }

    func store(mapped input: MappedInput, receivedAt: Int64, clockSkew: ClockSkewPolicy, in db: Database) throws -> Outcome {
        let name = input.match.device
        func refuse(_ reason: RefusalReason, home: String?) throws -> Outcome {
            try insertRefused(RefusedMessage(topic: input.topic, payload: input.payload, reason: reason, home: home, device: name),
                              receivedAt: receivedAt, in: db)
            return .refused(code: reason.code)
        }
        if input.route.message == .ignore {
            try db.cachedStatement(sql: "UPDATE counters SET value = value + 1 WHERE name = 'ignored_messages'").execute()
            return .ignored
        }
        func refuseWithoutHome(_ reason: RefusalReason) throws -> Outcome {
            // Kept aside (so `carehub devices unknown` lists it with its topic); an alarm in it is raised all the same.
            let refused = try refuse(reason, home: nil)
            guard let name else { return refused }
            return try storeHomelessAlarms(of: input, device: name, receivedAt: receivedAt, clockSkew: clockSkew, in: db) ?? refused
        }
        guard let home = home(of: input) else {
            return try refuseWithoutHome(.noHome(device: name ?? input.topic))
        }
        if let problem = Identifier.homeProblem(home) { return try refuseWithoutHome(.invalidTopic(problem)) }
        guard let name else {
            // Only gateway status routes have no device (the mapping loader insists on it for the others).
            let translated = input.mapping.translate(route: input.route, payload: input.payload, topic: input.topic, receivedAt: receivedAt,
                                                     memory: DeviceMappingMemory())
            switch translated.outcome {
            case .gatewayStatus(let state):
                return try store(.gatewayStatus(home: home, state: state), topic: input.topic, payload: input.payload, receivedAt: receivedAt, in: db)
            case .refused(let reason): return try refuse(reason, home: home)
            default: return .ignored
            }
        }
        let device = try resolveDevice(named: name, home: home, receivedAt: receivedAt, in: db)
        let translated = input.mapping.translate(route: input.route, payload: input.payload, topic: input.topic, retained: input.retained,
                                                 receivedAt: receivedAt, memory: device.memory ?? DeviceMappingMemory())
        if case .refused(let reason) = translated.outcome { return try refuse(reason, home: home) }
        var flags: [EventFlag] = []
        switch device.registration {
        case .registered: break
        case .unregistered, .overLimit: flags = [.unregistered]
        case .elsewhere: flags = [.registeredElsewhere]
        }
        let events: [MappedEvent]
        switch translated.outcome {
        case .events(let mapped): events = mapped
        case .heartbeat(let battery): events = [MappedEvent(type: .heartbeat, battery: battery)]
        default: events = []
        }
        if device.registration != .registered, !events.contains(where: { $0.type.isAlarm }) {
            if case .elsewhere(let other) = device.registration {
                try reportPossibleSpoof(home: home, device: device.id, registeredTo: other, receivedAt: receivedAt, in: db)
                return try refuse(.registeredElsewhere(device: name, home: other), home: home)
            }
            if device.registration == .overLimit {
                try keepOverDeviceLimit(RefusedMessage(topic: input.topic, payload: input.payload, reason: deviceLimitReason(home: home),
                                                       home: home, device: name),
                                        dialect: input.mapping.dialect, receivedAt: receivedAt, in: db)
                return .refused(code: "quota")
            }
            return try refuse(.unregistered, home: home)
        }
        if device.registration == .registered {
            try db.cachedStatement(sql: """
                UPDATE devices SET mapping_memory = ?, link_quality = COALESCE(?, link_quality),
                    last_seen_at = CASE WHEN ? THEN MAX(COALESCE(last_seen_at, 0), ?) ELSE last_seen_at END
                WHERE home_id = ? AND id = ?
                """).execute(arguments: [
                    try String(decoding: JSONEncoder().encode(translated.memory), as: UTF8.self), translated.linkQuality,
                    input.route.message == .state && !input.retained, receivedAt, home, device.id,
                ])
        }
        switch translated.outcome {
        case .deviceStatus(let state):
            try db.cachedStatement(sql: "UPDATE devices SET availability = ?, availability_at = ? WHERE home_id = ? AND id = ?")
                .execute(arguments: [state.rawValue, receivedAt, home, device.id])
            try db.cachedStatement(sql: "INSERT INTO gateway_status_log (home_id, device_id, state, received_at) VALUES (?, ?, ?, ?)")
                .execute(arguments: [home, device.id, state.rawValue, receivedAt])
            return .deviceStatus(state)
        case .gatewayStatus(let state):
            return try store(.gatewayStatus(home: home, state: state), topic: input.topic, payload: input.payload, receivedAt: receivedAt, in: db)
        case .duplicate:
            try db.cachedStatement(sql: "UPDATE counters SET value = value + 1 WHERE name = 'duplicates'").execute()
            return .duplicate(receiptQueued: false)
        case .ignored, .refused:
            return .ignored
        case .events, .heartbeat:
            break
        }
        return try insert(events, of: input, home: home, device: device.id, room: device.room, flags: flags, observedAt: translated.observedAt,
                          receivedAt: receivedAt, clockSkew: clockSkew, in: db)
    }

    /// The alarms in a message whose home cannot be known, stored under `SensorEvent.unassignedHome` and
    /// flagged, so that the alarm rule raises them (contract section 2: an alarm is never lost to a refusal);
    /// nil when the message holds no alarm.
    private func storeHomelessAlarms(of input: MappedInput, device name: String, receivedAt: Int64, clockSkew: ClockSkewPolicy,
                                     in db: Database) throws -> Outcome? {
        guard input.route.message == .state else { return nil }
        let translated = input.mapping.translate(route: input.route, payload: input.payload, topic: input.topic, retained: input.retained,
                                                 receivedAt: receivedAt, memory: DeviceMappingMemory())
        guard case .events(let events) = translated.outcome else { return nil }
        let alarms = events.filter { $0.type.isAlarm }
        guard !alarms.isEmpty else { return nil }
        return try insert(alarms, of: input, home: SensorEvent.unassignedHome, device: DeviceName.identifier(for: name), room: nil,
                          flags: [.noHome], observedAt: translated.observedAt, receivedAt: receivedAt, clockSkew: clockSkew, in: db)
    }

    /// Inserts the events one mapped message produced. Their ids are derived from the message: the dialect, the
    /// device, the device's own time stamp where the dialect has one (else the receive time: two identical
    /// presses are two events), the message's digest and the event's place in it. A copy the broker redelivers
    /// after a crash is recognised before it gets here (`RedeliveryGuard`); with a device time stamp it would
    /// also meet its own id.
    private func insert(_ events: [MappedEvent], of input: MappedInput, home: String, device: String, room: String?, flags: [EventFlag],
                        observedAt deviceTime: Int64?, receivedAt: Int64, clockSkew: ClockSkewPolicy, in db: Database) throws -> Outcome {
        var observedAt = deviceTime ?? receivedAt
        if clockSkew.violation(eventTime: Date(millisecondsSince1970: observedAt), receivedAt: Date(millisecondsSince1970: receivedAt)) != nil {
            // A gateway's own clock is its business: a time stamp outside the policy gives way to the receive time.
            observedAt = receivedAt
        }
        let instant = deviceTime.map { "t\($0)" } ?? String(receivedAt)
        let digest = String(GatewayMapping.digest(topic: input.topic, payload: input.payload) & 0xffff_ffff, radix: 16)
        var stored = 0
        var receipts = false
        for (index, mapped) in events.enumerated() {
            let event = SensorEvent(
                home: home, device: device, id: "\(input.mapping.dialect):\(device):\(instant):\(digest):\(index)", type: mapped.type,
                value: mapped.value, timestamp: Date(millisecondsSince1970: observedAt), room: room,
                battery: mapped.battery ?? (mapped.type == .battery ? mapped.value.number : nil),
                isTest: mapped.isTest, flags: flags)
            switch try insertEvent(event, receivedAt: receivedAt, in: db) {
            case .stored(_, let receipt):
                stored += 1
                receipts = receipts || receipt
            case .duplicate(let receipt): receipts = receipts || receipt
            default: break
            }
        }
        return .mapped(events: stored, receiptQueued: receipts)
    }

    /// The home a mapped message belongs to: the topic's `{home}`, else the gateway's configured home. Never the
    /// registry's word: a gateway whose topics carry no home could otherwise write into any home by naming one of
    /// its devices, where the broker's ACL cannot stop it.
    private func home(of input: MappedInput) -> String? {
        input.match.home ?? input.mapping.defaultHome
    }

    private struct ResolvedDevice {
        var id: String
        var room: String?
        var memory: DeviceMappingMemory?
        var registration: Registration
    }

    /// The registered device with this gateway name (or, failing that, whose id is the name), registering it
    /// when registration is automatic.
    private func resolveDevice(named name: String, home: String, receivedAt: Int64, in db: Database) throws -> ResolvedDevice {
        var candidate = DeviceName.identifier(for: name)
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT id, room, mapping_memory FROM devices
            WHERE home_id = ? AND removed_at IS NULL AND (name = ? OR (name IS NULL AND id = ?))
            ORDER BY name IS NULL LIMIT 1
            """), arguments: [home, name, candidate])
        if let row {
            let memory = (row["mapping_memory"] as String?).flatMap { try? JSONDecoder().decode(DeviceMappingMemory.self, from: Data($0.utf8)) }
            return ResolvedDevice(id: row["id"], room: row["room"], memory: memory, registration: .registered)
        }
        if let other = try homeMovedTo(device: candidate, name: name, from: home, in: db) {
            return ResolvedDevice(id: candidate, registration: .elsewhere(home: other))
        }
        if let holder = try String.fetchOne(db.cachedStatement(sql: "SELECT name FROM devices WHERE home_id = ? AND id = ? AND name IS NOT NULL"),
                                            arguments: [home, candidate]), holder != name {
            // The id is taken by a device with another gateway name: this one gets an id of its own.
            candidate = DeviceName.identifier(for: name + "\u{0}")
        }
        let registration = try registration(of: candidate, type: nil, room: nil, name: name, home: home, receivedAt: receivedAt, in: db)
        if registration == .registered {
            try db.cachedStatement(sql: "UPDATE devices SET name = COALESCE(name, ?) WHERE home_id = ? AND id = ?").execute(arguments: [name, home, candidate])
        }
        return ResolvedDevice(id: candidate, registration: registration)
    }
}
