import CareHubCore
import CareHubStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// POSTs alert JSON (rendered from the row, as on MQTT) to one webhook with URLSession (FoundationNetworking keeps clean builds fast). Each
/// webhook has a session of its own, so one endpoint's stuck connections take nothing from another's.
///
/// Every request carries `X-CareHub-Timestamp` (Unix seconds of this attempt), `X-CareHub-Delivery` (the
/// same on every retry of one alert) and `X-CareHub-Signature` over both and the body. Failures name the
/// webhook, never its URL.
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
            throw NotificationFailure(description: "the URL of the webhook \(webhook.name) cannot be parsed")
        }
        let timestamp = Int64(now.timeIntervalSince1970.rounded(.down))
        let delivery = Webhook.deliveryID(seq: message.seq, queuedAt: message.createdAt)
        let body = Array(message.notification.payload.utf8)
        var request = URLRequest(url: target, timeoutInterval: webhook.timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(String(timestamp), forHTTPHeaderField: "X-CareHub-Timestamp")
        request.setValue(delivery, forHTTPHeaderField: "X-CareHub-Delivery")
        request.setValue(Webhook.signature(timestamp: timestamp, delivery: delivery, body: body, secret: webhook.secret),
                         forHTTPHeaderField: "X-CareHub-Signature")
        let response: URLResponse
        do {
            (_, response) = try await session.data(for: request)
        } catch {
            throw NotificationFailure(description: "POST to the webhook \(webhook.name) failed: \(describe(error))")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw NotificationFailure(description: "the webhook \(webhook.name) answered HTTP \(status)")
        }
        return "HTTP \(status)"
    }

    /// What went wrong, in words, for the common cases; otherwise the library's text, redacted.
    private func describe(_ error: any Error) -> String {
        switch (error as? URLError)?.code {
        case .timedOut?: "no answer within \(String(format: "%g", webhook.timeout)) s"
        case .cannotConnectToHost?: "the connection was refused"
        case .cannotFindHost?, .dnsLookupFailed?: "its host name could not be resolved"
        case .networkConnectionLost?: "the connection was lost"
        case .secureConnectionFailed?, .serverCertificateUntrusted?, .serverCertificateHasBadDate?, .serverCertificateNotYetValid?,
             .serverCertificateHasUnknownRoot?:
            "the TLS handshake failed (is its certificate valid and trusted?)"
        default: redacted(error.localizedDescription)
        }
    }

    /// `text` with the webhook's URL (and its path and query on their own) replaced by its name, in case the
    /// networking library quotes them in an error.
    private func redacted(_ text: String) -> String {
        var result = text.replacingOccurrences(of: webhook.url, with: "<\(webhook.name)>")
        if let parts = URLComponents(string: webhook.url) {
            for secretish in [parts.percentEncodedQuery, parts.percentEncodedPath] {
                if let secretish, secretish.count > 1 { result = result.replacingOccurrences(of: secretish, with: "…") }
            }
        }
        return result
    }
}
