@testable import CareHubCore
import Foundation
import Testing

/// The learned "not in bed" check on a manual clock in Europe/London: a home whose bed pad saw the resident settle by
/// 23:30 every night is raised at 00:30 when the resident is neither in bed nor moving, instead of at the next morning's
/// checks; never while the resident is busy, never for a home whose nights hold one without the bed, and in local time
/// across both clock changes.
@Suite struct LearnedBedtimeTests {
    /// `nights` evenings from `first`: about the home from 07:00 (kitchen, then lounge, every 15 min until 21:45; with
    /// `restAt19`, an hour's rest on the bed from 19:00), the
    /// bedroom at 22:00, on the bed pad at `bedtime(night)` minutes after 18:00 (none when nil) until 06:50; heartbeats
    /// throughout. Then on the evening after, `evening` plays after the bedroom motion at 22:00 (its heartbeats its own),
    /// with heartbeats from its end until `until` the morning after (with nil, the scenario stops there).
    static func evenings(_ nights: Int, from first: String = "2026-11-01", mode: RoutineMode = .learned, restAt19: Bool = false,
                         bedtime: (Int) -> Int? = { 270 + ($0 % 4) * 20 }, evening: (inout RuleScenario, (Int) -> String) -> Void = { _, _ in },
                         until: String? = "07:30") -> RuleScenario {
        var settings = RuleSettings()
        settings.routineMode = mode
        var scenario = RuleScenario(start: "\(first) 00:00", settings: settings)
        let start = scenario.local("\(first) 00:00")
        /// Local "date HH:MM" of minute `minute` after midnight of day `day` (beyond 24:00 on the next day).
        func at(_ day: Int, _ minute: Int) -> String {
            let date = LearnedRoutineTests.dateText(start.addingTimeInterval(Double(day + minute / 1440) * 86_400 + 43_200))
            return String(format: "%@ %02d:%02d", date, minute % 1440 / 60, minute % 60)
        }
        scenario.heartbeats(from: at(0, 0), to: at(0, 6 * 60 + 59))
        var inBed = false
        for night in 0...nights {
            if inBed { scenario.event(.bed, .text("empty"), room: "bedroom", device: "bed-pad", at: at(night, 6 * 60 + 50)) }
            inBed = false
            for minute in stride(from: 7 * 60, through: 21 * 60 + 45, by: 15) {
                scenario.motion(minute < 12 * 60 ? "kitchen" : "lounge", at: at(night, minute))
                scenario.heartbeats(from: at(night, minute), to: at(night, minute))
                if restAt19, minute == 19 * 60 || minute == 20 * 60 {
                    scenario.event(.bed, .text(minute == 19 * 60 ? "occupied" : "empty"), room: "bedroom", device: "bed-pad", at: at(night, minute))
                }
            }
            scenario.motion("bedroom", at: at(night, 22 * 60))
            if night == nights {
                evening(&scenario) { at(night, $0) }
                if let until {
                    let end = scenario.local(at(night + 1, LocalWindow.parseTime(until) ?? 7 * 60 + 30))
                    scenario.heartbeats(from: scenario.now.addingTimeInterval(300), to: end)
                }
                break
            }
            let settled = bedtime(night).map { 18 * 60 + $0 }
            if let settled {
                scenario.heartbeats(from: at(night, 22 * 60 + 5), to: at(night, settled - 1))
                scenario.event(.bed, .text("occupied"), room: "bedroom", device: "bed-pad", at: at(night, settled))
                inBed = true
            }
            scenario.heartbeats(from: at(night, (settled ?? 22 * 60) + 5), to: at(night + 1, 6 * 60 + 49))
        }
        return scenario
    }

    @Test func aResidentInBedBy2330EveryNightWhoIsNeitherInBedNorMovingIsRaisedAt0030() throws {
        // Three weeks in bed between 22:30 and 23:30; then in the bedroom at 22:00, and nothing more.
        var scenario = Self.evenings(21)
        let raised = try #require(scenario.raised.first)
        #expect(raised.kind == .inactivity)
        #expect(raised.at == scenario.local("2026-11-23 00:30"), "the latest bedtime of three weeks plus the 1 h floor: \(scenario.raised)")
        #expect(raised.summary.hasPrefix("No activity for 2 h 30 min; last activity motion in the bedroom at Sun 22 Nov 22:00."),
                "\(raised.summary)")
        #expect(raised.summary.contains("Not in bed by 00:30. In the last 21 days this home was in bed for the night by 23:30 every "
                                        + "night (usually by 22:50)."), "\(raised.summary)")
        let history = try #require(scenario.engine.homes["flat-1"]?.state.history)
        #expect(history.days.first?.bedtime == -1, "the first day's night was not seen")
        let counted: [Int16] = history.days.dropFirst().map(\.bedtime) + [history.today.bedtime]
        let played: [Int16] = (0...20).map { Int16(270 + ($0 % 4) * 20) }
        #expect(counted == played, "each night's bedtime, counted on the morning it ended")
        // `carehub homes routine` shows the usual bedtime and the check.
        let state = try #require(scenario.engine.homes["flat-1"]?.state)
        var settings = RuleSettings()
        settings.routineMode = .learned
        let summary = RoutineSummary(state: state, settings: settings)
        #expect(summary.learnedNotInBedMinute == 30 && summary.usualBedtimeMinute == 22 * 60 + 50)
        settings.routineMode = .fixed
        #expect(RoutineSummary(state: state, settings: settings).learnedNotInBedMinute == nil)
        // The control: the same evening in fixed mode is found only by the next morning's checks.
        var fixed = Self.evenings(21, mode: .fixed, until: "10:30")
        let control = try #require(fixed.raised.first)
        #expect(control.at >= fixed.local("2026-11-23 09:00"), "\(fixed.raised)")
    }

    @Test func inBedBeforeTheCheckRaisesNothingAndInBedAfterItResolvesIt() throws {
        let early = Self.evenings(21, evening: { scenario, at in
            scenario.heartbeats(from: at(22 * 60 + 5), to: at(24 * 60 + 5))
            scenario.event(.bed, .text("occupied"), room: "bedroom", device: "bed-pad", at: at(24 * 60 + 10))
        })
        #expect(early.raised.isEmpty, "in bed at 00:10, later than ever but before the check: \(early.raised)")
        var late = Self.evenings(21, evening: { scenario, at in
            scenario.heartbeats(from: at(22 * 60 + 5), to: at(24 * 60 + 40))
            scenario.event(.bed, .text("occupied"), room: "bedroom", device: "bed-pad", at: at(24 * 60 + 45))
        })
        #expect(late.raised.map(\.at) == [late.local("2026-11-23 00:30")])
        #expect(late.resolved.first?.kind == .inactivity)
        #expect(late.resolved.first?.at == late.local("2026-11-23 00:45"))
    }

    @Test func upLateAndBusyIsNotRaisedUntilTheQuietHasLastedTheFloorAndTheNightsCheckEndsAt0600() throws {
        // About the lounge every 15 min until 01:00, then quiet: raised an hour after the last movement, not at 00:30.
        var late = Self.evenings(21, evening: { scenario, at in
            for minute in stride(from: 22 * 60 + 15, through: 25 * 60, by: 15) { scenario.motion("lounge", at: at(minute)) }
        })
        let raised = try #require(late.raised.first)
        #expect(raised.kind == .inactivity && raised.at == late.local("2026-11-23 02:00"), "\(late.raised)")
        #expect(raised.summary.contains("Not in bed by 00:30."), "\(raised.summary)")
        // Busy until 05:30: the night's check is over at 06:00 and raises nothing; the morning is the fixed rules' and
        // the learned `not_up`'s.
        var allNight = Self.evenings(21, evening: { scenario, at in
            for minute in stride(from: 22 * 60 + 15, through: 29 * 60 + 30, by: 15) { scenario.motion("lounge", at: at(minute)) }
        })
        #expect(!allNight.raised.contains { $0.at < allNight.local("2026-11-23 07:00") }, "\(allNight.raised)")
    }

    @Test func aNightsCheckOverdueAfterTheHubWasDownLapsesAndTheNextNightIsCheckedAgain() throws {
        // The hub is down from 22:05 until 07:00: the 00:30 check is overdue when it comes back, and the night is over.
        var scenario = Self.evenings(21, until: nil)
        var state = try #require(scenario.engine.homes["flat-1"]?.state)
        #expect(state.usualBedtime(settings: scenario.engine.settings.settings(for: "flat-1")) != nil, "the home is checked")
        let morning = scenario.local("2026-11-23 07:00")
        let late = scenario.engine.tick(home: "flat-1", now: morning)
        #expect(!late.contains { if case .raise = $0 { return true } else { return false } }, "nothing raised late for a night that is over: \(late)")
        state = try #require(scenario.engine.homes["flat-1"]?.state)
        #expect(state.bedtimeCheckedThrough.map { $0 >= scenario.local("2026-11-23 00:30").millisecondsSince1970 } == true)
        // The next night's check is still there: tonight at 00:30.
        #expect(scenario.engine.nextDeadline(home: "flat-1").map { $0 <= scenario.local("2026-11-24 00:30") } == true)
    }

    @Test func tooFewNightsOrANightWithoutTheBedLeavesTheEveningToTheFixedRules() throws {
        var young = Self.evenings(12)
        #expect(!young.raised.contains { $0.at < young.local("2026-11-14 07:00") }, "12 nights are too few: \(young.raised)")
        // One night of three weeks asleep in the chair (the bed pad never pressed): this home's late evenings are its own.
        var chair = Self.evenings(21, bedtime: { $0 == 9 ? nil : 270 + ($0 % 4) * 20 })
        #expect(!chair.raised.contains { $0.at < chair.local("2026-11-23 07:00") }, "\(chair.raised)")
        // An hour's rest on the bed every evening at 19:00 is not settling for the night: the check stays at 00:30.
        var rests = Self.evenings(21, restAt19: true)
        let state = try #require(rests.engine.homes["flat-1"]?.state)
        #expect(state.history?.usualBedtime?.latestMinute == 330 && state.history?.usualBedtime?.usualMinute == 290)
        #expect(rests.raised.first?.at == rests.local("2026-11-23 00:30"), "\(rests.raised)")
    }

    @Test func theCheckKeepsLocalTimeAcrossBothClockChanges() throws {
        // In bed between 00:20 and 00:40: the check is at 01:40, which the autumn change repeats and the spring one skips.
        let afterMidnight: (Int) -> Int? = { 380 + ($0 % 3) * 10 }
        let autumn = Self.evenings(21, from: "2026-10-03", bedtime: afterMidnight)
        let first = try #require(autumn.raised.first)
        #expect(first.at.millisecondsSince1970 == RFC3339.parseMilliseconds("2026-10-25T00:40:00Z"), "01:40 BST, its first occurrence: \(autumn.raised)")
        #expect(first.summary.contains("Not in bed by 01:40."), "\(first.summary)")
        let spring = Self.evenings(21, from: "2027-03-06", bedtime: afterMidnight)
        let skipped = try #require(spring.raised.first)
        #expect(skipped.at.millisecondsSince1970 == RFC3339.parseMilliseconds("2027-03-28T01:00:00Z"), "02:00 BST, the first minute after the gap: \(spring.raised)")
        let state = try #require(spring.engine.homes["flat-1"]?.state)
        #expect(state.history?.usualBedtime?.latestMinute == 400, "bedtimes in local time on both sides of the change")
    }

    @Test func aNightSettledBeforeMidnightCountsFromTheDayItBelongsTo() {
        // Each evening on the pad from 19:00 until after 21:00, up again before midnight: the night is known when the day
        // it belongs to begins, and counts from then, as one learned the morning after does.
        let nightWindow = LocalWindow(start: 23 * 60, end: 6 * 60)
        var history = DailyHistory(day: 20_000, startingAt: 20_000 * 86_400_000)
        for day in Int64(20_000)..<20_016 {
            history.noteActivity(at: day * 86_400_000 + 36_000_000, minute: 600, place: .kitchen, nightWindow: nightWindow)
            history.noteSettled(night: day + 1, bedtime: 60)
            _ = history.roll(to: day + 1, startingAt: (day + 1) * 86_400_000, awaySince: nil)
        }
        #expect(history.today.bedtime == 60)
        #expect(history.usualBedtime?.days == 16, "15 counted days after the first, and today: \(String(describing: history.usualBedtime))")
    }

    @Test func theCheckIsTheLatestBedtimePlusTheFloorBefore0600() {
        func days(_ bedtimes: [Int]) -> [DaySummary] {
            bedtimes.enumerated().map { index, minute in
                var day = DaySummary(day: Int64(20_000 + index))
                day.bedtime = Int16(minute)
                day.activity = 100
                return day
            }
        }
        let settings = RuleSettings()
        let steady = UsualBedtime(days: days(Array(repeating: 270, count: 13) + [330]))
        #expect(steady?.latestMinute == 330 && steady?.usualMinute == 270)
        #expect(steady?.checkMinute(settings: settings) == 390)
        #expect(UsualBedtime(days: days(Array(repeating: 270, count: 13))) == nil, "13 nights are too few")
        #expect(UsualBedtime(days: days(Array(repeating: 270, count: 20) + [-1])) == nil, "a night not settled in bed")
        #expect(UsualBedtime(days: days(Array(repeating: 660, count: 14)))?.checkMinute(settings: settings) == nil,
                "05:00 plus the floor is 06:00: the night is over")
        #expect(UsualBedtime(days: days([-1] + Array(repeating: 270, count: 28)))?.days == 28, "only the last four weeks count")
        // Days saved before bedtimes were counted are neither: an upgraded home is checked after 14 nights counted.
        let notCounted = Int(DaySummary.bedtimeNotCounted)
        #expect(UsualBedtime(days: days(Array(repeating: notCounted, count: 21) + Array(repeating: 270, count: 14)))?.days == 14)
        #expect(UsualBedtime(days: days(Array(repeating: notCounted, count: 22) + Array(repeating: 270, count: 13))) == nil)
        #expect(DaySummary.bedtime(minuteOfDay: 18 * 60) == 0)
        #expect(DaySummary.bedtime(minuteOfDay: 23 * 60 + 59) == 359)
        #expect(DaySummary.bedtime(minuteOfDay: 0) == 360)
        #expect(DaySummary.bedtime(minuteOfDay: 5 * 60 + 59) == 719)
        #expect(DaySummary.bedtime(minuteOfDay: 6 * 60) == nil && DaySummary.bedtime(minuteOfDay: 17 * 60 + 59) == nil)
    }
}
