import CareHubCore
import CareHubStore
import Foundation
import Logging
import ServiceLifecycle

/// Delivers one lane of the outbox (MQTT, or one webhook) and marks each row delivered once its channel took it: a
/// webhook one row at a time; the broker with up to `pipelineDepth` rows in flight, handed over in order, each
/// awaiting its own acknowledgement. Rows never tried go before rows being retried (`OutboxStore.next(in:at:)`); a failed
/// attempt is logged, stored in the attempts log, and retried with capped exponential backoff and jitter;
/// nothing is dropped. Delivery is at least once.
///
/// Runs as a child task of `NotifierService`; an attempt in flight is cut short by a graceful shutdown, and
/// its row stays due for the next start.
struct OutboxLaneWorker: Sendable {
    let lane: OutboxLane
    let channel: any NotificationChannel
    let outbox: OutboxStore
    let giveUpAfter: TimeInterval
    let clock: any HubClock
    let logger: Logger
    /// Counts a webhook's failed attempts (`carehub_webhook_failures_total`), when the hub is observed.
    var metrics: HubMetrics?
    /// Rung when new rows for this lane may be waiting, and on shutdown.
    let doorbell = Doorbell()

    /// Rows in flight at once on a pipelined channel: an alert queued behind a backlog's receipts waits for their
    /// acknowledgements a few at a time, not one by one. (It was 1 for a while: with 32, the mapped crash test stored
    /// presses twice, which turned out to be the redelivery guard's 5 s window, not the pipelining.)
    static let pipelineDepth = 32

    func run() async throws {
        if let pipelined = channel as? any PipelinedNotificationChannel {
            try await runPipelined(pipelined)
            return
        }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            while let message = try outbox.next(in: lane, at: clock.now) {
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                try await deliver(message)
            }
            await doorbell.wait(upTo: try nextWait())
        }
    }

    /// Hands due rows over in order while fewer than `pipelineDepth` are in flight, and settles each as its
    /// acknowledgement comes (or does not). Child tasks: one per row in flight, and one waiting for the doorbell.
    private func runPipelined(_ channel: any PipelinedNotificationChannel) async throws {
        try await withThrowingTaskGroup(of: Int64?.self) { group in
            var inFlight: Set<Int64> = []
            var ringing = false
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                while inFlight.count < Self.pipelineDepth, let message = try outbox.next(in: lane, at: clock.now, excluding: inFlight) {
                    let now = clock.now
                    do {
                        let delivered = try channel.submit(message, at: now)
                        inFlight.insert(message.seq)
                        group.addTask {
                            try await settle(message) { try await delivered() }
                            return message.seq
                        }
                    } catch let failure as NotificationFailure {
                        try retryLater(message, error: failure.description)
                    }
                }
                if !ringing {
                    ringing = true
                    let wait = try nextWait()
                    group.addTask {
                        await doorbell.wait(upTo: wait)
                        return nil
                    }
                }
                guard let finished = try await group.next() else { break }
                if let seq = finished { inFlight.remove(seq) } else { ringing = false }
            }
            group.cancelAll()
        }
    }

    /// Marks a row delivered once `delivery` returns, or due again later when it fails.
    private func settle(_ message: OutboxMessage, _ delivery: @escaping @Sendable () async throws -> String?) async throws {
        do {
            let detail = try await cancelWhenGracefulShutdown { try await delivery() }
            try outbox.markDelivered(message.seq, at: clock.now, detail: detail)
        } catch let failure as NotificationFailure {
            // An attempt cut short by shutdown says nothing about the channel: the row stays due.
            if Task.isShuttingDownGracefully { return }
            try retryLater(message, error: failure.description)
        } catch is CancellationError where Task.isShuttingDownGracefully || Task.isCancelled {
            return
        }
    }

    private func nextWait() throws -> Duration {
        guard let next = try outbox.nextDue(in: lane) else { return NotifierService.idlePollInterval }
        let wait = Duration.milliseconds(Int(max(0.005, next.timeIntervalSince(clock.now)) * 1000))
        return min(wait, NotifierService.idlePollInterval)
    }

    private func deliver(_ message: OutboxMessage) async throws {
        let channel = self.channel
        let now = clock.now
        try await settle(message) { try await channel.send(message, at: now) }
    }

    private func retryLater(_ message: OutboxMessage, error: String) throws {
        let delay = Self.backoff(attempt: message.attempts)
        if case .webhook = lane { metrics?.recordWebhookFailure() }
        logger.warning("Notification failed; will retry", metadata: [
            "notify.lane": "\(lane)", "outbox.target": "\(message.target.name)", "outbox.seq": "\(message.seq)", "outbox.attempt": "\(message.attempts + 1)",
            "error": "\(error)", "retry_in_s": "\(String(format: "%.1f", delay))",
        ])
        try outbox.markFailed(message.seq, target: message.target.name, error: error, retryAt: clock.now.addingTimeInterval(delay),
                              at: clock.now, giveUpAfter: giveUpAfter)
    }

    /// 1 s, 2 s, 4 s … capped at 60 s, each with ±20 % jitter.
    static func backoff(attempt: Int) -> TimeInterval {
        let base = min(60, pow(2, Double(min(attempt, 10))))
        return base * Double.random(in: 0.8...1.2)
    }
}
