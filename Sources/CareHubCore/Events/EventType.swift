/// The `type` of a contract event (contract section 2).
public enum EventType: String, Sendable, CaseIterable, Codable {
    case motion, door, bed, chair, pendant, pullcord, fall, smoke, co, water
    case temperature, power, heartbeat, battery, tamper

    /// The type named `name`, as `init(rawValue:)` finds it, with one string comparison instead of up to fifteen:
    /// it runs for every event.
    public init?(name: String) {
        let candidate: EventType? = switch (name.utf8.count, name.utf8.first) {
        case (6, UInt8(ascii: "m")?): .motion
        case (4, UInt8(ascii: "d")?): .door
        case (3, UInt8(ascii: "b")?): .bed
        case (5, UInt8(ascii: "c")?): .chair
        case (7, UInt8(ascii: "p")?): .pendant
        case (8, UInt8(ascii: "p")?): .pullcord
        case (4, UInt8(ascii: "f")?): .fall
        case (5, UInt8(ascii: "s")?): .smoke
        case (2, UInt8(ascii: "c")?): .co
        case (5, UInt8(ascii: "w")?): .water
        case (11, UInt8(ascii: "t")?): .temperature
        case (5, UInt8(ascii: "p")?): .power
        case (9, UInt8(ascii: "h")?): .heartbeat
        case (7, UInt8(ascii: "b")?): .battery
        case (6, UInt8(ascii: "t")?): .tamper
        default: nil
        }
        guard let candidate, candidate.rawValue == name else { return nil }
        self = candidate
    }

    /// What the `value` field must hold for this type.
    public var expectedValue: ExpectedValue {
        switch self {
        case .motion, .smoke, .co, .water, .tamper: .boolean
        case .door: .oneOf(Self.doorWords)
        case .bed, .chair: .oneOf(Self.padWords)
        case .temperature: .number(-60...100)
        case .power: .number(0...100_000)
        case .battery: .number(0...100)
        case .pendant, .pullcord, .fall, .heartbeat: .none
        }
    }

    /// Made once, not for every event.
    private static let doorWords = ["open", "closed"]
    private static let padWords = ["occupied", "empty"]

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
