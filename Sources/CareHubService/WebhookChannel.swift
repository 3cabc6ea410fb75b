import CareHubStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// POSTs alert JSON to one webhook with URLSession (FoundationNetworking keeps clean builds fast). Each
/// webhook has a session of its own, so one endpoint's stuck connections take nothing from another's.
struct WebhookChannel: NotificationChannel {
    let webhook: Webhook
    private let session: URLSession

    init(webhook: Webhook) {
        self.webhook = webhook
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = webhook.timeout
        session = URLSession(configuration: configuration)
    }

    /// Sends one body; returns `HTTP <status>` on success (2xx), throws a `NotificationFailure` otherwise.
    func send(_ message: OutboxMessage, at now: Date) async throws -> String? {
        guard let target = URL(string: webhook.url) else {
            throw NotificationFailure(description: "the webhook URL \(webhook.url) cannot be parsed")
        }
        var request = URLRequest(url: target, timeoutInterval: webhook.timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(message.payload)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(Webhook.signature(of: message.payload, secret: webhook.secret), forHTTPHeaderField: "X-CareHub-Signature")
        request.setValue(String(message.seq), forHTTPHeaderField: "X-CareHub-Delivery")
        let response: URLResponse
        do {
            (_, response) = try await session.data(for: request)
        } catch {
            throw NotificationFailure(description: "POST \(webhook.url) failed: \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else { throw NotificationFailure(description: "POST \(webhook.url) answered HTTP \(status)") }
        return "HTTP \(status)"
    }
}
