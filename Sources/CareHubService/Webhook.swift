import CareHubCore
import Crypto
import Foundation

/// One configured webhook: where incident alerts of some priorities are POSTed, signed with a shared secret.
///
/// Its `name` is what the outbox stores as the target and what logs, incidents and `incidents show` say;
/// the URL, whose path or query may carry a token, stays in memory and in the configuration file.
public struct Webhook: Sendable, Equatable {
    public var name: String
    public var url: String
    public var priorities: Set<Priority>
    /// The HMAC-SHA256 key of `signature(timestamp:delivery:body:secret:)`.
    public var secret: [UInt8]
    public var timeout: TimeInterval

    public init(name: String, url: String, priorities: Set<Priority> = Set(Priority.allCases), secret: [UInt8], timeout: TimeInterval = 5) {
        self.name = name
        self.url = url
        self.priorities = priorities
        self.secret = secret
        self.timeout = timeout
    }

    /// The name of a webhook configured without one: the URL's host, and its port when the URL gives one
    /// (`oncall.example.org`, `127.0.0.1:8080`).
    public static func defaultName(url: String) -> String {
        guard let parts = URLComponents(string: url), let host = parts.host, !host.isEmpty else { return "unnamed" }
        return parts.port.map { "\(host):\($0)" } ?? host
    }

    /// What the outbox stores as this webhook's rows' target.
    public var target: String { name }

    /// The `X-CareHub-Signature` header: `sha256=` and the hex HMAC-SHA256 under `secret` of
    /// `<timestamp>.<delivery>.<body>`, the timestamp and delivery id exactly as sent in `X-CareHub-Timestamp` and
    /// `X-CareHub-Delivery`. Signing all three lets a receiver refuse a replayed request (docs/webhooks.md).
    ///
    /// ```swift
    /// Webhook.signature(timestamp: 1_764_843_300, delivery: "42-1764843299512", body: Array(#"{"a":1}"#.utf8), secret: key)
    /// ```
    public static func signature(timestamp: Int64, delivery: String, body: [UInt8], secret: [UInt8]) -> String {
        let signed = Array("\(timestamp).\(delivery).".utf8) + body
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: secret))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// The `X-CareHub-Delivery` id of an outbox row: the same on every retry of it, and not reused after a
    /// database is restored from a backup (the row's queue time is part of it).
    public static func deliveryID(seq: Int64, queuedAt: Date) -> String {
        "\(seq)-\(queuedAt.millisecondsSince1970)"
    }
}
