import CareHubCore

extension Outcome {
    /// The outcomes a person may resolve an incident with (`cleared` is the hub's own, for conditions that ended).
    public static let staffChoices: [Outcome] = [.residentOK, .visited, .falseAlarm, .ambulance, .deviceFault, .other]

    /// The outcomes that say an incident was a real emergency: no looser per-home threshold is suggested for its kind.
    public static let realEmergencies: [Outcome] = [.ambulance, .visited, .other]
}
