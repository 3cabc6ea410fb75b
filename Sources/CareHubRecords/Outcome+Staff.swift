import CareHubCore

extension Outcome {
    /// The outcomes a person may resolve an incident with (`cleared` is the hub's own, for conditions that ended).
    public static let staffChoices: [Outcome] = [.residentOK, .visited, .falseAlarm, .ambulance, .deviceFault, .other]
}
