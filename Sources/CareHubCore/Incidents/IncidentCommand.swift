import Foundation

/// What the rules ask the incident store to do. The store applies it transactionally: a `raise` that
/// matches an open incident of the same home and kind (and device, for per-device kinds) joins it.
public enum IncidentCommand: Sendable, Equatable {
    case raise(IncidentDraft)
    case resolve(home: String, kind: IncidentKind, device: String?, reason: String, at: Date)
}

/// A proposed incident.
public struct IncidentDraft: Sendable, Equatable {
    public var home: String
    public var kind: IncidentKind
    public var priority: Priority
    public var device: String?
    /// One line a care worker reads first.
    public var summary: String
    public var at: Date
    /// The event that triggered it: its id within the home.
    public var triggerEventID: String?
    public var flags: [EventFlag]

    public init(
        home: String, kind: IncidentKind, priority: Priority? = nil, device: String? = nil, summary: String, at: Date,
        triggerEventID: String? = nil, flags: [EventFlag] = []
    ) {
        self.home = home
        self.kind = kind
        self.priority = priority ?? kind.defaultPriority
        self.device = device
        self.summary = summary
        self.at = at
        self.triggerEventID = triggerEventID
        self.flags = flags
    }
}
