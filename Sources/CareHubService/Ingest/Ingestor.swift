import CareHubCore
import CareHubStore
import Foundation

/// Makes every ingest decision, for contract and mapped messages alike: decodes or translates a message, holds
/// its gateway to its rate, decides whether its home and device are registered (registering them when
/// registration is automatic, within the home's device limit), spots a device registered to another home (a
/// possible spoof, raised as a technical incident), raises a home-less alarm all the same, keeps each refusal with
/// its reason, and puts a mapped message's time stamp outside the clock-skew policy aside. It writes through the
/// store's scoped primitives (`IngestTransaction`), in the burst's one transaction.
///
/// What is MQTT's stays with `IngestHandler`: bursts, sentinels, the live lane and the redelivery guard.
///
/// **Threads.** Called on the MQTT network thread (or the replay's), inside the transaction it writes in.
public struct Ingestor: Sendable {
    public let store: IngestStore
    public let registration: RegistrationMode
    /// The time zone of a home registered automatically.
    public let defaultTimeZone: String
    public let limits: GatewayLimits
    public let decoder: EventDecoder
    /// The mapped dialects, tried in order for any topic outside the contract's.
    public let mappings: [GatewayMapping]
    /// Holds each gateway to its rate; nil where no rate applies (the live lane, a replay).
    public private(set) var limiter: TrafficLimiter?

    public init(store: IngestStore, registration: RegistrationMode, defaultTimeZone: String, limits: GatewayLimits = GatewayLimits(),
                clockSkew: ClockSkewPolicy = ClockSkewPolicy(), mappings: [GatewayMapping] = [], limiter: TrafficLimiter? = nil) {
        self.store = store
        self.registration = registration
        self.defaultTimeZone = defaultTimeZone
        self.limits = limits
        decoder = EventDecoder(clockSkew: clockSkew)
        self.mappings = mappings
        self.limiter = limiter
    }

    /// This ingestor, holding each gateway to its rate with `limiter`.
    public func limited(by limiter: TrafficLimiter) -> Ingestor {
        var limited = self
        limited.limiter = limiter
        return limited
    }

    /// Runs `body` in one durable write transaction: every message ingested in `burst` commits together, or (if
    /// anything throws) none of them.
    public func write<T>(_ body: (IngestBurst) throws -> T) throws -> T {
        try store.write { transaction in try body(IngestBurst(transaction: transaction)) }
    }

    /// Reads a message: routed to the first mapping with a route for its topic (never a contract topic), else
    /// decoded as a contract message.
    public func read(topic: String, payload: [UInt8], retained: Bool, receivedAt: Date) -> IncomingMessage {
        if !topic.hasPrefix(Topic.prefix), let input = MappedInput(mappings: mappings, topic: topic, payload: payload, retained: retained) {
            return .mapped(input)
        }
        return .contract(decoder.decode(topic: topic, payload: payload, receivedAt: receivedAt))
    }

    /// Ingests `message`, received at `receivedAt` in `delivery` (its sender is set here), in `burst` or in a
    /// durable transaction of its own. A gateway over its rate has the message kept as a digest, unless it holds
    /// an alarm.
    public func ingest(_ message: IncomingMessage, topic: String, payload: [UInt8], delivery: IngestStore.Delivery? = nil, receivedAt: Date,
                       in burst: IngestBurst? = nil) throws -> IngestOutcome {
        try recording(delivery, of: message, receivedAt: receivedAt, in: burst) { burst, millis in
            let sender = message.sender
            if let limiter, limiter.admit(sender) == false, !message.holdsAlarm(receivedAt: receivedAt) {
                let claimed = message.claimed
                let refused = RefusedMessage(topic: topic, payload: payload, reason: rateReason(sender), home: claimed.home, device: claimed.device)
                try keepOverLimit(refused, sender: sender, limit: .rate, at: millis, in: burst)
                return .refused(code: refused.reason.code)
            }
            switch message {
            case .contract(let decoded): return try ingest(decoded, topic: topic, payload: payload, receivedAt: millis, in: burst)
            case .mapped(let input): return try ingest(input, receivedAt: millis, in: burst)
            }
        }
    }

    /// Counts a message the broker redelivered, which changes nothing else. It keeps its first place in the delivery
    /// log (`RedeliveryGuard` gives it no new entry), the place the broker keeps it in if this acknowledgement is
    /// lost too.
    public func countRedelivery(of message: IncomingMessage, delivery: IngestStore.Delivery, receivedAt: Date, in burst: IngestBurst) throws -> IngestOutcome {
        try recording(delivery, of: message, receivedAt: receivedAt, in: burst) { burst, _ in
            try burst.transaction.count(.duplicates)
            try burst.transaction.count(.redeliveries)
            return .duplicate(receiptQueued: false)
        }
    }

    /// Counts the persistent session's copy of an alarm the live lane already handled (`LiveDeliveries`), which
    /// changes nothing else, and logs it as the newest delivery.
    public func countLiveCopy(of message: IncomingMessage, delivery: IngestStore.Delivery, receivedAt: Date, in burst: IngestBurst) throws -> IngestOutcome {
        try recording(delivery, of: message, receivedAt: receivedAt, in: burst) { burst, _ in
            try burst.transaction.count(.liveCopies)
            return .liveCopy
        }
    }

    /// One message's writes, in `burst` or a durable transaction of its own: `body`, then what its `delivery`
    /// asks to record: the delivery log's entry, the sender's daily refusal limits, its QoS 0 count.
    private func recording(_ delivery: IngestStore.Delivery?, of message: IncomingMessage, receivedAt: Date, in burst: IngestBurst?,
                           _ body: (IngestBurst, Int64) throws -> IngestOutcome) throws -> IngestOutcome {
        guard let burst else { return try write { burst in try recording(delivery, of: message, receivedAt: receivedAt, in: burst, body) } }
        let millis = receivedAt.millisecondsSince1970
        let transaction = burst.transaction
        guard var delivery else { return try body(burst, millis) }
        delivery.sender = message.sender
        let refusals = transaction.refusalMark()
        let outcome = try body(burst, millis)
        if let digest = delivery.digest { try transaction.recordDelivery(digest, packetID: delivery.packetID, position: delivery.position, at: millis) }
        if let sender = delivery.sender {
            try applyRefusalLimits(sender, keptSince: refusals, at: millis, in: burst)
            if delivery.qos == 0 { try transaction.noteQoS0(sender, alarm: outcome.carriedAlarm, at: millis) }
        }
        return outcome
    }

    func rateReason(_ sender: GatewaySender) -> RefusalReason {
        .quota("\(sender) sends more than \(JSONText.number(limits.messagesPerSecond)) messages a second")
    }
}
