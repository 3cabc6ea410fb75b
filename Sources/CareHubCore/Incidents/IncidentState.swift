/// `open` → `acknowledged` → `resolved` (contract section 3); `escalated` exists only on the alert topic.
public enum IncidentState: String, Sendable, CaseIterable, Codable {
    case open, acknowledged, resolved
}

/// How a care worker closed an incident.
public enum Outcome: String, Sendable, CaseIterable, Codable {
    case residentOK = "resident_ok"
    case visited
    case falseAlarm = "false_alarm"
    case ambulance
    case deviceFault = "device_fault"
    case other
    /// Set by the hub itself when the condition cleared (activity resumed, device back).
    case cleared
}
