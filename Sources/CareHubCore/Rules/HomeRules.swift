import Foundation

/// The rules for one home (contract section 3, all but the alarms and device health): inactivity, not up,
/// out of bed at night, long in the bathroom, a door opened at night, cold and hot home, fridge unused,
/// and `no_data` in place of any inactivity-type incident when the home is not proved alive.
///
/// Pure and deterministic: events and ticks carry their instants (hub time: the receive time live, the line
/// time in replay); an event's own `ts` says when activity happened.
public struct HomeRules: Sendable, Equatable {
    public let home: String
    public var state: HomeRuleState

    public init(home: String, state: HomeRuleState) {
        self.home = home
        self.state = state
    }

    public init(home: String, firstSeenAt: Int64) {
        self.init(home: home, state: HomeRuleState(firstSeenAt: firstSeenAt))
    }

    // MARK: Events

    /// Applies one event received at `receivedAt` (hub time) and returns the incidents it clears.
    public mutating func apply(_ event: SensorEvent, receivedAt: Int64, settings: RuleSettings, clock: inout LocalClock) -> [IncidentCommand] {
        var commands: [IncidentCommand] = []
        let eventTime = event.timestamp.millisecondsSince1970
        noteMessage(from: event.device, room: event.room, at: receivedAt, observedAt: min(eventTime, receivedAt), settings: settings,
                    commands: &commands)
        let room = event.room ?? state.devices[event.device]?.room
        if let level = event.battery ?? (event.type == .battery ? event.value.number : nil) {
            noteBattery(level, device: event.device, at: receivedAt, settings: settings, commands: &commands)
        }
        switch event.type {
        case .temperature where !(room.map(settings.fridgeRooms.contains) ?? false):
            if let value = event.value.number { noteTemperature(value, device: event.device, at: eventTime, settings: settings, commands: &commands) }
        case .power:
            if let value = event.value.number, let previous = state.devices[event.device]?.lastReading {
                state.devices[event.device]?.lastReading = value
                if abs(value - previous) >= settings.powerActivityDelta {
                    noteActivity(event, room: room, at: eventTime, receivedAt: receivedAt, settings: settings, clock: &clock, commands: &commands)
                }
            } else {
                state.devices[event.device]?.lastReading = event.value.number
            }
        case .motion where event.value.boolean == true:
            noteActivity(event, room: room, at: eventTime, receivedAt: receivedAt, settings: settings, clock: &clock, commands: &commands)
        case .door, .bed, .chair:
            noteActivity(event, room: room, at: eventTime, receivedAt: receivedAt, settings: settings, clock: &clock, commands: &commands)
        default:
            break
        }
        return commands
    }

    /// `apply`, also saying whether the event changed anything the home's next deadline depends on.
    public mutating func apply(
        _ event: SensorEvent, receivedAt: Int64, settings: RuleSettings, clock: inout LocalClock, deadlineMayHaveMoved: inout Bool
    ) -> [IncidentCommand] {
        let before = state.scheduleKey
        let commands = apply(event, receivedAt: receivedAt, settings: settings, clock: &clock)
        deadlineMayHaveMoved = before != state.scheduleKey
        return commands
    }

    /// Applies a gateway status; a gateway back online with its devices reporting clears `no_data`.
    public mutating func applyGateway(_ gateway: GatewayState, at instant: Int64, settings: RuleSettings) -> [IncidentCommand] {
        var commands: [IncidentCommand] = []
        switch gateway {
        case .offline:
            state.gatewayOfflineSince = state.gatewayOfflineSince ?? instant
        case .online:
            state.gatewayOfflineSince = nil
            if state.isRaised(.gatewayOffline) {
                state.setRaised(.gatewayOffline, false)
                commands.append(.resolve(home: home, kind: .gatewayOffline, device: nil, reason: "The gateway is back online.",
                                         at: Date(millisecondsSince1970: instant)))
            }
            if state.isRaised(.noData), isAlive(at: instant, settings: settings) {
                resolveNoData(reason: "The gateway is back online and its devices are reporting.", at: instant, commands: &commands)
            }
        }
        return commands
    }

    /// Data is back: `no_data` clears, and the silence may now be judged on the evidence (one incident open
    /// per silence, not one ever).
    private mutating func resolveNoData(reason: String, at instant: Int64, commands: inout [IncidentCommand]) {
        state.setRaised(.noData, false)
        state.silenceRaisedFor = nil
        commands.append(.resolve(home: home, kind: .noData, device: nil, reason: reason, at: Date(millisecondsSince1970: instant)))
    }

    /// Explicit away (holiday) until an instant, and a visit in progress until an instant. Ending one early
    /// (nil) ends it now: the quiet period then counts from now, never from before the pause.
    public mutating func setHoliday(until instant: Int64?, now: Int64) {
        state.holidayUntil = instant ?? state.holidayUntil.map { min($0, now) }
    }

    public mutating func setVisit(until instant: Int64?, now: Int64) {
        state.visitUntil = instant ?? state.visitUntil.map { min($0, now) }
    }

    /// Records a message received at `instant` about something observed at `observedAt` (its event time, never
    /// later than its receipt): a run of data starts at what its first message observed.
    private mutating func noteMessage(
        from device: String, room: String?, at instant: Int64, observedAt: Int64, settings: RuleSettings, commands: inout [IncidentCommand]
    ) {
        // Liveness follows what devices observed, not when the hub got round to receiving it: a backlog the
        // broker kept during the hub's own downtime must not look like a gap in the home's data.
        let gapMilliseconds = Int64(settings.aliveWithin * 1000)
        if let last = state.lastMessageAt, observedAt - last <= gapMilliseconds {
            state.continuousDataSince = state.continuousDataSince ?? last
        } else if observedAt > (state.lastMessageAt ?? .min) {
            state.continuousDataSince = observedAt
        }
        state.lastMessageAt = max(state.lastMessageAt ?? observedAt, observedAt)
        let wasOffline = state.devices.update(device, orAdd: { DeviceRuleState(id: device, lastSeenAt: instant, room: room) }) { record in
            record.lastSeenAt = max(record.lastSeenAt, instant)
            if let room { record.room = room }
            let wasOffline = record.offlineRaised && !record.offlineDeferred
            record.offlineRaised = false
            record.offlineDeferred = false
            return wasOffline
        }
        if wasOffline {
            commands.append(.resolve(home: home, kind: .deviceOffline, device: device,
                                     reason: "\(device) is reporting again.", at: Date(millisecondsSince1970: instant)))
        }
        // Data is back: devices that went quiet with the rest of the home are judged again, on their own.
        if state.devices.values.contains(where: \.offlineDeferred) {
            for other in state.devices.values where other.offlineDeferred {
                state.devices[other.id]?.offlineDeferred = false
                state.devices[other.id]?.offlineRaised = false
            }
        }
        if state.isRaised(.noData), state.gatewayOfflineSince == nil {
            resolveNoData(reason: "Data from the home again (\(device)).", at: instant, commands: &commands)
        }
    }

    private mutating func noteActivity(
        _ event: SensorEvent, room: String?, at eventTime: Int64, receivedAt: Int64, settings: RuleSettings, clock: inout LocalClock,
        commands: inout [IncidentCommand]
    ) {
        let isExitDoor = event.type == .door && room.map(settings.exitDoorRooms.contains) == true
        let isIndoorMotion = event.type == .motion && !(room.map(settings.exitDoorRooms.contains) ?? false)
        let quietStart = self.quietStart(settings: settings)
        let when = Date(millisecondsSince1970: receivedAt)
        // Words for care staff are made only when something is resolved: most activity resolves nothing.
        func description() -> String { Self.describe(event, room: room) }
        let late = receivedAt - eventTime > 120_000

        let place = settings.quietPlace(type: event.type, value: event.value.text, room: room)
        countDay(event.type, value: event.value.text, place: place, at: eventTime, receivedAt: receivedAt, settings: settings, clock: &clock,
                 commands: &commands)
        if eventTime > (state.lastActivityAt ?? .min) {
            learnQuiet(endingAt: eventTime, settings: settings, clock: &clock)
            state.lastActivityPlace = place.rawValue
            state.lastActivityAt = eventTime
            state.lastActivityRoom = room
            state.lastActivityDevice = event.device
            state.lastActivityType = event.type.rawValue
        }
        let upAndAbout = room.map { !settings.bedroomRooms.contains($0) } == true && (!isExitDoor || event.value.text == "open")
        if upAndAbout {
            state.lastOutsideBedroomAt = max(state.lastOutsideBedroomAt ?? eventTime, eventTime)
        }

        // Activity inside the quiet period ends it, even when it arrives late.
        if eventTime > quietStart, state.isRaised(.inactivity) || state.isRaised(.bathroomLong) {
            let reason = late
                ? "Activity during the quiet period, reported late: \(description()) at \(clock.timeText(eventTime))."
                : "Activity resumed: \(description())."
            for kind in [IncidentKind.inactivity, .bathroomLong] where state.isRaised(kind) {
                state.setRaised(kind, false)
                commands.append(.resolve(home: home, kind: kind, device: nil, reason: reason, at: when))
            }
        }
        if state.isRaised(.notUp), upAndAbout {
            state.setRaised(.notUp, false)
            commands.append(.resolve(home: home, kind: .notUp, device: nil, reason: "Up and about: \(description()).", at: when))
        }

        // Away: an exit door closing starts the watch; motion elsewhere cancels it; activity other than that
        // door ends an away.
        if isExitDoor {
            if let away = state.awaySince, eventTime > away, event.device != state.exitDoorDevice {
                endAway(leftAt: away, at: eventTime)
            }
            if event.value.text == "closed" {
                state.exitDoorClosedAt = eventTime
                state.exitDoorDevice = event.device
            }
        } else if event.type == .motion || event.type == .bed || event.type == .chair || event.type == .door || event.type == .power {
            if let closed = state.exitDoorClosedAt, eventTime >= closed, isIndoorMotion || event.type != .motion {
                state.exitDoorClosedAt = nil
            }
            if let away = state.awaySince, eventTime > away {
                endAway(leftAt: away, at: eventTime)
            }
        }

        // A door opened at night; indoor motion afterwards means someone is inside.
        if isExitDoor, event.value.text == "open", settings.nightWindow.contains(minuteOfDay: clock.minuteOfDay(at: eventTime)) {
            state.nightDoorOpenedAt = eventTime
            state.nightDoorDevice = event.device
        }
        if isIndoorMotion, let opened = state.nightDoorOpenedAt, eventTime > opened {
            state.nightDoorOpenedAt = nil
        }
        if isIndoorMotion, state.isRaised(.nightDoor) {
            state.setRaised(.nightDoor, false)
            commands.append(.resolve(home: home, kind: .nightDoor, device: nil, reason: "Movement indoors: \(description()).", at: when))
        }

        switch (event.type, event.value.text) {
        case (.bed, "occupied"?):
            state.bedOccupied = true
            state.bedEmptySince = nil
            if state.isRaised(.outOfBed) {
                state.setRaised(.outOfBed, false)
                commands.append(.resolve(home: home, kind: .outOfBed, device: nil, reason: "Back in bed.", at: when))
            }
        case (.bed, "empty"?):
            if state.bedOccupied, settings.nightWindow.contains(minuteOfDay: clock.minuteOfDay(at: eventTime)) {
                state.bedEmptySince = eventTime
            }
            state.bedOccupied = false
        case (.door, _) where room.map(settings.fridgeRooms.contains) == true:
            state.hasFridgeSensor = true
            state.lastFridgeOpenAt = max(state.lastFridgeOpenAt ?? eventTime, eventTime)
            if state.isRaised(.fridgeUnused) {
                state.setRaised(.fridgeUnused, false)
                commands.append(.resolve(home: home, kind: .fridgeUnused, device: nil, reason: "Fridge opened.", at: when))
            }
        default:
            break
        }
    }

    private mutating func noteBattery(_ level: Double, device: String, at instant: Int64, settings: RuleSettings, commands: inout [IncidentCommand]) {
        guard var record = state.devices[device] else { return }
        let when = Date(millisecondsSince1970: instant)
        if level <= settings.lowBatteryAt, !record.lowBatteryRaised {
            record.lowBatteryRaised = true
            let room = record.room.map { " in the \($0)" } ?? ""
            commands.append(.raise(IncidentDraft(home: home, kind: .lowBattery, device: device,
                                                 summary: "Battery low on \(device)\(room): \(JSONText.number(level)) %. Replace it soon.", at: when)))
        } else if level > settings.lowBatteryAt, record.lowBatteryRaised {
            record.lowBatteryRaised = false
            commands.append(.resolve(home: home, kind: .lowBattery, device: device,
                                     reason: "Battery at \(JSONText.number(level)) % again.", at: when))
        }
        state.devices[device] = record
    }

    private mutating func noteTemperature(_ value: Double, device: String, at instant: Int64, settings: RuleSettings, commands: inout [IncidentCommand]) {
        guard var record = state.devices[device] else { return }
        record.lastReading = value
        record.coldSince = value < settings.coldBelow ? (record.coldSince ?? instant) : nil
        record.hotSince = value > settings.hotAbove ? (record.hotSince ?? instant) : nil
        state.devices[device] = record
        let when = Date(millisecondsSince1970: instant)
        if state.isRaised(.coldHome), !state.devices.values.contains(where: { $0.coldSince != nil }) {
            state.setRaised(.coldHome, false)
            commands.append(.resolve(home: home, kind: .coldHome, device: nil,
                                     reason: "Temperature back to \(Self.degrees(value)) (\(device)).", at: when))
        }
        if state.isRaised(.hotHome), !state.devices.values.contains(where: { $0.hotSince != nil }) {
            state.setRaised(.hotHome, false)
            commands.append(.resolve(home: home, kind: .hotHome, device: nil,
                                     reason: "Temperature back to \(Self.degrees(value)) (\(device)).", at: when))
        }
    }

    // MARK: Helpers

    /// The start of the current quiet period: the last activity, but never earlier than the start of the
    /// current run of data (inactivity is only claimed over a stretch the home was proved alive).
    ///
    /// A holiday or visit that ended also restarts the quiet period: time paused does not count.
    func quietStart(settings: RuleSettings) -> Int64 {
        max(state.lastActivityAt ?? state.firstSeenAt, state.continuousDataSince ?? state.firstSeenAt,
            state.holidayUntil ?? .min, state.visitUntil ?? .min)
    }

    func isAlive(at now: Int64, settings: RuleSettings) -> Bool {
        guard state.gatewayOfflineSince == nil, let last = state.lastMessageAt else { return false }
        return now - last <= Int64(settings.aliveWithin * 1000)
    }

    func isPaused(at now: Int64) -> Bool {
        isAway(at: now) || (state.holidayUntil.map { now < $0 } ?? false) || (state.visitUntil.map { now < $0 } ?? false)
    }

    /// The resident, away since `left`, is back: activity at home at `eventTime`.
    private mutating func endAway(leftAt left: Int64, at eventTime: Int64) {
        state.awaySince = nil
        state.awayEndedAt = eventTime
        state.history?.noteReturn(leftAt: left, at: eventTime)
    }

    func isAway(at now: Int64) -> Bool {
        state.awaySince.map { $0 <= now } ?? false
    }
}
