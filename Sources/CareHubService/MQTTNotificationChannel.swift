import CareHubStore
import Foundation
import Mosquitto

/// Publishes outbox rows (alerts and receipts) to the broker at QoS 1, on the topic and with the payload rendered
/// from the row (`OutboxNotification+Rendering`), and waits for its acknowledgement.
struct MQTTNotificationChannel: PipelinedNotificationChannel {
    let client: MosquittoClient
    /// A publish not acknowledged within this is retried later and the lane moves on: the broker's PUBACK can wait
    /// behind a backlog queued for the hub on the same connection, and an alert must not wait behind a receipt.
    static let acknowledgementTimeout: Duration = .seconds(1)

    func submit(_ message: OutboxMessage, at now: Date) throws -> @Sendable () async throws -> String? {
        let notification = message.notification
        let acknowledgement: PublishAcknowledgement
        do {
            acknowledgement = try client.submit(topic: notification.topic, payload: Array(notification.payload.utf8), retain: message.retain)
        } catch let error as MosquittoError {
            throw NotificationFailure(description: error.description)
        }
        return {
            do {
                try await acknowledgement.wait(timeout: Self.acknowledgementTimeout)
                return nil
            } catch let error as MosquittoError {
                throw NotificationFailure(description: error.description)
            } catch let error as MosquittoPublishTimeout {
                throw NotificationFailure(description: error.description)
            }
        }
    }

    /// One message alone: handed over and awaited, with the same time-out as in the lane.
    func send(_ message: OutboxMessage, at now: Date) async throws -> String? {
        try await submit(message, at: now)()
    }
}

/// The channel of webhook rows whose webhook is no longer configured: every attempt fails, so the rows are
/// retried and end in a `notification_failed` incident instead of waiting where nobody looks.
struct UnconfiguredWebhookChannel: NotificationChannel {
    func send(_ message: OutboxMessage, at now: Date) async throws -> String? {
        throw NotificationFailure(description: "no webhook with this target is configured any more")
    }
}
