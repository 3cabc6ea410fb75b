import CareHubStore
import Foundation

/// Where one lane of the outbox is delivered: the broker, or one webhook.
///
/// `send` returns a note for the attempts log (`HTTP 204`) once the message arrived, and throws a
/// `NotificationFailure` when it did not; any other error is the hub's own and stops the notifier.
protocol NotificationChannel: Sendable {
    func send(_ message: OutboxMessage, at now: Date) async throws -> String?
}

/// A channel that can have several messages in flight at once (the broker): `submit` hands a message over at once, in
/// call order, and returns the wait for its delivery, so that a slow acknowledgement (a receipt's PUBACK queued behind
/// a backlog on the hub's own connection) does not hold back the alert after it.
protocol PipelinedNotificationChannel: NotificationChannel {
    func submit(_ message: OutboxMessage, at now: Date) throws -> @Sendable () async throws -> String?
}

/// A delivery that did not arrive, in one sentence fit for logs, the attempts log and incident text.
struct NotificationFailure: Error, CustomStringConvertible, Sendable {
    let description: String
}
