import CareHubCore
import CareHubStore
import Foundation

/// Contract messages: decoded already, each event with an id of its own.
extension Ingestor {
    /// Ingests a decoded contract message: a refusal is kept with its reason, a gateway status recorded on its
    /// registered home, an event stored when its device may report for its home (an alarm always, flagged).
    func ingest(_ message: DecodedMessage, topic: String, payload: [UInt8], receivedAt: Int64, in burst: IngestBurst) throws -> IngestOutcome {
        let transaction = burst.transaction
        switch message {
        case .refused(let refused):
            try transaction.keepRefused(refused, receivedAt: receivedAt)
            return .refused(code: refused.reason.code)
        case .gatewayStatus(let home, let state):
            return try recordGatewayStatus(home: home, state: state, topic: topic, payload: payload, receivedAt: receivedAt, in: burst)
        case .event(var event):
            func refuse(_ reason: RefusalReason) throws -> IngestOutcome {
                try transaction.keepRefused(RefusedMessage(topic: topic, payload: payload, reason: reason, home: event.home, device: event.device,
                                                           eventID: event.id),
                                            receivedAt: receivedAt)
                return .refused(code: reason.code)
            }
            switch try registration(of: event.device, type: event.type, room: event.room, home: event.home, receivedAt: receivedAt, in: burst) {
            case .registered:
                break
            case .unregistered:
                guard event.type.isAlarm else { return try refuse(.unregistered) }
                event.flags.append(.unregistered)
            case .elsewhere(let otherHome):
                guard event.type.isAlarm else {
                    let outcome = try refuse(.registeredElsewhere(device: event.device, home: otherHome))
                    try reportPossibleSpoof(home: event.home, device: event.device, registeredTo: otherHome, receivedAt: receivedAt, in: burst)
                    return outcome
                }
                event.flags.append(.registeredElsewhere)
            case .overLimit:
                guard event.type.isAlarm else {
                    return try keepOverDeviceLimit(RefusedMessage(topic: topic, payload: payload, reason: deviceLimitReason(home: event.home),
                                                                  home: event.home, device: event.device, eventID: event.id),
                                                   dialect: GatewaySender.contractDialect, receivedAt: receivedAt, in: burst)
                }
                event.flags.append(.unregistered)
            }
            return try store(event, receivedAt: receivedAt, in: burst)
        }
    }

    /// A gateway's word on its own state, recorded when its home is (now) registered, else kept aside.
    func recordGatewayStatus(home: String, state: GatewayState, topic: String, payload: [UInt8], receivedAt: Int64,
                             in burst: IngestBurst) throws -> IngestOutcome {
        guard try homeKnown(home, receivedAt: receivedAt, in: burst) else {
            try burst.transaction.keepRefused(RefusedMessage(topic: topic, payload: payload, reason: .unregistered, home: home), receivedAt: receivedAt)
            return .refused(code: RefusalReason.unregistered.code)
        }
        try burst.transaction.recordGatewayStatus(home: home, state: state, at: receivedAt)
        return .gatewayStatus(state)
    }

    /// Stores an event the decisions let through: a new one is noted on its device and home; a copy of one stored
    /// already is counted; an alarm queues a receipt either way, with the time the first copy was stored.
    func store(_ event: SensorEvent, receivedAt: Int64, in burst: IngestBurst) throws -> IngestOutcome {
        let transaction = burst.transaction
        let seq = try transaction.insertEvent(event, receivedAt: receivedAt)
        if seq != nil {
            // A heartbeat or battery report says nothing of what kind of device sent it.
            let type: EventType? = event.type == .heartbeat || event.type == .battery ? nil : event.type
            try transaction.noteDeviceActivity(event, type: type, receivedAt: receivedAt)
            try transaction.noteHomeMessage(event.home, at: receivedAt)
        } else {
            try transaction.count(.duplicates)
        }
        let needsReceipt = event.type.isAlarm
        if needsReceipt {
            let storedAt = seq == nil ? try transaction.storedAt(home: event.home, eventID: event.id) ?? receivedAt : receivedAt
            let receipt = EventReceipt(home: event.home, eventID: event.id, storedAt: Date(millisecondsSince1970: storedAt))
            try transaction.queueReceipt(receipt, at: receivedAt)
        }
        if let seq { return .stored(seq: seq, receiptQueued: needsReceipt) }
        return .duplicate(receiptQueued: needsReceipt)
    }
}
