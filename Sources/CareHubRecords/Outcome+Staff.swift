import CareHubCore

extension Outcome {
    /// The outcomes a person may resolve an incident with (`cleared` is the hub's own, for conditions that ended).
    public static let staffChoices: [Outcome] = [.residentOK, .visited, .falseAlarm, .ambulance, .deviceFault, .other]

    /// Whether the outcome says the incident was a real emergency (`ambulance`, `visited`, `other`): no looser per-home
    /// threshold is suggested for its kind.
    public var isRealEmergency: Bool { self == .ambulance || self == .visited || self == .other }

    /// Whether `text`, an incident's stored outcome, says it was a real emergency.
    public static func isRealEmergency(_ text: String?) -> Bool { text.flatMap(Outcome.init(rawValue:))?.isRealEmergency == true }
}
