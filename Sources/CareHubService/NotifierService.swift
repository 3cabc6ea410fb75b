import CareHubCore
import CareHubStore
import Foundation
import Logging
import Mosquitto
import ServiceLifecycle

/// Publishes outbox rows (alerts and receipts) to the broker and POSTs alerts to webhooks, each endpoint
/// on its own lane so that none waits behind another.
///
/// One child task per lane (`OutboxLaneWorker`): MQTT, each configured webhook, and one for webhook rows
/// whose webhook was removed from the configuration. This task copies each new MQTT alert to the webhooks
/// that want its priority (`OutboxStore.fanOutAlerts`) and wakes the lanes. A webhook that accepts the
/// connection and never answers holds only its own lane, for its time-out; MQTT alerts and other webhooks
/// carry on. Delivery is at least once; a graceful shutdown stops every lane after (or cuts short) the
/// attempt in flight.
public struct NotifierService: Service {
    /// Staff actions taken with the command line write outbox rows from another process, which cannot ring
    /// this process's doorbell; an idle notifier looks for them this often (one indexed read per lane).
    static let idlePollInterval: Duration = .milliseconds(250)

    private let outbox: OutboxStore
    private let mqtt: OutboxLaneWorker
    private let webhooks: [Webhook]
    private let webhookLanes: [OutboxLaneWorker]
    private let clock: any HubClock
    private let logger: Logger
    private let newOutbox: Doorbell

    public init(outbox: OutboxStore, client: MosquittoClient, webhooks: [Webhook] = [],
                giveUpAfter: TimeInterval = 15 * 60, clock: any HubClock, logger: Logger, newOutbox: Doorbell, metrics: HubMetrics? = nil) {
        func worker(_ lane: OutboxLane, _ channel: any NotificationChannel) -> OutboxLaneWorker {
            OutboxLaneWorker(lane: lane, channel: channel, outbox: outbox, giveUpAfter: giveUpAfter, clock: clock, logger: logger, metrics: metrics)
        }
        self.outbox = outbox
        self.webhooks = webhooks
        self.clock = clock
        self.logger = logger
        self.newOutbox = newOutbox
        mqtt = worker(.mqtt, MQTTNotificationChannel(client: client))
        webhookLanes = webhooks.map { worker(.webhook(target: $0.target), WebhookChannel(webhook: $0)) }
            + [worker(.unconfiguredWebhooks(configured: webhooks.map(\.target)), UnconfiguredWebhookChannel())]
    }

    public func run() async throws {
        let webhooks = self.webhooks
        let renamed = try outbox.renamePendingWebhookTargets { url in webhooks.first { $0.url == url }?.name ?? Webhook.defaultName(url: url) }
        if renamed > 0 {
            logger.notice("Webhook alerts queued by an earlier version now name their webhook instead of its URL",
                          metadata: ["outbox.renamed": "\(renamed)"])
        }
        let lanes = [mqtt] + webhookLanes
        try await withThrowingDiscardingTaskGroup { group in
            for lane in lanes {
                group.addTask { try await lane.run() }
            }
            try await withGracefulShutdownHandler {
                while !Task.isShuttingDownGracefully, !Task.isCancelled {
                    // MQTT first: its alerts need nothing from the fan-out's write.
                    mqtt.doorbell.ring()
                    if try fanOut() > 0 { webhookLanes.forEach { $0.doorbell.ring() } }
                    await newOutbox.wait(upTo: Self.idlePollInterval)
                }
            } onGracefulShutdown: {
                newOutbox.ring()
                lanes.forEach { $0.doorbell.ring() }
            }
        }
    }

    /// Copies new MQTT alerts to the webhooks that want their priority; returns how many rows it added.
    private func fanOut() throws -> Int {
        guard !webhooks.isEmpty else { return 0 }
        let webhooks = self.webhooks
        return try outbox.fanOutAlerts(routes: { priority in webhooks.filter { $0.priorities.contains(priority) }.map(\.target) }, at: clock.now)
    }
}
