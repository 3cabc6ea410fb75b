import CareHubCore
import Foundation

/// Drives the rules engine for one home like the hub does — events at their receive time, and ticks at each
/// deadline — on a manual clock, in Europe/London local time.
struct RuleScenario {
    var engine: RulesEngine
    let home = "flat-1"
    var clock = LocalClock(identifier: "Europe/London")!
    /// Every command with the hub time it was produced at.
    var log: [(at: Date, command: IncidentCommand)] = []
    var now: Date
    private var sequence = 0

    init(start: String, settings: RuleSettings = RuleSettings()) {
        engine = RulesEngine(settings: RuleSettingsBook(defaults: settings))
        now = Date.distantPast
        now = local(start)
    }

    /// "2026-11-30 09:00" (or "09:00" on the current local day) in Europe/London.
    mutating func local(_ text: String) -> Date {
        let parts = text.split(separator: " ")
        let day: Int64
        let time: Substring
        if parts.count == 2 {
            let ymd = parts[0].split(separator: "-").compactMap { Int($0) }
            day = Int64(RFC3339.parseMilliseconds(String(format: "%04d-%02d-%02dT00:00:00Z", ymd[0], ymd[1], ymd[2]))! / 86_400_000)
            time = parts[1]
        } else {
            day = clock.localDay(at: now.millisecondsSince1970)
            time = parts[0]
        }
        let minute = LocalWindow.parseTime(String(time))!
        return Date(millisecondsSince1970: clock.instant(day: day, minute: minute))
    }

    /// Runs every tick due up to `time`, then feeds the event at `time` (received then, unless `receivedAt`).
    mutating func event(_ type: EventType, _ value: EventValue = .none, room: String, device: String? = nil, at time: String,
                        receivedAt: String? = nil) {
        let eventTime = local(time)
        let received = receivedAt.map { local($0) } ?? eventTime
        advance(to: received)
        sequence += 1
        let event = SensorEvent(home: home, device: device ?? "\(type.rawValue)-\(room)", id: "e\(sequence)", type: type, value: value,
                                timestamp: eventTime, room: room)
        log += engine.handle(event, receivedAt: received).map { (received, $0) }
    }

    mutating func motion(_ room: String, at time: String, receivedAt: String? = nil) {
        event(.motion, .boolean(true), room: room, device: "pir-\(room)", at: time, receivedAt: receivedAt)
    }

    /// A heartbeat from the lounge thermometer every `minutes` from `from` to `to`: the home is alive.
    mutating func heartbeats(from: String, to: String, every minutes: Int = 30) {
        heartbeats(from: local(from), to: local(to), every: minutes)
    }

    mutating func heartbeats(from start: Date, to end: Date, every minutes: Int = 30) {
        var instant = start
        while instant <= end {
            advance(to: instant)
            sequence += 1
            let event = SensorEvent(home: home, device: "temp-lounge", id: "h\(sequence)", type: .heartbeat, timestamp: instant, room: "lounge")
            log += engine.handle(event, receivedAt: instant).map { (instant, $0) }
            instant += TimeInterval(minutes * 60)
        }
        advance(to: end, inclusive: true)
    }

    mutating func gateway(_ state: GatewayState, at time: String) {
        let instant = local(time)
        advance(to: instant)
        log += engine.handleGateway(home: home, state: state, at: instant).map { (instant, $0) }
    }

    /// The gateway's word on one device's availability (Zigbee2MQTT `<name>/availability`).
    mutating func deviceStatus(_ state: GatewayState, device: String, at time: String) {
        let instant = local(time)
        advance(to: instant)
        log += engine.handleDeviceStatus(home: home, device: device, state: state, at: instant).map { (instant, $0) }
    }

    /// Fires every deadline before `instant` (and at it, when `inclusive`), as the scheduler would: a timer
    /// due at the same instant as an event fires after the event (contract section 5).
    mutating func advance(to instant: Date, inclusive: Bool = false) {
        for _ in 0..<1_000 {
            guard let due = engine.nextDeadline(home: home), inclusive ? due <= instant : due < instant else { break }
            now = max(now, due)
            log += engine.tick(home: home, now: now).map { (now, $0) }
        }
        now = max(now, instant)
    }

    mutating func run(until time: String) {
        advance(to: local(time), inclusive: true)
    }

    static let deviceHealth: Set<IncidentKind> = [.deviceOffline, .lowBattery, .gatewayOffline]

    /// Every raise, device health included.
    var allRaised: [(kind: IncidentKind, at: Date, summary: String)] {
        log.compactMap { entry in
            if case .raise(let draft) = entry.command { return (draft.kind, entry.at, draft.summary) }
            return nil
        }
    }

    /// The raises about the resident (device-health incidents are asserted by their own tests).
    var raised: [(kind: IncidentKind, at: Date, summary: String)] {
        allRaised.filter { !Self.deviceHealth.contains($0.kind) }
    }

    var allResolved: [(kind: IncidentKind, at: Date, reason: String)] {
        log.compactMap { entry in
            if case .resolve(_, let kind, _, let reason, _) = entry.command { return (kind, entry.at, reason) }
            return nil
        }
    }

    var resolved: [(kind: IncidentKind, at: Date, reason: String)] {
        allResolved.filter { !Self.deviceHealth.contains($0.kind) }
    }

    func raisedKinds() -> [IncidentKind] { raised.map(\.kind) }
}
