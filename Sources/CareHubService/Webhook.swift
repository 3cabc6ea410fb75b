import CareHubCore
import Crypto
import Foundation

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

    /// What the outbox stores as this webhook's rows' target.
    public var target: String { url }

    /// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`.
    public static func signature(of body: [UInt8], secret: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
