/// Something wrong with an event that was kept anyway because it is an alarm (contract section 2:
/// an alarm is never lost to a refusal). Incidents raised from it carry the flag, and the fault raises
/// a technical incident beside it.
public struct EventFlag: Sendable, Hashable, Codable, CustomStringConvertible {
    public let code: String

    public init(code: String) { self.code = code }

    public var description: String { code }

    /// The timestamp was missing or unreadable; the hub's receive time stands in for it.
    public static let badTimestamp = EventFlag(code: "bad_timestamp")
    /// The device's clock is far ahead of the hub's.
    public static let clockAhead = EventFlag(code: "clock_ahead")
    /// The event claims to be older than the clock-skew policy accepts.
    public static let clockBehind = EventFlag(code: "clock_behind")
    /// Strict registration: the home or device is not in the registry.
    public static let unregistered = EventFlag(code: "unregistered")

    /// The device is registered to another home: a possible spoof.
    public static let registeredElsewhere = EventFlag(code: "registered_elsewhere")

    /// A gateway message carried no home and its device is not registered to one: the alarm is stored and
    /// raised under `SensorEvent.unassignedHome` so that it is not lost.
    public static let noHome = EventFlag(code: "no_home")

    /// A sentence for a care worker.
    public var explanation: String {
        switch code {
        case Self.badTimestamp.code: "its time stamp was unreadable, so the time it was received is used"
        case Self.clockAhead.code: "the device's clock is ahead of the hub's"
        case Self.clockBehind.code: "the device's clock is far behind the hub's"
        case Self.unregistered.code: "the device is not registered for this home"
        case Self.registeredElsewhere.code: "the device is registered to another home (a possible spoof)"
        case Self.noHome.code:
            "no home is known for this device, so find the resident by its gateway name (carehub devices unknown) and register it"
        case "ignored_field": "a malformed optional field was left out"
        default: code
        }
    }
}
