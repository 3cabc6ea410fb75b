/// How long an incident may stay unacknowledged before it is re-notified with a higher escalation level,
/// per priority (issue defaults: emergency 2 min, urgent 10 min, routine 1 h, technical 24 h).
public struct EscalationPolicy: Sendable, Equatable {
    public var emergency: Double = 2 * 60
    public var urgent: Double = 10 * 60
    public var routine: Double = 60 * 60
    public var technical: Double = 24 * 3600

    public init() {}

    /// Seconds before (re-)escalating an open incident of `priority`.
    public func interval(for priority: Priority) -> Double {
        switch priority {
        case .emergency: emergency
        case .urgent: urgent
        case .routine: routine
        case .technical: technical
        }
    }
}
