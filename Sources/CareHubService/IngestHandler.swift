import CareHubCore
import CareHubStore
import Foundation
import Logging
import Mosquitto

/// Decodes each received message and commits it before returning (architecture invariant 1).
///
/// **Threads.** `handle` runs on the MQTT network thread. libmosquitto (threaded mode) writes the PUBACK only
/// after `handle` returns, so a message is acknowledged only once it is durably stored. If the store fails,
/// `handle` never returns: it logs one line and ends the process, and the broker redelivers the message to
/// the next run.
public final class IngestHandler: Sendable {
    /// Exit status when a message could not be stored (EX_TEMPFAIL: retry later).
    public static let storeFailureExitCode: Int32 = 75

    private let decoder: EventDecoder
    private let store: IngestStore
    private let clock: any HubClock
    private let logger: Logger
    private let newEvents: Doorbell
    private let newOutbox: Doorbell
    private let onStoreFailure: @Sendable (String) -> Void
    private let backlog: BacklogGate?
    private let redeliveries: RedeliveryGuard?
    private let limiter: TrafficLimiter?
    private let mappings: [GatewayMapping]
    private let qosZeroWarned = OncePerKey<GatewaySender>()

    public init(
        decoder: EventDecoder, store: IngestStore, clock: any HubClock, logger: Logger, newEvents: Doorbell, newOutbox: Doorbell,
        backlog: BacklogGate? = nil, redeliveries: RedeliveryGuard? = nil, limiter: TrafficLimiter? = nil, mappings: [GatewayMapping] = [],
        onStoreFailure: @escaping @Sendable (String) -> Void = IngestHandler.exitWithoutAcknowledging
    ) {
        self.backlog = backlog
        self.redeliveries = redeliveries
        self.limiter = limiter
        self.mappings = mappings
        self.decoder = decoder
        self.store = store
        self.clock = clock
        self.logger = logger
        self.newEvents = newEvents
        self.newOutbox = newOutbox
        self.onStoreFailure = onStoreFailure
    }

    public func handle(_ message: MosquittoMessage) {
        if message.topic == Topic.sentinel {
            redeliveries?.backlogDelivered()
            backlog?.received(message.payload)
            return
        }
        let receivedAt = clock.now
        var delivery = redeliveries?.classify(DeliveryDigest(topic: message.topic, payload: message.payload)) ?? IngestStore.Delivery()
        delivery.qos = message.qos
        do {
            if !message.topic.hasPrefix(Topic.prefix),
               let input = IngestStore.MappedInput(mappings: mappings, topic: message.topic, payload: message.payload, retained: message.retain) {
                try handle(input, message: message, delivery: delivery, receivedAt: receivedAt)
            } else {
                try handleContract(message, delivery: delivery, receivedAt: receivedAt)
            }
        } catch {
            onStoreFailure("Could not store a message from \(message.topic), so it was not acknowledged and the broker will redeliver it: \(error)")
        }
    }

    /// A mapped dialect's message: a redelivery is only counted, a gateway over its rate only kept as a digest
    /// (unless it holds an alarm), anything else translated and stored.
    private func handle(_ input: IngestStore.MappedInput, message: MosquittoMessage, delivery: IngestStore.Delivery, receivedAt: Date) throws {
        var delivery = delivery
        let sender = GatewaySender(dialect: input.mapping.dialect, home: input.match.home ?? input.mapping.defaultHome)
        delivery.sender = sender
        warnIfQoSZero(message, from: sender)
        let outcome: IngestStore.Outcome
        if delivery.isRedelivery {
            // Stored before the last connection dropped; only its acknowledgement was lost.
            outcome = try store.storeRedelivery(delivery, receivedAt: receivedAt)
            logger.info("Redelivered message recognised and not stored again", metadata: ["mqtt.topic": "\(message.topic)"])
        } else if limiter?.admit(sender) == false, !input.holdsAlarm(receivedAt: receivedAt) {
            let refused = RefusedMessage(topic: message.topic, payload: message.payload, reason: rateReason(sender),
                                         home: sender.home.isEmpty ? nil : sender.home, device: input.match.device)
            outcome = try store.storeOverLimit(refused, limit: .rate, delivery: delivery, receivedAt: receivedAt)
        } else {
            outcome = try store.store(mapped: input, receivedAt: receivedAt, clockSkew: decoder.clockSkew, delivery: delivery)
        }
        report(outcome, decoded: nil, topic: message.topic)
    }

    /// A contract message. It carries its own id: a redelivered event meets its stored copy (invariant 2) and its
    /// receipt is sent again.
    private func handleContract(_ message: MosquittoMessage, delivery: IngestStore.Delivery, receivedAt: Date) throws {
        var delivery = delivery
        let decoded = decoder.decode(topic: message.topic, payload: message.payload, receivedAt: receivedAt)
        let sender = GatewaySender(dialect: GatewaySender.contractDialect, home: decoded.home)
        delivery.sender = sender
        warnIfQoSZero(message, from: sender)
        if limiter?.admit(sender) == false, !decoded.holdsAlarm {
            let refused = RefusedMessage(topic: message.topic, payload: message.payload, reason: rateReason(sender), home: decoded.home,
                                         device: decoded.device)
            report(try store.storeOverLimit(refused, limit: .rate, delivery: delivery, receivedAt: receivedAt), decoded: nil, topic: message.topic)
        } else {
            report(try store.store(decoded, topic: message.topic, payload: message.payload, receivedAt: receivedAt, delivery: delivery),
                   decoded: decoded, topic: message.topic)
        }
    }

    private func rateReason(_ sender: GatewaySender) -> RefusalReason {
        .quota("\(sender) sends more than \(JSONText.number(store.limits.messagesPerSecond)) messages a second")
    }

    /// Once per gateway and run: QoS 0 is lost by the broker while the hub is down unless the broker queues it.
    private func warnIfQoSZero(_ message: MosquittoMessage, from sender: GatewaySender) {
        guard message.qos == 0, qosZeroWarned.insert(sender) else { return }
        logger.warning("""
            A gateway publishes at QoS 0, and this broker delivers it to the hub at QoS 0: such messages are lost whenever the hub \
            is down or restarting. Set alarm devices to qos 1 (docs/gateways.md) and use the shipped broker configuration \
            (queue_qos0_messages, upgrade_outgoing_qos); carehub status lists these gateways.
            """, metadata: ["gateway": "\(sender)", "mqtt.topic": "\(message.topic)"])
    }

    private func report(_ outcome: IngestStore.Outcome, decoded: DecodedMessage?, topic: String) {
        switch outcome {
        case .stored(_, let receiptQueued):
            newEvents.ring()
            if receiptQueued { newOutbox.ring() }
        case .duplicate(let receiptQueued):
            logger.debug("Duplicate event ignored", metadata: ["mqtt.topic": "\(topic)"])
            if receiptQueued { newOutbox.ring() }
        case .refused("quota"):
            // Counted per gateway (carehub status) and raised once a day as quota_exceeded: one log line each would
            // let the flood fill the journal instead.
            newOutbox.ring()
        case .refused(let code):
            var metadata: Logger.Metadata = ["mqtt.topic": "\(topic)", "refusal.code": "\(code)"]
            if case .refused(let refused)? = decoded { metadata["refusal.reason"] = "\(refused.reason.message)" }
            logger.warning("Message refused and kept", metadata: metadata)
            // A possible spoof raised a technical incident in the same transaction.
            if code == "registered_elsewhere" { newOutbox.ring() }
        case .gatewayStatus(let state):
            logger.info("Gateway status", metadata: ["mqtt.topic": "\(topic)", "gateway.state": "\(state.rawValue)"])
        case .mapped(let count, let receiptQueued):
            if count > 0 { newEvents.ring() }
            if receiptQueued { newOutbox.ring() }
        case .deviceStatus(let state):
            newEvents.ring()
            logger.info("Device availability", metadata: ["mqtt.topic": "\(topic)", "device.state": "\(state.rawValue)"])
        case .ignored:
            logger.trace("Message not about the home", metadata: ["mqtt.topic": "\(topic)"])
        }
    }

    /// The production failure path: one clear log line on standard error, then `_exit`, so that nothing
    /// (no atexit handler, no other thread) can let the pending acknowledgement out.
    public static let exitWithoutAcknowledging: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data("carehub: fatal: \(line)\n".utf8))
        _exit(storeFailureExitCode)
    }
}
