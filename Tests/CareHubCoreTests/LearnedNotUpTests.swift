import CareHubCore
import Foundation
import Testing

/// The learned `not_up` check (issue 12, deliverable 2) on a manual clock in Europe/London: a home up by 07:00 every day
/// is raised at 08:00 when the resident is not up, not at the fixed 10:00; never later than the fixed check, and not at
/// all for a home whose weeks hold a morning in bed.
@Suite struct LearnedNotUpTests {
    /// `days` days of `LearnedRoutineTests.liveRoutine` (up at 07:00) from `first`, then on `morning` the resident stirs
    /// in the bedroom at 06:30 and, with `upAt`, is in the kitchen then; heartbeats go on until noon.
    static func morning(after days: Int, from first: String = "2026-11-01", morning: String = "2026-11-22", upAt: String? = nil,
                        mode: RoutineMode = .learned, inBedUntil14On lateDay: String? = nil) -> RuleScenario {
        var settings = RuleSettings()
        settings.routineMode = mode
        var scenario = RuleScenario(start: "\(first) 00:00", settings: settings)
        if let lateDay {
            // Days up to the late one, that morning in bed until 14:30 (only the bedroom before), then the rest.
            let split = (LearnedRoutineTests.dateText(scenario.local("\(lateDay) 00:00")))
            let before = Int((scenario.local("\(split) 00:00").timeIntervalSince(scenario.local("\(first) 00:00")) / 86_400).rounded())
            LearnedRoutineTests.liveRoutine(&scenario, days: before, from: first)
            scenario.heartbeats(from: "\(lateDay) 00:00", to: "\(lateDay) 08:59")
            scenario.motion("bedroom", at: "\(lateDay) 09:00")
            scenario.heartbeats(from: "\(lateDay) 09:00", to: "\(lateDay) 14:29")
            scenario.motion("kitchen", at: "\(lateDay) 14:30")
            scenario.heartbeats(from: "\(lateDay) 14:30", to: "\(lateDay) 22:09")
            scenario.motion("bedroom", at: "\(lateDay) 22:10")
            scenario.heartbeats(from: "\(lateDay) 22:15", to: "\(lateDay) 23:59")
            let next = LearnedRoutineTests.dateText(scenario.local("\(lateDay) 00:00").addingTimeInterval(86_400 + 3_600))
            LearnedRoutineTests.liveRoutine(&scenario, days: days - before - 1, from: next)
        } else {
            LearnedRoutineTests.liveRoutine(&scenario, days: days, from: first)
        }
        scenario.heartbeats(from: "\(morning) 00:00", to: "\(morning) 06:29")
        scenario.motion("bedroom", at: "\(morning) 06:30")
        if let upAt { scenario.motion("kitchen", at: "\(morning) \(upAt)") }
        scenario.heartbeats(from: "\(morning) 06:30", to: "\(morning) 12:00")
        return scenario
    }

    @Test func aResidentUpBySevenEveryDayIsRaisedNotUpAtEightNotAtTen() throws {
        var scenario = Self.morning(after: 21)
        let raised = try #require(scenario.raised.first)
        #expect(raised.kind == .notUp)
        #expect(raised.at == scenario.local("2026-11-22 08:00"), "the latest rising of four weeks plus the 1 h floor")
        #expect(raised.summary.contains("In the last 21 days this home was up and about by 07:00 every day (usually by 07:00)."),
                "\(raised.summary)")
        // `carehub homes routine` shows the check.
        let state = try #require(scenario.engine.homes["flat-1"]?.state)
        var settings = RuleSettings()
        settings.routineMode = .learned
        #expect(RoutineSummary(state: state, settings: settings).learnedNotUpMinute == 8 * 60)
        settings.routineMode = .fixed
        #expect(RoutineSummary(state: state, settings: settings).learnedNotUpMinute == nil)
        // The control: the same morning in fixed mode waits for 10:00, and says nothing of the home's mornings.
        var fixed = Self.morning(after: 21, mode: .fixed)
        let control = try #require(fixed.raised.first)
        #expect(control.kind == .notUp)
        #expect(control.at == fixed.local("2026-11-22 10:00"))
        #expect(!control.summary.contains("up and about by"))
    }

    @Test func aLateMorningBeforeTheLearnedCheckRaisesNothingAndOneAfterItIsResolvedWhenUp() throws {
        // (Each scenario ends with one kitchen visit and quiet after it: the learned inactivity rule raises that an hour on.)
        let late = Self.morning(after: 21, upAt: "07:50")
        #expect(!late.raised.contains { $0.kind == .notUp }, "\(late.raised)")
        // Up after the learned check: raised at 08:00, resolved when the resident is about.
        var later = Self.morning(after: 21, upAt: "08:20")
        #expect(later.raised.filter { $0.kind == .notUp }.map(\.at) == [later.local("2026-11-22 08:00")])
        #expect(later.resolved.first?.kind == .notUp)
        #expect(later.resolved.first?.at == later.local("2026-11-22 08:20"))
    }

    @Test func tooFewDaysOrAMorningInBedLeavesTheFixedCheck() throws {
        var young = Self.morning(after: 12, morning: "2026-11-13")
        #expect(young.raised.first?.at == young.local("2026-11-13 10:00"), "fewer than 14 days of mornings: \(young.raised)")
        var lieIn = Self.morning(after: 21, inBedUntil14On: "2026-11-10")
        let notUps = lieIn.raised.filter { $0.kind == .notUp }.map(\.at)
        #expect(notUps == [lieIn.local("2026-11-10 10:00"), lieIn.local("2026-11-22 10:00")], "a morning in bed in its weeks: \(lieIn.raised)")
    }

    @Test func theLearnedCheckKeepsLocalTimeAcrossTheSpringChange() throws {
        // Up at 07:00 GMT, then 07:00 BST from 2027-03-28: the check stays at 08:00 local on the morning after.
        var scenario = Self.morning(after: 21, from: "2027-03-08", morning: "2027-03-29")
        let raised = try #require(scenario.raised.first)
        #expect(raised.kind == .notUp)
        #expect(raised.at == scenario.local("2027-03-29 08:00"))
        #expect(raised.at.millisecondsSince1970 == RFC3339.parseMilliseconds("2027-03-29T07:00:00Z"))
    }

    @Test func theCheckIsTheLatestRisingPlusTheFloorWithinTheFixedCheck() {
        func days(_ minutes: [Int]) -> [DaySummary] {
            minutes.enumerated().map { index, minute in
                var day = DaySummary(day: Int64(20_000 + index))
                day.wakeMinute = Int16(minute)
                day.activity = 100
                return day
            }
        }
        let settings = RuleSettings()
        let steady = UsualRising(days: days(Array(repeating: 7 * 60, count: 13) + [7 * 60 + 40]))
        #expect(steady?.latestMinute == 7 * 60 + 40)
        #expect(steady?.checkMinute(settings: settings) == 8 * 60 + 40)
        #expect(UsualRising(days: days(Array(repeating: 7 * 60, count: 13))) == nil, "13 days are too few")
        #expect(UsualRising(days: days(Array(repeating: 7 * 60, count: 20) + [-1])) == nil, "a day not up before 14:00")
        let early = UsualRising(days: days(Array(repeating: 5 * 60 + 10, count: 14)))
        #expect(early?.checkMinute(settings: settings) == 7 * 60, "never before the 06:00 'since' plus the floor")
        let late = UsualRising(days: days(Array(repeating: 9 * 60, count: 13) + [9 * 60 + 5]))
        #expect(late?.checkMinute(settings: settings) == nil, "10:05 would be after the fixed 10:00: the fixed check applies")
        // Only the last four weeks count: an old late morning has dropped out.
        let recent = UsualRising(days: days([-1] + Array(repeating: 7 * 60, count: 28)))
        #expect(recent?.days == 28)
    }
}
