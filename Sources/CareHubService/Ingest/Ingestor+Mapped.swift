import CareHubCore
import CareHubStore
import Foundation

/// Mapped dialects' messages (Zigbee2MQTT, Tasmota, …): translated with their device's memory, which is written
/// back with the events it produced, so a crash can never separate the two.
extension Ingestor {
    func ingest(_ input: MappedInput, receivedAt: Int64, in burst: IngestBurst) throws -> IngestOutcome {
        let transaction = burst.transaction
        let name = input.match.device
        func refuse(_ reason: RefusalReason, home: String?) throws -> IngestOutcome {
            try transaction.keepRefused(RefusedMessage(topic: input.topic, payload: input.payload, reason: reason, home: home, device: name),
                                        receivedAt: receivedAt)
            return .refused(code: reason.code)
        }
        if input.route.message == .ignore {
            try transaction.count(.ignoredMessages)
            return .ignored
        }
        func refuseWithoutHome(_ reason: RefusalReason) throws -> IngestOutcome {
            // Kept aside (so `carehub devices unknown` lists it with its topic); an alarm in it is raised all the same.
            let refused = try refuse(reason, home: nil)
            guard let name else { return refused }
            return try storeHomelessAlarms(of: input, device: name, receivedAt: receivedAt, in: burst) ?? refused
        }
        guard let home = input.home else {
            return try refuseWithoutHome(.noHome(device: name ?? input.topic))
        }
        if let problem = Identifier.homeProblem(home) { return try refuseWithoutHome(.invalidTopic(problem)) }
        guard let name else {
            // Only gateway status routes have no device (the mapping loader insists on it for the others).
            let translated = input.mapping.translate(route: input.route, payload: input.payload, topic: input.topic, receivedAt: receivedAt,
                                                     memory: DeviceMappingMemory())
            switch translated.outcome {
            case .gatewayStatus(let state):
                return try recordGatewayStatus(home: home, state: state, topic: input.topic, payload: input.payload, receivedAt: receivedAt, in: burst)
            case .refused(let reason): return try refuse(reason, home: home)
            default: return .ignored
            }
        }
        let device = try resolveDevice(named: name, home: home, receivedAt: receivedAt, in: burst)
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
                try reportPossibleSpoof(home: home, device: device.id, registeredTo: other, receivedAt: receivedAt, in: burst)
                return try refuse(.registeredElsewhere(device: name, home: other), home: home)
            }
            if device.registration == .overLimit {
                return try keepOverDeviceLimit(RefusedMessage(topic: input.topic, payload: input.payload, reason: deviceLimitReason(home: home),
                                                              home: home, device: name),
                                               dialect: input.mapping.dialect, receivedAt: receivedAt, in: burst)
            }
            return try refuse(.unregistered, home: home)
        }
        if device.registration == .registered {
            // A retained state is the broker's old copy, and only a state is a sign of life.
            let alive = input.route.message == .state && !input.retained
            try transaction.saveMappingState(home: home, device: device.id, memory: try String(decoding: JSONEncoder().encode(translated.memory), as: UTF8.self),
                                             linkQuality: translated.linkQuality, seenAt: alive ? receivedAt : nil)
        }
        switch translated.outcome {
        case .deviceStatus(let state):
            try transaction.recordDeviceStatus(home: home, device: device.id, state: state, at: receivedAt)
            return .deviceStatus(state)
        case .gatewayStatus(let state):
            return try recordGatewayStatus(home: home, state: state, topic: input.topic, payload: input.payload, receivedAt: receivedAt, in: burst)
        case .duplicate:
            try transaction.count(.duplicates)
            return .duplicate(receiptQueued: false)
        case .ignored, .refused:
            return .ignored
        case .events, .heartbeat:
            break
        }
        return try store(events, of: input, home: home, device: device.id, room: device.room, flags: flags, observedAt: translated.observedAt,
                         receivedAt: receivedAt, in: burst)
    }

    /// The alarms in a message whose home cannot be known, stored under `SensorEvent.unassignedHome` and
    /// flagged, so that the alarm rule raises them (contract section 2: an alarm is never lost to a refusal);
    /// nil when the message holds no alarm.
    private func storeHomelessAlarms(of input: MappedInput, device name: String, receivedAt: Int64, in burst: IngestBurst) throws -> IngestOutcome? {
        guard input.route.message == .state else { return nil }
        let translated = input.mapping.translate(route: input.route, payload: input.payload, topic: input.topic, retained: input.retained,
                                                 receivedAt: receivedAt, memory: DeviceMappingMemory())
        guard case .events(let events) = translated.outcome else { return nil }
        let alarms = events.filter { $0.type.isAlarm }
        guard !alarms.isEmpty else { return nil }
        return try store(alarms, of: input, home: SensorEvent.unassignedHome, device: DeviceName.identifier(for: name), room: nil,
                         flags: [.noHome], observedAt: translated.observedAt, receivedAt: receivedAt, in: burst)
    }

    /// Stores the events one mapped message produced. Their ids are derived from the message: the dialect, the
    /// device, the device's own time stamp where the dialect has one (else the receive time: two identical
    /// presses are two events), the message's digest and the event's place in it. A copy the broker redelivers
    /// after a crash is recognised before it gets here (`RedeliveryGuard`); with a device time stamp it would
    /// also meet its own id.
    private func store(_ events: [MappedEvent], of input: MappedInput, home: String, device: String, room: String?, flags: [EventFlag],
                       observedAt deviceTime: Int64?, receivedAt: Int64, in burst: IngestBurst) throws -> IngestOutcome {
        var observedAt = deviceTime ?? receivedAt
        let clockSkew = decoder.clockSkew
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
            switch try store(event, receivedAt: receivedAt, in: burst) {
            case .stored(_, let receipt):
                stored += 1
                receipts = receipts || receipt
            case .duplicate(let receipt): receipts = receipts || receipt
            default: break
            }
        }
        return .mapped(events: stored, receiptQueued: receipts)
    }
}
