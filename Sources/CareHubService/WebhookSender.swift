import CareHubCore
import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One configured webhook: where incident alerts of some priorities are POSTed, signed with a shared secret.
public struct Webhook: Sendable, Equatable {
    public var url: String
    public var priorities: Set<Priority>
    /// HMAC-SHA256 key; the signature goes in `X-CareHub-Signature: sha256=<hex>` over the exact body.
    public var secret: [UInt8]
    public var timeout: TimeInterval

    public init(url: String, priorities: Set<Priority> = Set(Priority.allCases), secret: [UInt8], timeout: TimeInterval = 5) {
        self.url = url
        self.priorities = priorities
        self.secret = secret
        self.timeout = timeout
    }

    /// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`.
    public static func signature(of body: [UInt8], secret: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}

/// POSTs alert JSON to webhooks with URLSession (FoundationNetworking keeps clean builds fast).
public struct WebhookSender: Sendable {
    public let webhooks: [Webhook]

    public init(webhooks: [Webhook]) {
        self.webhooks = webhooks
    }

    /// The webhook URLs that want alerts of `priority`.
    public func routes(for priority: Priority) -> [String] {
        webhooks.filter { $0.priorities.contains(priority) }.map(\.url)
    }

    /// A delivery that did not get a 2xx answer, in one sentence.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Sends one body; returns the HTTP status on success (2xx), throws otherwise.
    public func send(_ body: [UInt8], to url: String, delivery: Int64) async throws -> Int {
        guard let hook = webhooks.first(where: { $0.url == url }), let target = URL(string: url) else {
            throw Failure(description: "no webhook is configured for \(url) any more")
        }
        var request = URLRequest(url: target, timeoutInterval: hook.timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(Webhook.signature(of: body, secret: hook.secret), forHTTPHeaderField: "X-CareHub-Signature")
        request.setValue(String(delivery), forHTTPHeaderField: "X-CareHub-Delivery")
        let response: URLResponse
        do {
            (_, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw Failure(description: "POST \(url) failed: \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else { throw Failure(description: "POST \(url) answered HTTP \(status)") }
        return status
    }
}
