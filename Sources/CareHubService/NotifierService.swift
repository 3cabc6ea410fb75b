import CareHubCore
import CareHubStore
import Foundation
import Logging
import Mosquitto
import ServiceLifecycle

/// Publishes outbox rows (alerts and receipts) to the broker, oldest first, and marks each delivered once the
/// broker acknowledged it. A failed publish is retried with capped exponential backoff and jitter; nothing
/// is dropped. Delivery is at least once.
public struct NotifierService: Service {
    /// Staff actions taken with the command line write outbox rows from another process, which cannot ring
    /// this process's doorbell; an idle notifier looks for them this often (one indexed read).
    static let idlePollInterval: Duration = .milliseconds(250)

    private let outbox: OutboxStore
    private let client: MosquittoClient
    private let webhooks: WebhookSender
    private let giveUpAfter: TimeInterval
    private let clock: any HubClock
    private let logger: Logger
    private let newOutbox: Doorbell

    public init(outbox: OutboxStore, client: MosquittoClient, webhooks: WebhookSender = WebhookSender(webhooks: []),
                giveUpAfter: TimeInterval = 15 * 60, clock: any HubClock, logger: Logger, newOutbox: Doorbell) {
        self.outbox = outbox
        self.client = client
        self.webhooks = webhooks
        self.giveUpAfter = giveUpAfter
        self.clock = clock
        self.logger = logger
        self.newOutbox = newOutbox
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                try await deliverDue()
                let wait = try nextWait()
                await newOutbox.wait(upTo: wait)
            }
        } onGracefulShutdown: {
            newOutbox.ring()
        }
    }

    private func nextWait() throws -> Duration {
        guard let next = try outbox.nextDue() else { return Self.idlePollInterval }
        let wait = Duration.milliseconds(Int(max(0.005, next.timeIntervalSince(clock.now)) * 1000))
        return min(wait, Self.idlePollInterval)
    }

    private func deliverDue() async throws {
        if !webhooks.webhooks.isEmpty {
            let sender = webhooks
            _ = try outbox.fanOutAlerts(routes: { sender.routes(for: $0) }, at: clock.now)
        }
        for message in try outbox.due(at: clock.now) {
            if Task.isShuttingDownGracefully { return }
            do {
                if message.channel == "webhook" {
                    let status = try await webhooks.send(message.payload, to: message.topic, delivery: message.seq)
                    try outbox.markDelivered(message.seq, at: clock.now, detail: "HTTP \(status)")
                } else {
                    try await client.publish(topic: message.topic, payload: message.payload, retain: message.retain, timeout: .seconds(5))
                    try outbox.markDelivered(message.seq, at: clock.now)
                }
            } catch let error as MosquittoError {
                try retryLater(message, error: error.description)
            } catch let error as MosquittoPublishTimeout {
                try retryLater(message, error: error.description)
            } catch let error as WebhookSender.Failure {
                try retryLater(message, error: error.description)
            }
        }
    }

    private func retryLater(_ message: OutboxMessage, error: String) throws {
        let delay = Self.backoff(attempt: message.attempts)
        logger.warning("Publish failed; will retry", metadata: [
            "mqtt.topic": "\(message.topic)", "outbox.seq": "\(message.seq)", "outbox.attempt": "\(message.attempts + 1)",
            "error": "\(error)", "retry_in_s": "\(String(format: "%.1f", delay))",
        ])
        try outbox.markFailed(message.seq, error: error, retryAt: clock.now.addingTimeInterval(delay), at: clock.now, giveUpAfter: giveUpAfter)
    }

    /// 1 s, 2 s, 4 s … capped at 60 s, each with ±20 % jitter.
    static func backoff(attempt: Int) -> TimeInterval {
        let base = min(60, pow(2, Double(min(attempt, 10))))
        return base * Double.random(in: 0.8...1.2)
    }
}
