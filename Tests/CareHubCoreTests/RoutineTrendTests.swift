import CareHubCore
import Foundation
import Testing

/// Trends of a learned routine (issue 12, item 4) on a manual clock: slow changes raised as routine incidents with the
/// numbers behind them, once, and never for a home whose routine holds steady.
@Suite struct RoutineTrendTests {
    /// `days` of the steady routine of `LearnedRoutineTests`, each night with `visits(day)` toilet visits from 02:00, an
    /// hour apart.
    static func nights(_ scenario: inout RuleScenario, days: Int, from first: String, visits: (Int) -> Int) {
        var day = scenario.local("\(first) 00:00")
        for index in 0..<days {
            let date = LearnedRoutineTests.dateText(day)
            for visit in 0..<visits(index) {
                scenario.motion("toilet", at: String(format: "%@ %02d:05", date, 2 + visit))
            }
            LearnedRoutineTests.liveRoutine(&scenario, days: 1, from: date)
            day += 86_400
        }
    }

    static func learnedScenario(start: String, mode: RoutineMode = .learned) -> RuleScenario {
        var settings = RuleSettings()
        settings.routineMode = mode
        return RuleScenario(start: start, settings: settings)
    }

    @Test func nightVisitsTrebledForAWeekAreRaisedOnceWithTheirNumbers() throws {
        var scenario = Self.learnedScenario(start: "2026-10-01 00:00")
        Self.nights(&scenario, days: 28, from: "2026-10-01") { _ in 1 }
        #expect(!scenario.allRaised.contains { RoutineTrend.kinds.contains($0.kind) }, "a steady month raises no trend")
        Self.nights(&scenario, days: 21, from: "2026-10-29") { _ in 3 }
        let trends = scenario.allRaised.filter { RoutineTrend.kinds.contains($0.kind) }
        let first = try #require(trends.first)
        #expect(trends.count == 1, "raised once, not every week while it lasts: \(trends.map(\.at))")
        #expect(first.kind == .nightVisitsRising)
        #expect(first.at <= scenario.local("2026-11-05 08:00"), "within a week of the change")
        #expect(first.summary.hasPrefix("Night toilet visits: "), "\(first.summary)")
        #expect(first.summary.contains(" a night this week, 1.0 over the previous "), "\(first.summary)")
        #expect(first.kind.defaultPriority == .routine)
    }

    @Test func aRiseTooSmallForOneNoisyWeekIsFoundOverTwo() throws {
        var scenario = Self.learnedScenario(start: "2026-10-01 00:00")
        // Four weeks of 0, 1 or 2 visits a night (1.0 on average, a spread of 0.8), then 2 every night: one week of it is
        // under three standard errors of the difference (2.9, the baseline's own error counted), two weeks are over (3.5).
        Self.nights(&scenario, days: 28, from: "2026-10-01") { [0, 1, 2][$0 % 3] }
        Self.nights(&scenario, days: 7, from: "2026-10-29") { _ in 2 }
        #expect(!scenario.allRaised.contains { RoutineTrend.kinds.contains($0.kind) }, "one week is not enough: \(scenario.allRaised.map(\.summary))")
        Self.nights(&scenario, days: 14, from: "2026-11-05") { _ in 2 }
        let trends = scenario.allRaised.filter { RoutineTrend.kinds.contains($0.kind) }
        let first = try #require(trends.first, "a fortnight of it is a trend")
        #expect(trends.count == 1, "\(trends.map(\.summary))")
        #expect(first.kind == .nightVisitsRising)
        #expect(first.summary.contains(" a night over the last 2 weeks, 1.0 over the previous "), "\(first.summary)")
    }

    @Test func aVisitAfterSixFromWhichTheResidentWentBackToBedCountsForTheNight() throws {
        var scenario = Self.learnedScenario(start: "2026-10-01 00:00")
        LearnedRoutineTests.liveRoutine(&scenario, days: 1, from: "2026-10-01")
        scenario.motion("toilet", at: "2026-10-02 03:00")
        scenario.motion("toilet", at: "2026-10-02 06:10")   // back to bed: up nearly two hours later
        scenario.motion("bedroom", at: "2026-10-02 06:15")
        scenario.motion("toilet", at: "2026-10-02 07:40")   // the morning's wash, 20 min before getting up
        LearnedRoutineTests.liveRoutine(&scenario, days: 1, from: "2026-10-02", risingAt: 8 * 60)
        scenario.motion("toilet", at: "2026-10-03 06:30")   // up 30 min later: the morning's
        LearnedRoutineTests.liveRoutine(&scenario, days: 1, from: "2026-10-03")
        scenario.motion("kitchen", at: "2026-10-04 08:00")
        let days = try #require(scenario.engine.homes["flat-1"]?.state.history?.days.suffix(2))
        #expect(days.map(\.wakeMinute) == [8 * 60, 7 * 60])
        #expect(days.map(\.nightVisits) == [1, 0], "from 23:00 to 06:00: 03:00 alone")
        #expect(days.map(\.morningVisits) == [1, 0], "06:10, not 07:40; not 06:30 with the kitchen at 07:00")
        #expect(days.map(\.nightVisitsUntilUp) == [2, 0])
    }

    @Test func aLateRiserWhoseVisitsRiseAfterSixIsRaised() throws {
        // Up at 08:30 every day; one visit at 03:05 a night for four weeks, then two more at 06:15 and 07:05, back to bed
        // after each. From 23:00 to 06:00 alone the nights look the same.
        var scenario = Self.learnedScenario(start: "2026-10-01 00:00")
        var day = scenario.local("2026-10-01 00:00")
        for index in 0..<42 {
            let date = LearnedRoutineTests.dateText(day)
            scenario.motion("toilet", at: "\(date) 03:05")
            if index >= 28 {
                scenario.motion("toilet", at: "\(date) 06:15")
                scenario.motion("toilet", at: "\(date) 07:05")
            }
            LearnedRoutineTests.liveRoutine(&scenario, days: 1, from: date, risingAt: 8 * 60 + 30)
            day += 86_400
        }
        let trends = scenario.allRaised.filter { RoutineTrend.kinds.contains($0.kind) }
        let first = try #require(trends.first, "\(scenario.engine.homes["flat-1"]?.state.history?.days.map(\.morningVisits) ?? [])")
        #expect(trends.count == 1 && first.kind == .nightVisitsRising, "\(trends.map(\.summary))")
        #expect(first.at <= scenario.local("2026-11-05 08:00"), "within a week of the change")
        #expect(first.summary.contains(" a night this week, 1.0 over the previous "), "\(first.summary)")
    }

    @Test func aHomeOnTheFixedRulesCountsNoDaysAndRaisesNoTrend() {
        var scenario = Self.learnedScenario(start: "2026-10-01 00:00", mode: .fixed)
        Self.nights(&scenario, days: 28, from: "2026-10-01") { _ in 1 }
        Self.nights(&scenario, days: 14, from: "2026-10-29") { _ in 3 }
        #expect(!scenario.allRaised.contains { RoutineTrend.kinds.contains($0.kind) })
        #expect(scenario.engine.homes["flat-1"]?.state.history == nil)
    }

    @Test func aVisitJustBeforeMidnightCountsForTheNightItBegins() throws {
        var scenario = Self.learnedScenario(start: "2026-10-01 00:00")
        LearnedRoutineTests.liveRoutine(&scenario, days: 1, from: "2026-10-01")
        scenario.motion("toilet", at: "2026-10-01 23:30")
        scenario.motion("toilet", at: "2026-10-01 23:35")   // the same visit: under 10 min later
        scenario.motion("toilet", at: "2026-10-02 03:00")
        scenario.motion("bedroom", at: "2026-10-02 06:30")  // not up: still the bedroom
        scenario.motion("toilet", at: "2026-10-02 06:40")   // not up either: a visit to the toilet
        LearnedRoutineTests.liveRoutine(&scenario, days: 1, from: "2026-10-02")
        scenario.motion("kitchen", at: "2026-10-03 08:00")
        let history = try #require(scenario.engine.homes["flat-1"]?.state.history)
        let day = try #require(history.days.last)
        #expect(day.nightVisits == 2, "23:30 (with 23:35) and 03:00 belong to the night ending on the 2nd")
        #expect(day.wakeMinute == 7 * 60, "first about the home at 07:00, not at the 06:40 toilet visit")
        #expect(day.kitchenUses > 0)
    }

    @Test func aRoutineThatHoldsSteadyForSixWeeksRaisesNoTrend() {
        var scenario = Self.learnedScenario(start: "2026-10-01 00:00")
        Self.nights(&scenario, days: 42, from: "2026-10-01") { $0 % 3 == 0 ? 2 : 1 }
        #expect(!scenario.allRaised.contains { RoutineTrend.kinds.contains($0.kind) }, "\(scenario.allRaised.map(\.summary))")
    }
}
