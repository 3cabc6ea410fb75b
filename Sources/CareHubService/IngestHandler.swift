import CareHubCore
import CareHubStore
import Foundation
import Logging
import Mosquitto

/// Decodes each message of a read burst and commits the whole burst in one transaction before returning
/// (architecture invariant 1, with group commit).
///
/// **Threads.** `handle` runs on the MQTT network thread. `MosquittoClient` writes the burst's PUBACKs only
/// after `handle` returns, so a message is acknowledged only once it is durably stored. If the store fails,
/// `handle` never returns: it logs one line and ends the process, and the broker redelivers the burst to the
/// next run.
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
    private let lag: SessionLag?
    private let redeliveries: RedeliveryGuard?
    private let limiter: TrafficLimiter?
    private let mappings: [GatewayMapping]
    private let qosZeroWarned = OncePerKey<GatewaySender>()
    /// Runs inside each burst's transaction, after its messages and before the commit (crash tests end the process
    /// there); given the burst's message count.
    private let beforeCommit: (@Sendable (Int) -> Void)?
    private let lane: IngestLane
    /// Live lane: called after a burst that stored mapped alarms commits, with the newest `LiveDeliveries` entry
    /// (the hub publishes the marker for it through the persistent session).
    private let onLiveDeliveries: (@Sendable (Int64) -> Void)?
    /// Whether the live lane runs beside the persistent session now: only while the persistent session is behind (its
    /// backlog not yet delivered). Then both lanes note the alarms they handle (`LiveDeliveries`) so that the other's
    /// copy changes nothing; once caught up, the persistent session brings each alarm as fast as the live lane would.
    private let liveLaneWanted: @Sendable () -> Bool

    public init(
        decoder: EventDecoder, store: IngestStore, clock: any HubClock, logger: Logger, newEvents: Doorbell, newOutbox: Doorbell,
        backlog: BacklogGate? = nil, lag: SessionLag? = nil, redeliveries: RedeliveryGuard? = nil, limiter: TrafficLimiter? = nil, mappings: [GatewayMapping] = [],
        beforeCommit: (@Sendable (Int) -> Void)? = nil, lane: IngestLane = .persistent, liveLaneWanted: @escaping @Sendable () -> Bool = { false },
        onLiveDeliveries: (@Sendable (Int64) -> Void)? = nil,
        onStoreFailure: @escaping @Sendable (String) -> Void = IngestHandler.exitWithoutAcknowledging
    ) {
        self.beforeCommit = beforeCommit
        self.lane = lane
        self.onLiveDeliveries = onLiveDeliveries
        self.liveLaneWanted = liveLaneWanted
        self.backlog = backlog
        self.lag = lag
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

    /// One message alone, in a transaction of its own.
    public func handle(_ message: MosquittoMessage) {
        handle([message])
    }

    /// A read burst: every message stored in one transaction, then reported. A backlog sentinel in the burst ends
    /// the redelivery check in order, but opens the backlog gate only after the commit (the rules must not take the
    /// backlog for drained while its last events are uncommitted).
    public func handle(_ received: [MosquittoMessage]) {
        // The live lane stores alarms only, and only while the persistent session is behind; a burst without one opens
        // no transaction.
        if lane == .live, !liveLaneWanted() { return }
        let burst = lane == .live ? received.filter(holdsAlarm) : received
        guard !burst.isEmpty else { return }
        var sentinels: [[UInt8]] = []
        var newestLiveDelivery: Int64?
        var outcomes: [(outcome: IngestStore.Outcome, decoded: DecodedMessage?, topic: String)] = []
        outcomes.reserveCapacity(burst.count)
        do {
            try store.write { transaction in
                // Asked again inside the transaction: the persistent session's commits are serialised with this one,
                // so a lane that has caught up is seen as such before its next message is handled.
                let bothLanes = liveLaneWanted()
                if lane == .live, !bothLanes { return }
                for message in burst {
                    if message.topic == Topic.sentinel {
                        // A lag probe may be one the broker redelivers with the others after a crash: only the backlog
                        // sentinel ends the redelivery check.
                        if !message.payload.starts(with: SessionLag.prefixBytes) { redeliveries?.backlogDelivered() }
                        // The backlog sentinel or a lag probe: the persistent session has caught up to it, and the live lane's
                        // copies of what it handled first have come (the live lane runs in real time).
                        try LiveDeliveries.forgetPersistentNotes(in: transaction)
                        sentinels.append(message.payload)
                        continue
                    }
                    if message.topic == Topic.liveMarker {
                        if let seq = Int64(String(decoding: message.payload, as: UTF8.self)) { try LiveDeliveries.forget(upTo: seq, in: transaction) }
                        continue
                    }
                    let digest = { DeliveryDigest(topic: message.topic, payload: message.payload) }
                    // The live lane leaves alone an alarm the persistent session already handled.
                    if lane == .live, try LiveDeliveries.consume(digest(), notedBy: .persistent, in: transaction) { continue }
                    let outcome = try ingest(message, in: transaction)
                    // While both lanes run, whichever handles an alarm first notes it, and the other's copy uses the note
                    // up: no second receipt, no second press.
                    if bothLanes, outcome.0.carriedAlarm, outcome.0 != .liveCopy {
                        let seq = try LiveDeliveries.record(digest(), notedBy: lane, at: clock.now, in: transaction)
                        if lane == .live { newestLiveDelivery = seq }
                    }
                    outcomes.append(outcome)
                }
                beforeCommit?(burst.count)
            }
        } catch {
            let topics = Set(burst.map(\.topic)).sorted().prefix(3).joined(separator: ", ")
            onStoreFailure("Could not store \(burst.count) message(s) (from \(topics)), so none was acknowledged and the broker will redeliver them: \(error)")
            return
        }
        logger.trace("Burst committed", metadata: ["ingest.messages": "\(burst.count)"])
        for item in outcomes { report(item.outcome, decoded: item.decoded, topic: item.topic) }
        for sentinel in sentinels {
            backlog?.received(sentinel)
            lag?.received(sentinel)
        }
        if let newestLiveDelivery { onLiveDeliveries?(newestLiveDelivery) }
    }

    /// Whether a message holds an alarm on its own (the live lane's filter).
    private func holdsAlarm(_ message: MosquittoMessage) -> Bool {
        let receivedAt = clock.now
        if !message.topic.hasPrefix(Topic.prefix),
           let input = IngestStore.MappedInput(mappings: mappings, topic: message.topic, payload: message.payload, retained: message.retain) {
            return input.holdsAlarm(receivedAt: receivedAt)
        }
        return decoder.decode(topic: message.topic, payload: message.payload, receivedAt: receivedAt).holdsAlarm
    }

    private func ingest(_ message: MosquittoMessage, in transaction: IngestTransaction) throws -> (IngestStore.Outcome, DecodedMessage?, String) {
        let receivedAt = clock.now
        var delivery = redeliveries?.classify(DeliveryDigest(topic: message.topic, payload: message.payload), qos: message.qos,
                                              duplicateFlag: message.duplicateFlag) ?? IngestStore.Delivery()
        // QoS 0 is counted and warned of once, by the persistent session.
        delivery.qos = lane == .live ? 1 : message.qos
        if !message.topic.hasPrefix(Topic.prefix),
           let input = IngestStore.MappedInput(mappings: mappings, topic: message.topic, payload: message.payload, retained: message.retain) {
            return (try handle(input, message: message, delivery: delivery, receivedAt: receivedAt, in: transaction), nil, message.topic)
        }
        return try handleContract(message, delivery: delivery, receivedAt: receivedAt, in: transaction)
    }

    /// A mapped dialect's message: a redelivery is only counted, a gateway over its rate only kept as a digest
    /// (unless it holds an alarm), anything else translated and stored.
    private func handle(_ input: IngestStore.MappedInput, message: MosquittoMessage, delivery: IngestStore.Delivery, receivedAt: Date,
                        in transaction: IngestTransaction) throws -> IngestStore.Outcome {
        var delivery = delivery
        let sender = GatewaySender(dialect: input.mapping.dialect, home: input.match.home ?? input.mapping.defaultHome)
        delivery.sender = sender
        warnIfQoSZero(message, from: sender)
        let outcome: IngestStore.Outcome
        if delivery.isRedelivery {
            // Stored before the last connection dropped; only its acknowledgement was lost.
            outcome = try store.storeRedelivery(delivery, receivedAt: receivedAt, in: transaction)
            logger.info("Redelivered message recognised and not stored again", metadata: ["mqtt.topic": "\(message.topic)"])
        } else if try isCopyOfLiveLaneAlarm(message, delivery: delivery, in: transaction) {
            outcome = try store.storeCopy(delivery, receivedAt: receivedAt, in: transaction)
        } else if limiter?.admit(sender) == false, !input.holdsAlarm(receivedAt: receivedAt) {
            let refused = RefusedMessage(topic: message.topic, payload: message.payload, reason: rateReason(sender),
                                         home: sender.home.isEmpty ? nil : sender.home, device: input.match.device)
            outcome = try store.storeOverLimit(refused, limit: .rate, delivery: delivery, receivedAt: receivedAt, in: transaction)
        } else {
            outcome = try store.store(mapped: input, receivedAt: receivedAt, clockSkew: decoder.clockSkew, delivery: delivery, in: transaction)
        }
        return outcome
    }

    /// A contract message. It carries its own id: a redelivered event meets its stored copy (invariant 2) and its
    /// receipt is sent again.
    private func handleContract(_ message: MosquittoMessage, delivery: IngestStore.Delivery, receivedAt: Date,
                                in transaction: IngestTransaction) throws -> (IngestStore.Outcome, DecodedMessage?, String) {
        var delivery = delivery
        let decoded = decoder.decode(topic: message.topic, payload: message.payload, receivedAt: receivedAt)
        let sender = GatewaySender(dialect: GatewaySender.contractDialect, home: decoded.home)
        delivery.sender = sender
        warnIfQoSZero(message, from: sender)
        if decoded.holdsAlarm, try isCopyOfLiveLaneAlarm(message, delivery: delivery, in: transaction) {
            return (try store.storeCopy(delivery, receivedAt: receivedAt, in: transaction), nil, message.topic)
        }
        if limiter?.admit(sender) == false, !decoded.holdsAlarm {
            let refused = RefusedMessage(topic: message.topic, payload: message.payload, reason: rateReason(sender), home: decoded.home,
                                         device: decoded.device)
            return (try store.storeOverLimit(refused, limit: .rate, delivery: delivery, receivedAt: receivedAt, in: transaction), nil, message.topic)
        }
        return (try store.store(decoded, topic: message.topic, payload: message.payload, receivedAt: receivedAt, delivery: delivery, in: transaction),
                decoded, message.topic)
    }

    /// Whether this message, on the persistent session, is its copy of an alarm the live lane stored (or met) when
    /// it was published; if so the live lane's note is used up. The digest the redelivery guard already took is reused.
    private func isCopyOfLiveLaneAlarm(_ message: MosquittoMessage, delivery: IngestStore.Delivery, in transaction: IngestTransaction) throws -> Bool {
        guard lane == .persistent else { return false }
        let digest = delivery.digest ?? DeliveryDigest(topic: message.topic, payload: message.payload)
        return try LiveDeliveries.consume(digest, notedBy: .live, in: transaction)
    }

    private func rateReason(_ sender: GatewaySender) -> RefusalReason {
        .quota("\(sender) sends more than \(JSONText.number(store.limits.messagesPerSecond)) messages a second")
    }

    /// Once per gateway and run: QoS 0 is lost by the broker while the hub is down unless the broker queues it.
    private func warnIfQoSZero(_ message: MosquittoMessage, from sender: GatewaySender) {
        guard lane == .persistent, message.qos == 0, qosZeroWarned.insert(sender) else { return }
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
        case .liveCopy:
            logger.debug("The persistent session's copy of an alarm the live lane handled", metadata: ["mqtt.topic": "\(topic)"])
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
