import Crypto

/// What identifies one MQTT delivery's content: the first 128 bits of SHA-256 over its topic, a zero byte and
/// its payload. Two deliveries with the same digest carried the same bytes on the same topic.
///
/// ```swift
/// let digest = DeliveryDigest(topic: "z2m/flat-12/pendant", payload: Array(#"{"action":"sos"}"#.utf8))
/// ```
///
/// A cryptographic hash on purpose: a gateway must not be able to craft a message that passes for another
/// one the hub has just stored, and so have it taken for a redelivery.
public struct DeliveryDigest: Sendable, Hashable {
    public static let byteCount = 16
    public let bytes: [UInt8]

    public init(topic: String, payload: [UInt8]) {
        var hasher = SHA256()
        hasher.update(data: Array(topic.utf8))
        hasher.update(data: [0])
        hasher.update(data: payload)
        bytes = Array(hasher.finalize().prefix(Self.byteCount))
    }

    /// A digest read back from storage; nil when `bytes` is not one.
    public init?(stored bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }
}
