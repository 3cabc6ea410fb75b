import CareHubCore
import Foundation

/// One incident notification (`carehub/v1/<home>/alert`, contract section 4) as it stood when it was queued:
/// later changes to the incident do not change an alert already waiting.
public struct IncidentAlert: Sendable, Equatable {
    /// What happened to the incident. `escalated` is not a stored incident state: nobody acknowledged in time.
    public enum State: String, Sendable, CaseIterable {
        case open, escalated, acknowledged, resolved
    }

    public var incident: Int64
    public var home: String
    public var kind: String
    public var priority: Priority
    public var state: State
    public var at: Date
    public var summary: String
    /// The device, for device incidents.
    public var device: String?
    /// How often it has escalated; set on `escalated` alerts only.
    public var level: Int?
    /// How many triggers it has had; set only when an alarm is pressed again while its incident is open.
    public var repeatCount: Int?
    /// Who acknowledged or resolved it; set on those alerts only.
    public var by: String?
    /// The outcome; set on `resolved` alerts only.
    public var outcome: String?

    public init(incident: Int64, home: String, kind: String, priority: Priority, state: State, at: Date, summary: String,
                device: String? = nil, level: Int? = nil, repeatCount: Int? = nil, by: String? = nil, outcome: String? = nil) {
        self.incident = incident
        self.home = home
        self.kind = kind
        self.priority = priority
        self.state = state
        self.at = at
        self.summary = summary
        self.device = device
        self.level = level
        self.repeatCount = repeatCount
        self.by = by
        self.outcome = outcome
    }
}

extension IncidentAlert.State {
    /// The alert state that announces an incident's stored state.
    init(_ state: IncidentState) {
        switch state {
        case .open: self = .open
        case .acknowledged: self = .acknowledged
        case .resolved: self = .resolved
        }
    }
}
