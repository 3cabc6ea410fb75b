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
    private let mappings: [GatewayMapping]

    public init(
        decoder: EventDecoder, store: IngestStore, clock: any HubClock, logger: Logger, newEvents: Doorbell, newOutbox: Doorbell,
        backlog: BacklogGate? = nil, redeliveries: RedeliveryGuard? = nil, mappings: [GatewayMapping] = [], onStoreFailure: @escaping @Sendable (String) -> Void = IngestHandler.exitWithoutAcknowledging
    ) {
        self.backlog = backlog
        self.redeliveries = redeliveries
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
            backlog?.received(message.payload)
            return
        }
        let receivedAt = clock.now
        let delivery = redeliveries?.classify(DeliveryDigest(topic: message.topic, payload: message.payload))
        if !message.topic.hasPrefix(Topic.prefix),
           let input = IngestStore.MappedInput(mappings: mappings, topic: message.topic, payload: message.payload, retained: message.retain) {
            do {
                let outcome: IngestStore.Outcome
                if let delivery, delivery.isRedelivery {
                    // Stored before the last connection dropped; only its acknowledgement was lost.
                    outcome = try store.storeRedelivery(delivery, receivedAt: receivedAt)
                    logger.info("Redelivered message recognised and not stored again", metadata: ["mqtt.topic": "\(message.topic)"])
                } else {
                    outcome = try store.store(mapped: input, receivedAt: receivedAt, clockSkew: decoder.clockSkew, delivery: delivery)
                }
                report(outcome, decoded: nil, topic: message.topic)
            } catch {
                onStoreFailure("Could not store a message from \(message.topic), so it was not acknowledged and the broker will redeliver it: \(error)")
            }
            return
        }
        // A contract event carries its own id: a redelivered one meets it (invariant 2) and its receipt is sent again.
        let decoded = decoder.decode(topic: message.topic, payload: message.payload, receivedAt: receivedAt)
        let outcome: IngestStore.Outcome
        do {
            outcome = try store.store(decoded, topic: message.topic, payload: message.payload, receivedAt: receivedAt, delivery: delivery)
        } catch {
            onStoreFailure("Could not store a message from \(message.topic), so it was not acknowledged and the broker will redeliver it: \(error)")
            return
        }
        report(outcome, decoded: decoded, topic: message.topic)
    }

    private func report(_ outcome: IngestStore.Outcome, decoded: DecodedMessage?, topic: String) {
        switch outcome {
        case .stored(_, let receiptQueued):
            newEvents.ring()
            if receiptQueued { newOutbox.ring() }
        case .duplicate(let receiptQueued):
            logger.debug("Duplicate event ignored", metadata: ["mqtt.topic": "\(topic)"])
            if receiptQueued { newOutbox.ring() }
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
