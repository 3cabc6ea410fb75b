import Foundation

/// The learned half of the inactivity rules (`RoutineMode.learned`): each quiet that ends is learned in its context,
/// and a silence is raised once this home's own history makes it implausible — never later than the fixed
/// inactivity thresholds, never earlier than `RuleSettings.learnedFloor`.
///
/// Where the fixed rules assume trouble after 45 min in the bathroom, a learned home is judged by its own quiets after
/// the bathroom at that time of day: a resident who goes back to bed unseen after a night-time visit is not raised
/// every night, while a quiet this home has never shown there is raised as soon as it becomes implausible.
extension HomeRules {
    /// A silence judged by the learned routine: when it becomes an incident, of which kind, and why.
    struct LearnedSilence {
        var due: Int64
        var kind: IncidentKind
        var context: QuietContext
        var judgement: QuietJudgement
        /// The front-door floor (milliseconds) when it, not the home's history, set how long the quiet may last.
        var entranceFloor: Int64?
    }

    /// Learns the quiet that activity at `eventTime` ends, when it is one a routine may learn from: it began at an
    /// activity, in a run of data, with the resident at home and no visit or holiday, and nothing was raised for it.
    mutating func learnQuiet(endingAt eventTime: Int64, settings: RuleSettings, clock: inout LocalClock) {
        guard state.silenceRaisedFor != state.lastActivityAt, !Self.inactivityKinds.contains(where: state.isRaised) else { return }
        learnQuiet(lasting: eventTime, settings: settings, clock: &clock)
    }

    /// Learns the quiet judged now, at `now`, as an incident is raised for it: a quiet that lasted at least this long.
    /// Whatever ends it later (the resident, or the people who came to help) is not learned, so an emergency is never
    /// learned as normal, while a home raised for what it often does still learns that its quiets there run this long,
    /// and the next limit there is at least `LearnedRoutine.marginOverLongest` beyond it.
    mutating func learnRaisedQuiet(at now: Int64, settings: RuleSettings, clock: inout LocalClock) {
        learnQuiet(lasting: now, settings: settings, clock: &clock)
    }

    private mutating func learnQuiet(lasting end: Int64, settings: RuleSettings, clock: inout LocalClock) {
        guard settings.routineMode == .learned, let start = state.lastActivityAt, end > start,
              let raw = state.lastActivityPlace, let place = QuietContext.Place(rawValue: raw),
              quietStart(settings: settings) == start, state.awaySince == nil, !isPaused(at: start), !isPaused(at: end)
        else { return }
        let context = QuietContext(place: place, part: QuietContext.DayPart(minuteOfDay: clock.minuteOfDay(at: start)))
        let day = clock.localDay(at: start)
        if state.routine == nil { state.routine = LearnedRoutine(startDay: day) }
        state.routine?.learn(quiet: end - start, in: context, day: day)
    }

    /// The silence that began at `quietStart` as the learned routine judges it, or nil where the fixed rules judge it
    /// (fixed mode, a routine not learned yet, a quiet that began with no activity, a context with too few quiets).
    func learnedSilence(quietStart: Int64, fixedDue: Int64, settings: RuleSettings, clock: inout LocalClock) -> LearnedSilence? {
        guard state.usesRoutine(settings: settings), let routine = state.routine, state.lastActivityAt == quietStart,
              let raw = state.lastActivityPlace, let place = QuietContext.Place(rawValue: raw)
        else { return nil }
        let context = QuietContext(place: place, part: QuietContext.DayPart(minuteOfDay: clock.minuteOfDay(at: quietStart)))
        guard let judgement = routine.judgement(for: context) else { return nil }
        let minutes = judgement.raisedAfterMinutes(in: context, settings: settings)
        let learnedDue = quietStart + Int64(minutes * 60_000)
        if place == .bathroom {
            // The bathroom's own fixed limit stays its ceiling too (contract section 3: never later than the fixed rules).
            let due = min(fixedDue, learnedDue, quietStart + Int64(settings.bathroomAfter * 1000))
            return LearnedSilence(due: due, kind: .bathroomLong, context: context, judgement: judgement)
        }
        // Like the fixed rule, inactivity is judged by day: the learned limit applies to a quiet that begins inside the
        // day window and reaches it before the window closes. A quiet that begins later, or outlasts the evening, is
        // most often sleep (an earlier night than usual, a return to bed the bedroom sensor missed), which the home's
        // evening and night quiets cannot tell from a fall; the fixed rules, `not_up` and `out_of_bed` watch it.
        let day = clock.localDay(at: quietStart)
        let opens = clock.instant(day: day, minute: settings.dayWindow.start)
        let closes = clock.instant(day: day, minute: settings.dayWindow.end)
        guard quietStart >= opens, learnedDue <= closes else { return nil }
        // Only the front door's floor lifts the limit above both the home's own and the general floor.
        let floored = minutes > max(judgement.plausibleMinutes, settings.learnedFloor / 60)
        return LearnedSilence(due: min(fixedDue, learnedDue), kind: .inactivity, context: context, judgement: judgement,
                              entranceFloor: floored ? Int64(minutes * 60_000) : nil)
    }

    /// The numbers behind a learned silence, for care staff: "In the last four weeks this home was never quiet longer
    /// than about 41 min after kitchen activity in the morning (usually under 8 min)."
    static func explanation(_ silence: LearnedSilence) -> String {
        let longest = duration(Int64(silence.judgement.longestMinutes * 60_000))
        let usual = duration(Int64(silence.judgement.usualMinutes * 60_000))
        let floor = silence.entranceFloor.map { " After the front door the hub waits at least \(duration($0)): the resident may have gone out." }
        return "In the last four weeks this home was never quiet longer than about \(longest) \(silence.context.place.phrase) "
            + "\(silence.context.part.phrase) (usually under \(usual))." + (floor ?? "")
    }

    static let inactivityKinds: [IncidentKind] = [.inactivity, .bathroomLong, .notUp, .outOfBed, .noData]

    /// Counts an activity of `type` (with `value`) at `eventTime` in `place` into the day's summary; the first activity of a
    /// new local day ends the last one and raises the trends the weeks now show (`RoutineTrend`), at `receivedAt`.
    mutating func countDay(_ type: EventType, value: String?, place: QuietContext.Place, at eventTime: Int64, receivedAt: Int64,
                           settings: RuleSettings, clock: inout LocalClock, commands: inout [IncidentCommand]) {
        guard settings.routineMode == .learned else { return }
        let day = clock.localDay(at: eventTime)
        let start = clock.instant(day: day, minute: 0)
        if state.history == nil { state.history = DailyHistory(day: day, startingAt: start) }
        guard let today = state.history?.today.day, day >= Int64(today) else { return }
        let awaySince = state.awaySince
        for found in state.history?.roll(to: day, startingAt: start, awaySince: awaySince) ?? [] {
            commands.append(raise(found.trend.kind, now: receivedAt, summary: found.summary))
        }
        state.history?.noteActivity(at: eventTime, minute: clock.minuteOfDay(at: eventTime), place: place, nightWindow: settings.nightWindow)
        if type == .bed, let value {
            if value != "occupied", let since = state.history?.bedSince, eventTime - since >= Int64(DaySummary.settledStayMinutes) * 60_000,
               let bedtime = DaySummary.bedtime(minuteOfDay: clock.minuteOfDay(at: since)) {
                // Settled for the night: the night is the one whose morning follows the evening the stay began in.
                let startDay = clock.localDay(at: since)
                state.history?.noteSettled(night: Int(bedtime) + DaySummary.bedtimeFrom >= 1440 ? startDay : startDay + 1, bedtime: bedtime)
            }
            state.history?.noteBed(occupied: value == "occupied", at: eventTime)
        }
    }
}

extension HomeRules {
    /// Whether the resident is known to be at home at `now`: data coming in, no away, holiday or visit, and no exit door
    /// closed that might yet turn out to have been a departure.
    public func isAtHome(at now: Int64, settings: RuleSettings) -> Bool {
        isAlive(at: now, settings: settings) && !isPaused(at: now) && state.exitDoorClosedAt == nil
    }
}

extension RuleSettingsBook {
    /// The same settings with every home in `mode`.
    public func withRoutineMode(_ mode: RoutineMode) -> RuleSettingsBook {
        var book = self
        book.defaults.routineMode = mode
        for home in book.homes.keys { book.homes[home]?.routineMode = mode }
        return book
    }
}

extension HomeRuleState {
    /// Whether the home's learned routine is in use: learned mode, and `RuleSettings.learningDays` learned.
    func usesRoutine(settings: RuleSettings) -> Bool {
        settings.routineMode == .learned && routine?.isReady(days: settings.learningDays) == true
    }

    /// When this home is usually up, for the learned `not_up` check: a routine in use, and a usual rising (`UsualRising`) in
    /// its counted days.
    func usualRising(settings: RuleSettings) -> UsualRising? {
        usesRoutine(settings: settings) ? history?.usualRising : nil
    }

    /// When this home usually settles in bed, for the learned "not in bed" check: a routine in use, and a usual bedtime
    /// (`UsualBedtime`) in its counted days.
    func usualBedtime(settings: RuleSettings) -> UsualBedtime? {
        usesRoutine(settings: settings) ? history?.usualBedtime : nil
    }
}
