/// Why a received message was not accepted as an event. Stored with the refused message and counted.
///
/// `code` is stable (for scripts and reports); `message` is a sentence for people.
public struct RefusalReason: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    public static func invalidTopic(_ detail: String) -> RefusalReason {
        RefusalReason(code: "invalid_topic", message: "The topic is not a CareHub topic: \(detail).")
    }
    public static func tooLarge(_ length: Int) -> RefusalReason {
        RefusalReason(code: "too_large", message: "The payload is \(length) bytes; the limit is \(EventDecoder.maximumPayloadBytes).")
    }
    public static let invalidUTF8 = RefusalReason(code: "invalid_utf8", message: "The payload is not valid UTF-8.")
    public static func invalidJSON(_ detail: String) -> RefusalReason {
        RefusalReason(code: "invalid_json", message: "The payload is not valid JSON: \(detail).")
    }
    public static let notAnObject = RefusalReason(code: "not_an_object", message: "The payload is not a JSON object.")
    public static func missingField(_ field: String) -> RefusalReason {
        RefusalReason(code: "missing_field", message: "The required field \"\(field)\" is missing.")
    }
    public static func wrongType(_ field: String, expected: String) -> RefusalReason {
        RefusalReason(code: "wrong_type", message: "The field \"\(field)\" must be \(expected).")
    }
    public static func invalidValue(_ field: String, _ detail: String) -> RefusalReason {
        RefusalReason(code: "invalid_value", message: "The field \"\(field)\" \(detail).")
    }
    public static func unknownType(_ type: String) -> RefusalReason {
        RefusalReason(code: "unknown_type", message: "The event type \"\(type.prefix(64))\" is not one of the contract's types.")
    }
    public static func clockAhead(seconds: Int) -> RefusalReason {
        RefusalReason(code: "clock_ahead", message: "The event time is \(seconds) s ahead of the hub's clock, beyond the clock-skew policy.")
    }
    public static func clockBehind(seconds: Int) -> RefusalReason {
        RefusalReason(code: "clock_behind", message: "The event time is \(seconds) s in the past, beyond the clock-skew policy.")
    }
    public static let unregistered = RefusalReason(
        code: "unregistered", message: "The home or device is not registered and registration is strict.")
    public static func registeredElsewhere(device: String, home: String) -> RefusalReason {
        RefusalReason(code: "registered_elsewhere",
                      message: "The device \(device.prefix(64)) is registered to home \(home), not to the home in the topic: a possible spoof or a device moved without updating the registry.")
    }
    public static func noHome(device: String) -> RefusalReason {
        RefusalReason(code: "unregistered",
                      message: "No home for device \"\(device.prefix(64))\": register it (carehub devices add HOME DEVICE --name NAME) or set home for this gateway.")
    }
    /// A gateway or home past one of its limits (`GatewayLimits`): kept as length, SHA-256 and this reason.
    public static func quota(_ detail: String) -> RefusalReason {
        RefusalReason(code: "quota", message: "Over its limit, so kept as length and SHA-256 only: \(detail).")
    }
    public static func invalidStatus(_ detail: String) -> RefusalReason {
        RefusalReason(code: "invalid_status", message: "The gateway status must be online or offline: \(detail).")
    }
}
