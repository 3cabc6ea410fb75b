/// The `type` of a contract event (contract section 2).
public enum EventType: String, Sendable, CaseIterable, Codable {
    case motion, door, bed, chair, pendant, pullcord, fall, smoke, co, water
    case temperature, power, heartbeat, battery, tamper

    /// What the `value` field must hold for this type.
    public var expectedValue: ExpectedValue {
        switch self {
        case .motion, .smoke, .co, .water, .tamper: .boolean
        case .door: .oneOf(["open", "closed"])
        case .bed, .chair: .oneOf(["occupied", "empty"])
        case .temperature: .number(-60...100)
        case .power: .number(0...100_000)
        case .battery: .number(0...100)
        case .pendant, .pullcord, .fall, .heartbeat: .none
        }
    }

    /// Types whose events raise emergency incidents; these are never lost to a refusal (contract section 2).
    public var isAlarm: Bool {
        switch self {
        case .pendant, .pullcord, .fall, .smoke, .co, .water: true
        default: false
        }
    }

    public enum ExpectedValue: Sendable, Equatable {
        case none
        case boolean
        case oneOf([String])
        case number(ClosedRange<Double>)
    }
}
