import Foundation

/// The time-driven half of the rules: each pending condition has a due instant; `tick` raises what is due
/// and `nextDeadline` says when to come back.
extension HomeRules {
    /// A condition that becomes an incident at `due` unless something happens first.
    enum Check: Equatable {
        case awayConfirmed
        case deviceOffline(device: String, lastSeen: Int64)
        case gatewayOffline(since: Int64)
        case silence(kind: IncidentKind, quietStart: Int64)
        case notUp(checkAt: Int64)
        case notInBed(checkAt: Int64)
        case outOfBed(since: Int64)
        case nightDoor(openedAt: Int64)
        case cold(device: String, since: Int64)
        case hot(device: String, since: Int64)
        case fridgeUnused(since: Int64)
    }

    /// Every pending condition's due instant, in a fixed order, given to `visit` one by one with a way to make the
    /// condition itself (no array is built, and no condition is made only to learn its instant: this runs for every
    /// home whose deadline moves).
    func forEachPendingCheck(settings: RuleSettings, clock: inout LocalClock, _ visit: (Int64, () -> Check) -> Void) {
        // One allowance for every device when none has its own: no device id is passed around to learn it.
        let uniformAllowance = settings.uniformOfflineAfter.map { Int64($0 * 1000) }
        for index in state.devices.values.indices where !state.devices.values[index].offlineRaised {
            let lastSeen = state.devices.values[index].lastSeenAt
            let allowance = uniformAllowance ?? Int64(settings.offlineAfter(device: state.devices.values[index].id) * 1000)
            visit(lastSeen + allowance) { .deviceOffline(device: state.devices.values[index].id, lastSeen: lastSeen) }
        }
        if let since = state.gatewayOfflineSince, !state.isRaised(.gatewayOffline) {
            visit(since + Int64(settings.gatewayOfflineAfter * 1000)) { .gatewayOffline(since: since) }
        }
        if let closed = state.exitDoorClosedAt {
            visit(closed + Int64(settings.awayConfirmAfter * 1000)) { .awayConfirmed }
        }
        let quietStart = quietStart(settings: settings)
        if state.silenceRaisedFor != quietStart {
            var due = quietStart + Int64(settings.inactivityAnyTime * 1000)
            if let inWindow = dayWindowDue(quietStart: quietStart, settings: settings, clock: &clock) { due = min(due, inWindow) }
            var kind = IncidentKind.inactivity
            if let learned = learnedSilence(quietStart: quietStart, fixedDue: due, settings: settings, clock: &clock) {
                due = learned.due
                kind = learned.kind
            } else if let room = state.lastActivityRoom, settings.bathroomRooms.contains(room), state.lastActivityAt == quietStart {
                let bathroomDue = quietStart + Int64(settings.bathroomAfter * 1000)
                if bathroomDue < due {
                    due = bathroomDue
                    kind = .bathroomLong
                }
            }
            visit(due) { .silence(kind: kind, quietStart: quietStart) }
        }
        var notUpAt = clock.next(minute: settings.notUpCheck, after: state.notUpCheckedThrough)
        if let minute = state.usualRising(settings: settings)?.checkMinute(settings: settings) {
            // Before the fixed check, never instead of it: the fixed check still follows a learned one that raised nothing.
            notUpAt = min(notUpAt, clock.next(minute: minute, after: state.notUpCheckedThrough))
        }
        visit(notUpAt) { .notUp(checkAt: notUpAt) }
        if let checkAt = notInBedCheck(settings: settings, clock: &clock) {
            // Due at the check, or once the quiet has lasted the floor; the night's check lapses at 06:00.
            let due = max(checkAt, quietStart + Int64(settings.learnedFloor * 1000))
            visit(min(due, notInBedCheckEnds(checkAt, clock: &clock))) { .notInBed(checkAt: checkAt) }
        }
        if let since = state.bedEmptySince, !state.isRaised(.outOfBed) {
            visit(since + Int64(settings.outOfBedAfter * 1000)) { .outOfBed(since: since) }
        }
        if let opened = state.nightDoorOpenedAt {
            visit(opened + Int64(settings.nightDoorAfter * 1000)) { .nightDoor(openedAt: opened) }
        }
        if !state.isRaised(.coldHome), let (index, since) = earliest(hot: false) {
            visit(since + Int64(settings.coldFor * 1000)) { .cold(device: state.devices.values[index].id, since: since) }
        }
        if !state.isRaised(.hotHome), let (index, since) = earliest(hot: true) {
            visit(since + Int64(settings.hotFor * 1000)) { .hot(device: state.devices.values[index].id, since: since) }
        }
        if state.hasFridgeSensor, !state.isRaised(.fridgeUnused) {
            let since = max(state.lastFridgeOpenAt ?? state.firstSeenAt, state.awayEndedAt ?? .min, state.fridgeWatchSince ?? .min,
                            state.holidayUntil ?? .min, state.visitUntil ?? .min)
            visit(since + Int64(settings.fridgeUnusedAfter * 1000)) { .fridgeUnused(since: since) }
        }
    }

    /// The device (its index) cold, or hot, for the longest (ties to the smallest id). A plain loop over the records
    /// in place, not a key path and an intermediate array: this runs for every home whose deadline moves.
    private func earliest(hot: Bool) -> (index: Int, since: Int64)? {
        let devices = state.devices
        var best: (index: Int, since: Int64)?
        for index in devices.values.indices {
            guard let value = hot ? devices.hotSince(at: index) : devices.coldSince(at: index) else { continue }
            if let current = best, (current.since, devices.values[current.index].id) <= (value, devices.values[index].id) { continue }
            best = (index, value)
        }
        return best
    }

    /// The first instant at which the last `inactivityInWindow` of the silence all lie inside a day window.
    func dayWindowDue(quietStart: Int64, settings: RuleSettings, clock: inout LocalClock) -> Int64? {
        let length = Int64(settings.inactivityInWindow * 1000)
        let firstDay = clock.localDay(at: quietStart)
        for day in (firstDay - 1)...(firstDay + 2) {
            let opens = clock.instant(day: day, minute: settings.dayWindow.start)
            let closes = clock.instant(day: day, minute: settings.dayWindow.end)
            guard closes > quietStart else { continue }
            let due = max(quietStart, opens) + length
            if due <= closes { return due }
        }
        return nil
    }

    /// When the rules next need a tick, if ever.
    public func nextDeadline(settings: RuleSettings, clock: inout LocalClock) -> Int64? {
        var earliest: Int64?
        forEachPendingCheck(settings: settings, clock: &clock) { due, _ in
            if earliest.map({ due < $0 }) ?? true { earliest = due }
        }
        return earliest
    }

    /// The earliest check due at or before `now` (the first in check order among equals).
    func firstCheck(dueAtOrBefore now: Int64, settings: RuleSettings, clock: inout LocalClock) -> Check? {
        var first: (due: Int64, check: Check)?
        forEachPendingCheck(settings: settings, clock: &clock) { due, check in
            if due <= now, first.map({ due < $0.due }) ?? true { first = (due, check()) }
        }
        return first?.check
    }

    /// Raises what is due at `now` (hub time). Overdue conditions are evaluated once, at `now`, with the
    /// evidence known now.
    public mutating func tick(now: Int64, settings: RuleSettings, clock: inout LocalClock) -> [IncidentCommand] {
        var commands: [IncidentCommand] = []
        for _ in 0..<16 {
            guard let check = firstCheck(dueAtOrBefore: now, settings: settings, clock: &clock) else { break }
            perform(check, now: now, settings: settings, clock: &clock, commands: &commands)
        }
        return commands
    }

    private mutating func perform(_ check: Check, now: Int64, settings: RuleSettings, clock: inout LocalClock, commands: inout [IncidentCommand]) {
        switch check {
        case .deviceOffline(let device, let lastSeen):
            state.devices[device]?.offlineRaised = true
            // When the whole home is silent that is one `no_data` (or `gateway_offline`), not one incident per device.
            guard isAlive(at: now, settings: settings) else {
                state.devices[device]?.offlineDeferred = true
                return
            }
            let room = state.devices[device]?.room.map { " in the \($0)" } ?? ""
            commands.append(raise(.deviceOffline, now: now, device: device,
                                  summary: "No message from \(device)\(room) since \(clock.dayAndTimeText(lastSeen)): check its battery and signal."))
        case .gatewayOffline(let since):
            state.setRaised(.gatewayOffline, true)
            commands.append(raise(.gatewayOffline, now: now,
                                  summary: "The gateway has reported offline since \(clock.dayAndTimeText(since)): no sensor in the home can be heard."))
        case .awayConfirmed:
            state.history?.noteOuting()
            state.awaySince = state.exitDoorClosedAt
            state.awayEndedAt = nil
            state.exitDoorClosedAt = nil
        case .silence(let kind, let quietStart):
            state.silenceRaisedFor = quietStart
            guard !isPaused(at: now), !state.isRaised(.outOfBed) else { return }
            raiseWatchingForData(kind, quietStart: quietStart, now: now, settings: settings, clock: &clock, commands: &commands)
        case .notUp(let checkAt):
            // After downtime several checks may be overdue: only the latest one at or before now is evaluated.
            let checkInstant = max(checkAt, latestCheck(before: now, settings: settings, clock: &clock))
            state.notUpCheckedThrough = checkInstant
            let day = clock.localDay(at: checkInstant)
            let since = clock.instant(day: day, minute: settings.notUpSince)
            let wasHome = !(state.awaySince.map { $0 <= since } ?? false)
            let upSince = (state.lastOutsideBedroomAt ?? .min) >= since
            guard !upSince, wasHome, !isPaused(at: now), !state.isRaised(.notUp), state.firstSeenAt <= since else { return }
            // "Not up" needs the whole morning covered by data; with a gap since 06:00 it is unproven (and
            // if the home is not alive now, that is `no_data`).
            let covered = (state.continuousDataSince ?? .max) <= since
            guard covered || !isAlive(at: now, settings: settings) else { return }
            let quietStart = quietStart(settings: settings)
            if state.silenceRaisedFor == quietStart, state.isRaised(.inactivity) || state.isRaised(.noData) || state.isRaised(.bathroomLong) {
                return
            }
            state.silenceRaisedFor = quietStart
            // Checked before the fixed time: the home's own mornings say why.
            let learned = checkInstant < clock.instant(day: day, minute: settings.notUpCheck) ? state.usualRising(settings: settings) : nil
            raiseWatchingForData(.notUp, quietStart: since, now: now, settings: settings, clock: &clock, commands: &commands,
                                 explanation: learned?.explanation)
        case .notInBed(let checkAt):
            state.bedtimeCheckedThrough = checkAt
            guard now < notInBedCheckEnds(checkAt, clock: &clock) else {
                // Overdue after downtime: that night is over, and tonight's check (if any) is less than 12 hours old.
                state.bedtimeCheckedThrough = max(checkAt, now - 12 * 3_600_000)
                return
            }
            let quietStart = quietStart(settings: settings)
            guard !state.bedOccupied, !isPaused(at: now), state.exitDoorClosedAt == nil,
                  now - quietStart >= Int64(settings.learnedFloor * 1000), state.silenceRaisedFor != quietStart,
                  !Self.inactivityKinds.contains(where: state.isRaised), let usual = state.usualBedtime(settings: settings)
            else { return }
            state.silenceRaisedFor = quietStart
            raiseWatchingForData(.inactivity, quietStart: quietStart, now: now, settings: settings, clock: &clock, commands: &commands,
                                 explanation: "Not in bed by \(clock.timeText(checkAt)). " + usual.explanation)
        case .outOfBed(let since):
            state.bedEmptySince = nil
            guard !isPaused(at: now) else { return }
            // Up just before the night window ended and busy since: an early riser starting the day, not someone
            // who got up in the night and did not come back.
            let nightOver = !settings.nightWindow.contains(minuteOfDay: clock.minuteOfDay(at: now))
            if nightOver, (state.lastActivityAt ?? .min) > since { return }
            if isAlive(at: now, settings: settings) {
                state.setRaised(.outOfBed, true)
                state.silenceRaisedFor = quietStart(settings: settings)
                commands.append(raise(.outOfBed, now: now,
                                      summary: "Out of bed since \(clock.timeText(since)) and not back for \(Self.duration(now - since))."))
            } else {
                raiseWatchingForData(.outOfBed, quietStart: since, now: now, settings: settings, clock: &clock, commands: &commands)
            }
        case .nightDoor(let openedAt):
            state.nightDoorOpenedAt = nil
            state.setRaised(.nightDoor, true)
            let door = state.nightDoorDevice.map { " (\($0))" } ?? ""
            commands.append(raise(.nightDoor, now: now, device: state.nightDoorDevice,
                                  summary: "Door opened at night at \(clock.timeText(openedAt))\(door) and no movement indoors since."))
        case .cold(let device, let since):
            commands.append(raiseTemperature(.coldHome, device: device, since: since, bound: "below \(Self.degrees(settings.coldBelow))",
                                             now: now, clock: &clock))
        case .hot(let device, let since):
            commands.append(raiseTemperature(.hotHome, device: device, since: since, bound: "above \(Self.degrees(settings.hotAbove))",
                                             now: now, clock: &clock))
        case .fridgeUnused:
            // Paused or not proved alive: look again in a full period (a routine check, never `no_data`).
            guard !isPaused(at: now), isAlive(at: now, settings: settings) else {
                state.fridgeWatchSince = now
                return
            }
            state.setRaised(.fridgeUnused, true)
            let opened = state.lastFridgeOpenAt.map { "since \(clock.dayAndTimeText($0))" } ?? "since the hub started watching"
            commands.append(raise(.fridgeUnused, now: now, summary: "Fridge not opened \(opened)."))
        }
    }

    /// `cold_home` or `hot_home`, naming the thermometer, its room and reading.
    private mutating func raiseTemperature(
        _ kind: IncidentKind, device: String, since: Int64, bound: String, now: Int64, clock: inout LocalClock
    ) -> IncidentCommand {
        state.setRaised(kind, true)
        let reading = state.devices[device]?.lastReading.map(Self.degrees) ?? "?"
        let room = state.devices[device]?.room.map { " in the \($0)" } ?? ""
        let headline = kind == .coldHome ? "Cold home" : "Hot home"
        return raise(kind, now: now, device: device, summary: "\(headline): \(reading)\(room) (\(bound) since \(clock.timeText(since))).")
    }

    /// The next learned "not in bed" check (`UsualBedtime`) after the last one evaluated, when this home has one.
    func notInBedCheck(settings: RuleSettings, clock: inout LocalClock) -> Int64? {
        guard let minute = state.usualBedtime(settings: settings)?.checkMinute(settings: settings) else { return nil }
        return clock.next(minute: DaySummary.minuteOfDay(bedtime: minute), after: state.bedtimeCheckedThrough ?? state.firstSeenAt)
    }

    /// When the night of the "not in bed" check at `checkAt` is over: 06:00 after it.
    private func notInBedCheckEnds(_ checkAt: Int64, clock: inout LocalClock) -> Int64 {
        clock.next(minute: DaySummary.minuteOfDay(bedtime: DaySummary.bedtimeWindow), after: checkAt)
    }

    /// The latest `not_up` check instant at or before `now`.
    private func latestCheck(before now: Int64, settings: RuleSettings, clock: inout LocalClock) -> Int64 {
        let today = clock.instant(day: clock.localDay(at: now), minute: settings.notUpCheck)
        return today <= now ? today : clock.instant(day: clock.localDay(at: now) - 1, minute: settings.notUpCheck)
    }

    /// Raises `kind` when the home is proved alive, `no_data` otherwise (architecture invariant 5), with the
    /// evidence: which devices reported during the quiet period.
    private mutating func raiseWatchingForData(
        _ kind: IncidentKind, quietStart: Int64, now: Int64, settings: RuleSettings, clock: inout LocalClock, commands: inout [IncidentCommand],
        explanation learnedCheck: String? = nil
    ) {
        let alive = devicesSeen(since: quietStart)
        if isAlive(at: now, settings: settings) {
            state.setRaised(kind, true)
            let evidence = alive.isEmpty ? "" : " Devices reporting meanwhile: \(Self.list(alive))."
            var explanation = learnedCheck.map { " " + $0 } ?? ""
            if learnedCheck == nil, kind == .inactivity || kind == .bathroomLong,
               let learned = learnedSilence(quietStart: quietStart, fixedDue: .max, settings: settings, clock: &clock) {
                explanation = " " + Self.explanation(learned)
            }
            commands.append(raise(kind, now: now, summary: summary(kind, quietStart: quietStart, now: now, clock: &clock) + explanation + evidence))
            if kind == .inactivity || kind == .bathroomLong { learnRaisedQuiet(at: now, settings: settings, clock: &clock) }
        } else if !state.isRaised(.noData) {
            state.setRaised(.noData, true)
            var why = "No data from the home"
            if let offline = state.gatewayOfflineSince {
                why = "The gateway reported offline at \(clock.dayAndTimeText(offline))"
            } else if let last = state.lastMessageAt {
                why += " since \(clock.dayAndTimeText(last))"
            }
            if let device = state.devices.values.max(by: { ($0.lastSeenAt, $0.id) < ($1.lastSeenAt, $1.id) }) {
                why += "; last heard from \(device.id) at \(clock.dayAndTimeText(device.lastSeenAt))"
            }
            commands.append(raise(.noData, now: now, summary: why
                + ". The hub cannot tell \(kind.rawValue.replacingOccurrences(of: "_", with: " ")) from a fault: check the gateway and sensors."))
        }
    }

    private func devicesSeen(since instant: Int64) -> [String] {
        state.devices.values.filter { $0.lastSeenAt > instant }.map(\.id).sorted()
    }

    private func summary(_ kind: IncidentKind, quietStart: Int64, now: Int64, clock: inout LocalClock) -> String {
        let last = lastActivityText(clock: &clock)
        switch kind {
        case .inactivity:
            return "No activity for \(Self.duration(now - quietStart)); \(last)."
        case .bathroomLong:
            return "In the \(state.lastActivityRoom ?? "bathroom") for \(Self.duration(now - quietStart)) with nothing since; \(last)."
        case .notUp:
            return "Not up: no activity outside the bedroom since \(clock.timeText(quietStart)); \(last)."
        case .outOfBed:
            return "Out of bed at night for \(Self.duration(now - quietStart))."
        default:
            return "\(kind.rawValue); \(last)."
        }
    }

    private func lastActivityText(clock: inout LocalClock) -> String {
        guard let at = state.lastActivityAt else { return "no activity seen yet" }
        let what = [state.lastActivityType, state.lastActivityRoom.map { "in the \($0)" }].compactMap { $0 }.joined(separator: " ")
        return "last activity \(what) at \(clock.dayAndTimeText(at))"
    }

    func raise(_ kind: IncidentKind, now: Int64, device: String? = nil, summary: String) -> IncidentCommand {
        .raise(IncidentDraft(home: home, kind: kind, device: device, summary: summary, at: Date(millisecondsSince1970: now)))
    }
}
