import Crypto

/// A received message that was not accepted, kept with the reason (contract section 2). Payloads over
/// 16 KiB keep their first 16 KiB, their full length and a SHA-256 of the whole.
public struct RefusedMessage: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]
    public var payloadLength: Int
    public var payloadSHA256: String
    public var reason: RefusalReason
    public var home: String?
    public var device: String?
    /// The event's own id, when it could be read.
    public var eventID: String?

    public init(topic: String, payload: [UInt8], reason: RefusalReason, home: String? = nil, device: String? = nil, eventID: String? = nil) {
        self.topic = String(topic.prefix(1024))
        self.payload = Array(payload.prefix(EventDecoder.maximumPayloadBytes))
        self.payloadLength = payload.count
        self.payloadSHA256 = SHA256.hash(data: payload).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
        self.reason = reason
        self.home = home
        self.device = device
        self.eventID = eventID
    }
}

/// What one received message turned out to be.
public enum DecodedMessage: Sendable, Equatable {
    case event(SensorEvent)
    case gatewayStatus(home: String, state: GatewayState)
    case refused(RefusedMessage)
}

extension DecodedMessage {
    /// The home the message names, if it could be read.
    public var home: String? {
        switch self {
        case .event(let event): event.home
        case .gatewayStatus(let home, _): home
        case .refused(let refused): refused.home
        }
    }

    /// The device the message names, if it could be read.
    public var device: String? {
        switch self {
        case .event(let event): event.device
        case .gatewayStatus: nil
        case .refused(let refused): refused.device
        }
    }

    /// An alarm event: raised beyond every gateway limit.
    public var holdsAlarm: Bool {
        if case .event(let event) = self { return event.type.isAlarm }
        return false
    }
}
