import Foundation

/// Evaluates events in order for every home and says what should happen to incidents. Pure: no I/O, no
/// wall clock. The same engine runs live (instants from the hub's clock) and in replay (a virtual clock).
///
/// ```swift
/// var engine = RulesEngine(settings: RuleSettingsBook())
/// let commands = engine.handle(event, receivedAt: now) + engine.tick(home: "flat-12", now: later)
/// ```
public struct RulesEngine: Sendable {
    private let alarms = AlarmRule()
    public var settings: RuleSettingsBook { snapshot.book }
    private var snapshot: RuleSettingsSnapshot
    public private(set) var homes: [String: HomeRules] = [:]
    private var clocks: [String: LocalClock] = [:]
    private var lastClock: (identifier: String, clock: LocalClock)?
    /// Whether the last event handled may have moved its home's next deadline (false for most heartbeats).
    public private(set) var lastEventMovedDeadline = true

    public init(settings: RuleSettingsBook = RuleSettingsBook()) {
        snapshot = RuleSettingsSnapshot(settings)
    }

    /// The incident commands for one stored event received at `receivedAt` (hub time).
    public mutating func handle(_ event: SensorEvent, receivedAt: Date) -> [IncidentCommand] {
        var commands = alarms.evaluate(event, now: receivedAt)
        guard !event.flags.contains(.noHome) else {
            // Not a home: nothing but the alarm is known about it.
            lastEventMovedDeadline = false
            return commands
        }
        let received = receivedAt.millisecondsSince1970
        let isNew = homes.index(forKey: event.home) == nil
        var moved = true
        commands += snapshot.withSettings(for: event.home) { homeSettings in
            var clock = takeClock(homeSettings.timeZone)
            defer { putBack(clock, zone: homeSettings.timeZone) }
            // Mutated in place: copying the home (or its state) out and back would copy its device table on every event.
            return homes[event.home, default: HomeRules(home: event.home, firstSeenAt: received)]
                .apply(event, receivedAt: received, settings: homeSettings, clock: &clock, deadlineMayHaveMoved: &moved)
        }
        lastEventMovedDeadline = moved || isNew
        return commands
    }

    public mutating func handleGateway(home: String, state gateway: GatewayState, at instant: Date) -> [IncidentCommand] {
        homes[home, default: HomeRules(home: home, firstSeenAt: instant.millisecondsSince1970)]
            .applyGateway(gateway, at: instant.millisecondsSince1970, settings: snapshot.book.settings(for: home))
    }

    /// A gateway's word on one device's availability (Zigbee2MQTT `<name>/availability`).
    public mutating func handleDeviceStatus(home: String, device: String, state status: GatewayState, at instant: Date) -> [IncidentCommand] {
        let homeSettings = settings.settings(for: home)
        var clock = takeClock(homeSettings.timeZone)
        let commands = homes[home, default: HomeRules(home: home, firstSeenAt: instant.millisecondsSince1970)]
            .applyDeviceStatus(status, device: device, at: instant.millisecondsSince1970, clock: &clock)
        putBack(clock, zone: homeSettings.timeZone)
        return commands
    }

    /// A device taken out of service: forgotten, and its device-health incidents resolved.
    public mutating func forgetDevice(home: String, device: String, at instant: Date) -> [IncidentCommand] {
        homes[home]?.forgetDevice(device, at: instant.millisecondsSince1970) ?? []
    }

    /// Forgets what `home` has learned (its routine and counted days); the fixed thresholds apply until it has learned again.
    public mutating func relearn(home: String) {
        homes[home]?.state.routine = nil
        homes[home]?.state.history = nil
    }

    /// Forgets everything about a home (its data is being erased): no deadline, no state, nothing raised for it.
    public mutating func forget(home: String) {
        homes[home] = nil
    }

    /// Replaces the registry's per-device offline allowances.
    public mutating func setDeviceOverrides(_ overrides: [String: [String: TimeInterval]]) {
        var book = snapshot.book
        book.deviceOverrides = overrides
        snapshot = RuleSettingsSnapshot(book)
    }

    /// Raises whatever is due for `home` at `now`.
    public mutating func tick(home: String, now: Date) -> [IncidentCommand] {
        guard homes[home] != nil else { return [] }
        return snapshot.withSettings(for: home) { homeSettings in
            var clock = takeClock(homeSettings.timeZone)
            defer { putBack(clock, zone: homeSettings.timeZone) }
            return homes[home]?.tick(now: now.millisecondsSince1970, settings: homeSettings, clock: &clock) ?? []
        }
    }

    /// When `home` next needs a tick.
    public mutating func nextDeadline(home: String) -> Date? {
        guard let index = homes.index(forKey: home) else { return nil }
        let due = snapshot.withSettings(for: home) { homeSettings in
            var clock = takeClock(homeSettings.timeZone)
            defer { putBack(clock, zone: homeSettings.timeZone) }
            // Read in place: copying the home out would retain everything it holds.
            return homes.values[index].nextDeadline(settings: homeSettings, clock: &clock)
        }
        return due.map(Date.init(millisecondsSince1970:))
    }

    /// Explicit away (holiday) until an instant, or nil to end it; a visit in progress until an instant.
    public mutating func setHoliday(home: String, until instant: Date?, now: Date) {
        homes[home, default: HomeRules(home: home, firstSeenAt: now.millisecondsSince1970)].setHoliday(until: instant?.millisecondsSince1970, now: now.millisecondsSince1970)
    }

    public mutating func setVisit(home: String, until instant: Date?, now: Date) {
        homes[home, default: HomeRules(home: home, firstSeenAt: now.millisecondsSince1970)].setVisit(until: instant?.millisecondsSince1970, now: now.millisecondsSince1970)
    }

    /// Restores a home's remembered state (at start-up).
    public mutating func restore(home: String, state: HomeRuleState) {
        homes[home] = HomeRules(home: home, state: state)
    }

    /// The clock of a time zone, taken out of the cache (mutated, then put back with `putBack`). The last one used is
    /// kept aside: nearly every home is in the same zone, and the table is then not hashed into twice per call.
    private mutating func takeClock(_ identifier: String) -> LocalClock {
        if let last = lastClock, last.identifier == identifier {
            lastClock = nil
            return last.clock
        }
        return clocks.removeValue(forKey: identifier) ?? LocalClock(identifier: identifier) ?? LocalClock(timeZone: .gmt)
    }

    private mutating func putBack(_ clock: LocalClock, zone identifier: String) {
        if let last = lastClock, last.identifier != identifier { clocks[last.identifier] = last.clock }
        lastClock = (identifier, clock)
    }
}
