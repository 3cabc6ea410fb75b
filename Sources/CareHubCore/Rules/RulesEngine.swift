import Foundation

/// Evaluates events in order and says what should happen to incidents. Pure: no I/O, no wall clock.
/// The same engine runs live and in replay.
public struct RulesEngine: Sendable {
    private let alarms = AlarmRule()

    public init() {}

    /// The incident commands for one stored event, evaluated at `now` (the hub's clock live, the virtual
    /// clock in replay).
    public mutating func handle(_ event: SensorEvent, now: Date) -> [IncidentCommand] {
        alarms.evaluate(event, now: now)
    }
}
