import CareHubCore
import CareHubStore
import Foundation
import Logging
import Mosquitto

/// Hands each message of a read burst to the `Ingestor` and commits the whole burst in one transaction before
/// returning (architecture invariant 1, with group commit). What is MQTT's stays here: bursts, sentinels, the live
/// lane and the redelivery guard; every decision about a message is the `Ingestor`'s.
///
/// **Threads.** `handle` runs on the MQTT network thread. `MosquittoClient` writes the burst's PUBACKs only
/// after `handle` returns, so a message is acknowledged only once it is durably stored. If the store fails,
/// `handle` never returns: it logs one line and ends the process, and the broker redelivers the burst to the
/// next run.
public final class IngestHandler: Sendable {
    /// Exit status when a message could not be stored (EX_TEMPFAIL: retry later).
    public static let storeFailureExitCode: Int32 = 75

    private let ingestor: Ingestor
    private let clock: any HubClock
    private let logger: Logger
    private let newEvents: Doorbell
    private let newOutbox: Doorbell
    private let onStoreFailure: @Sendable (String) -> Void
    private let backlog: BacklogGate?
    private let lag: SessionLag?
    private let redeliveries: RedeliveryGuard?
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
    /// Told once per committed burst what it stored and refused, and how long its transaction took.
    private let metrics: HubMetrics?

    public init(
        ingestor: Ingestor, clock: any HubClock, logger: Logger, newEvents: Doorbell, newOutbox: Doorbell,
        backlog: BacklogGate? = nil, lag: SessionLag? = nil, redeliveries: RedeliveryGuard? = nil,
        beforeCommit: (@Sendable (Int) -> Void)? = nil, lane: IngestLane = .persistent, liveLaneWanted: @escaping @Sendable () -> Bool = { false },
        metrics: HubMetrics? = nil, onLiveDeliveries: (@Sendable (Int64) -> Void)? = nil,
        onStoreFailure: @escaping @Sendable (String) -> Void = IngestHandler.exitWithoutAcknowledging
    ) {
        self.beforeCommit = beforeCommit
        self.metrics = metrics
        self.lane = lane
        self.onLiveDeliveries = onLiveDeliveries
        self.liveLaneWanted = liveLaneWanted
        self.backlog = backlog
        self.lag = lag
        self.redeliveries = redeliveries
        self.ingestor = ingestor
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
        var outcomes: [(outcome: IngestOutcome, decoded: DecodedMessage?, topic: String)] = []
        outcomes.reserveCapacity(burst.count)
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            try ingestor.write { ingestBurst in
                let transaction = ingestBurst.transaction
                // Asked again inside the transaction: the persistent session's commits are serialised with this one,
                // so a lane that has caught up is seen as such before its next message is handled.
                let bothLanes = liveLaneWanted()
                if lane == .live, !bothLanes { return }
                for message in burst {
                    if message.topic == Topic.sentinel {
                        // A lag probe, or an earlier connection's sentinel, may be one the broker redelivers with the
                        // others after a crash: only this connection's backlog sentinel ends the redelivery check.
                        if backlog?.isCurrentSentinel(message.payload) == true { redeliveries?.backlogDelivered() }
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
                    // Taken once: the redelivery guard, the delivery log and both lanes' notes all key on it.
                    let digest = DeliveryDigest(topic: message.topic, payload: message.payload)
                    // The live lane leaves alone an alarm the persistent session already handled.
                    if lane == .live, try LiveDeliveries.consume(digest, notedBy: .persistent, in: transaction) { continue }
                    let outcome = try ingest(message, digest: digest, in: ingestBurst)
                    // While both lanes run, whichever handles an alarm first notes it, and the other's copy uses the note
                    // up: no second receipt, no second press.
                    if bothLanes, outcome.0.carriedAlarm, outcome.0 != .liveCopy {
                        let seq = try LiveDeliveries.record(digest, notedBy: lane, at: clock.now, in: transaction)
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
        let committed = DispatchTime.now().uptimeNanoseconds
        logger.trace("Burst committed", metadata: ["ingest.messages": "\(burst.count)"])
        // Counted before the rules and the notifier are told, so a scrape that sees their work sees these events counted.
        if let metrics {
            var tally = IngestTally()
            for item in outcomes { tally.add(item.outcome) }
            metrics.recordBurst(tally, nanoseconds: Int64(committed - started))
        }
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
        return ingestor.read(topic: message.topic, payload: message.payload, retained: message.retain, receivedAt: receivedAt)
            .holdsAlarm(receivedAt: receivedAt)
    }

    private func ingest(_ message: MosquittoMessage, digest: DeliveryDigest, in burst: IngestBurst) throws -> (IngestOutcome, DecodedMessage?, String) {
        let receivedAt = clock.now
        var delivery = redeliveries?.classify(digest, qos: message.qos, duplicateFlag: message.duplicateFlag, packetID: message.packetID)
            ?? IngestStore.Delivery()
        // QoS 0 is counted and warned of once, by the persistent session.
        delivery.qos = lane == .live ? 1 : message.qos
        let incoming = ingestor.read(topic: message.topic, payload: message.payload, retained: message.retain, receivedAt: receivedAt)
        warnIfQoSZero(message, from: incoming.sender)
        switch incoming {
        case .mapped:
            return (try handleMapped(incoming, message: message, digest: digest, delivery: delivery, receivedAt: receivedAt, in: burst), nil,
                    message.topic)
        case .contract(let decoded):
            return (try handleContract(incoming, message: message, digest: digest, delivery: delivery, receivedAt: receivedAt, in: burst), decoded,
                    message.topic)
        }
    }

    /// A mapped dialect's message: a redelivery is only counted, the live lane's copy of an alarm too, anything
    /// else is the `Ingestor`'s.
    private func handleMapped(_ incoming: IncomingMessage, message: MosquittoMessage, digest: DeliveryDigest, delivery: IngestStore.Delivery,
                              receivedAt: Date, in burst: IngestBurst) throws -> IngestOutcome {
        if delivery.isRedelivery {
            // Stored before the last connection dropped; only its acknowledgement was lost.
            let outcome = try ingestor.countRedelivery(of: incoming, delivery: delivery, receivedAt: receivedAt, in: burst)
            logger.info("Redelivered message recognised and not stored again", metadata: ["mqtt.topic": "\(message.topic)"])
            return outcome
        }
        if try isCopyOfLiveLaneAlarm(digest, in: burst.transaction) {
            return try ingestor.countLiveCopy(of: incoming, delivery: delivery, receivedAt: receivedAt, in: burst)
        }
        return try ingestor.ingest(incoming, topic: message.topic, payload: message.payload, delivery: delivery, receivedAt: receivedAt, in: burst)
    }

    /// A contract message. It carries its own id: a redelivered event meets its stored copy (invariant 2) and its
    /// receipt is sent again.
    private func handleContract(_ incoming: IncomingMessage, message: MosquittoMessage, digest: DeliveryDigest, delivery: IngestStore.Delivery,
                                receivedAt: Date, in burst: IngestBurst) throws -> IngestOutcome {
        if incoming.holdsAlarm(receivedAt: receivedAt), try isCopyOfLiveLaneAlarm(digest, in: burst.transaction) {
            return try ingestor.countLiveCopy(of: incoming, delivery: delivery, receivedAt: receivedAt, in: burst)
        }
        return try ingestor.ingest(incoming, topic: message.topic, payload: message.payload, delivery: delivery, receivedAt: receivedAt, in: burst)
    }

    /// Whether this message (by its `digest`), on the persistent session, is its copy of an alarm the live lane stored
    /// (or met) when it was published; if so the live lane's note is used up.
    private func isCopyOfLiveLaneAlarm(_ digest: DeliveryDigest, in transaction: IngestTransaction) throws -> Bool {
        guard lane == .persistent else { return false }
        return try LiveDeliveries.consume(digest, notedBy: .live, in: transaction)
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

    private func report(_ outcome: IngestOutcome, decoded: DecodedMessage?, topic: String) {
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
