import Foundation

/// How far an event's own time may be from the hub's clock when it arrives.
///
/// Events from the future beyond `maximumAhead` would fire timers early and corrupt "last activity";
/// events older than `maximumBehind` are history, not news. Either is refused (and kept with the reason),
/// except an alarm, which is accepted, flagged, and raised. Late events within the window are normal:
/// gateways buffer while offline.
public struct ClockSkewPolicy: Sendable, Equatable {
    public var maximumAhead: TimeInterval
    public var maximumBehind: TimeInterval

    public init(maximumAhead: TimeInterval = 300, maximumBehind: TimeInterval = 7 * 86_400) {
        self.maximumAhead = maximumAhead
        self.maximumBehind = maximumBehind
    }

    /// Nil when `eventTime` is acceptable at `receivedAt`.
    public func violation(eventTime: Date, receivedAt: Date) -> RefusalReason? {
        let skew = eventTime.timeIntervalSince(receivedAt)
        if skew > maximumAhead { return .clockAhead(seconds: Int(skew)) }
        if -skew > maximumBehind { return .clockBehind(seconds: Int(-skew)) }
        return nil
    }
}
