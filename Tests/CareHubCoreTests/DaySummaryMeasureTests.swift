@testable import CareHubCore
import Foundation
import Testing

/// What a day's summary measures for the trends (issue 12, item 4): the time up and days spent mostly away, each on a
/// manual clock with the control that shows the case is real.
@Suite struct DaySummaryMeasureTests {
    /// The summary of the local day `date` once the next day has begun.
    static func summary(_ scenario: inout RuleScenario, of date: String) throws -> DaySummary {
        let history = try #require(scenario.engine.homes["flat-1"]?.state.history)
        let day = LearnedRoutineTests.dateText(scenario.local("\(date) 12:00"))
        return try #require(history.days.first { LearnedRoutineTests.dateText(Date(millisecondsSince1970: Int64($0.day) * 86_400_000)) == day })
    }

    @Test func aWalkThroughTheHallBackToBedIsNotGettingUp() throws {
        var scenario = RoutineTrendTests.learnedScenario(start: "2026-10-01 00:00")
        LearnedRoutineTests.liveRoutine(&scenario, days: 1, from: "2026-10-01")
        // 05:05: bed, hall, toilet, hall, bed again; up at 07:30, through the hall to the kitchen.
        scenario.event(.bed, .text("empty"), room: "bedroom", device: "bed-pad", at: "2026-10-02 05:05")
        scenario.motion("hall", at: "2026-10-02 05:06")
        scenario.motion("toilet", at: "2026-10-02 05:07")
        scenario.motion("hall", at: "2026-10-02 05:12")
        scenario.event(.bed, .text("occupied"), room: "bedroom", device: "bed-pad", at: "2026-10-02 05:14")
        scenario.event(.bed, .text("empty"), room: "bedroom", device: "bed-pad", at: "2026-10-02 07:28")
        scenario.motion("hall", at: "2026-10-02 07:30")
        scenario.motion("kitchen", at: "2026-10-02 07:35")
        // The next day has no bed pad to say so: a hall walk at 05:10 and nothing for two hours, then the kitchen at 07:40.
        scenario.motion("hall", at: "2026-10-03 05:10")
        scenario.motion("kitchen", at: "2026-10-03 07:40")
        // And a hall walk confirmed by the kitchen within the hour is the time up.
        scenario.motion("hall", at: "2026-10-04 06:50")
        scenario.motion("kitchen", at: "2026-10-04 07:20")
        scenario.motion("kitchen", at: "2026-10-05 08:00")
        #expect(try Self.summary(&scenario, of: "2026-10-02").wakeMinute == 7 * 60 + 30, "back to bed at 05:14: up at 07:30")
        #expect(try Self.summary(&scenario, of: "2026-10-03").wakeMinute == 7 * 60 + 40, "nothing after the hall within the hour")
        #expect(try Self.summary(&scenario, of: "2026-10-04").wakeMinute == 6 * 60 + 50, "the hall, then the kitchen: up at 06:50")
    }

    @Test func daysAwayAreLeftOutOfTheTrends() throws {
        var scenario = RoutineTrendTests.learnedScenario(start: "2026-10-01 00:00")
        LearnedRoutineTests.liveRoutine(&scenario, days: 28, from: "2026-10-01")
        // Away for ten days from the 29th, 08:00; a neighbour looks in for a few minutes each afternoon.
        scenario.motion("hall", at: "2026-10-29 07:58")
        scenario.event(.door, .text("open"), room: "front_door", at: "2026-10-29 08:00")
        scenario.event(.door, .text("closed"), room: "front_door", at: "2026-10-29 08:01")
        var day = scenario.local("2026-10-29 00:00")
        for _ in 0..<10 {
            let date = LearnedRoutineTests.dateText(day)
            scenario.heartbeats(from: "\(date) 08:30", to: "\(date) 14:59")
            scenario.event(.door, .text("open"), room: "front_door", at: "\(date) 15:00")
            scenario.motion("kitchen", at: "\(date) 15:01")
            scenario.motion("hall", at: "\(date) 15:04")
            scenario.event(.door, .text("closed"), room: "front_door", at: "\(date) 15:05")
            scenario.heartbeats(from: "\(date) 15:30", to: "\(date) 23:59")
            day += 86_400
        }
        LearnedRoutineTests.liveRoutine(&scenario, days: 3, from: "2026-11-08")
        let history = try #require(scenario.engine.homes["flat-1"]?.state.history)
        let away = history.days.filter { !$0.wasMostlyHome }
        #expect(away.count >= 9, "the days away are counted as away: \(history.days.map(\.awayMinutes))")
        // The control: the days away have under a fifth of a usual day's activity, which compared would be a trend.
        let usual = try #require(history.days.first).activity
        #expect(away.allSatisfy { $0.activity * 5 < usual }, "\(away.map(\.activity)) against \(usual)")
        #expect(history.daysAtHome.count == history.days.count - away.count)
        #expect(!scenario.allRaised.contains { RoutineTrend.kinds.contains($0.kind) }, "\(scenario.allRaised.map(\.summary))")
    }

    @Test func daysSavedBeforeMorningVisitsWereCountedAreComparedWithoutThemSoThatAnUpgradeIsNotARise() {
        // A late riser: one visit from 23:00 to 06:00 and two after it, every night. Four weeks saved by the version before,
        // which did not count the two, then a week counted by this one.
        func night(_ index: Int, counted: Bool) -> DaySummary {
            var day = DaySummary(day: Int64(20_000 + index))
            (day.activity, day.nightVisits, day.wakeMinute) = (200, 1, 510)
            day.morningVisits = counted ? 2 : DaySummary.morningVisitsNotCounted
            return day
        }
        let upgraded = (0..<28).map { night($0, counted: false) }
        let week = (28..<35).map { night($0, counted: true) }
        #expect(RoutineTrend.nightVisitsRising.finding(recent: week, baseline: upgraded) == nil, "1 a night before and after")
        // Once every day compared counts them, the same nights are 3 a night throughout: no rise either.
        #expect(RoutineTrend.nightVisitsRising.finding(recent: week, baseline: (0..<28).map { night($0, counted: true) }) == nil)
        // The control: compared as counted (0 morning visits before), the upgrade would have been a rise of 2 a night.
        let zeroBefore = (0..<28).map { index in
            var day = night(index, counted: true)
            day.morningVisits = 0
            return day
        }
        #expect(RoutineTrend.nightVisitsRising.finding(recent: week, baseline: zeroBefore) != nil)
    }

    @Test func aDaySavedBeforeAwayMinutesReadsAsADayAtHome() throws {
        let old = try JSONDecoder().decode(DaySummary.self, from: Data("[20000,150,1,4,420,480,1]".utf8))
        #expect(old.awayMinutes == 0 && old.wasMostlyHome && old.wakeMinute == 420 && old.outings == 1)
        var away = old
        away.awayMinutes = 900
        let again = try JSONDecoder().decode(DaySummary.self, from: JSONEncoder().encode(away))
        #expect(again == away && !again.wasMostlyHome)
    }

    @Test func aHistoryIsSavedWithItsDaysPackedAndAHistorySavedAsArraysIsStillRead() throws {
        var scenario = RuleScenario(start: "2026-11-01 00:00")
        LearnedRoutineTests.liveRoutine(&scenario, days: 20, from: "2026-11-01")
        let history = try #require(scenario.engine.homes["flat-1"]?.state.history)
        #expect(history.days.count == 19 && history.usualRising != nil)
        // Extremes of every field survive the packing.
        var extreme = DaySummary(day: -3)
        (extreme.activity, extreme.nightVisits, extreme.kitchenUses, extreme.wakeMinute) = (.max, 255, 1, -1)
        (extreme.bedMinutes, extreme.outings, extreme.awayMinutes, extreme.bedtime) = (1_440, 7, 900, 719)
        extreme.morningVisits = 8
        let saved = try JSONEncoder().encode(history)
        let fields = try #require(try JSONSerialization.jsonObject(with: saved) as? [Any], "one array of fields")
        let packed = try #require(fields.first as? String, "one string, not 19 arrays")
        let bytes18 = try #require(Data(base64Encoded: String(packed.dropFirst(3))))
        #expect(packed.hasPrefix("18:") && bytes18.count == 19 * 18, "18 bytes a day, and saying so")
        #expect(try JSONDecoder().decode(DailyHistory.self, from: saved) == history)

        // As the versions that counted bedtimes saved it: 17 bytes a day, today one number shorter, no morning visits kept.
        var before = fields
        let bytes17 = stride(from: 0, to: bytes18.count, by: 18).flatMap { bytes18[$0..<($0 + 17)] }
        before[0] = "17:" + Data(bytes17).base64EncodedString()
        before[1] = Array(try #require(fields[1] as? [Any]).dropLast())
        before.removeLast()
        var withoutMorningVisits = history
        withoutMorningVisits.days = history.days.map { day in
            var day = day
            day.morningVisits = DaySummary.morningVisitsNotCounted
            return day
        }
        withoutMorningVisits.today.morningVisits = DaySummary.morningVisitsNotCounted
        #expect(try JSONDecoder().decode(DailyHistory.self, from: JSONSerialization.data(withJSONObject: before)) == withoutMorningVisits,
                "the same days, their morning visits not counted")
        var bytes: [UInt8] = []
        extreme.pack(into: &bytes)
        #expect(DaySummary(packed: bytes, at: 0) == extreme)

        // As earlier versions saved it: a keyed object, the days as arrays of numbers.
        let keys = ["days", "today", "visitsTowardTomorrow", "lastBathroomAt", "lastKitchenAt", "bedSince", "wakeCandidate",
                    "todayStartsAt", "lastRaised", "usualRising"]
        var old = Dictionary(uniqueKeysWithValues: zip(keys, before)).filter { !($0.value is NSNull) }
        old["days"] = history.days.map { day in
            [Int(day.day), Int(day.activity), Int(day.nightVisits), Int(day.kitchenUses), Int(day.wakeMinute), Int(day.bedMinutes),
             Int(day.outings), Int(day.awayMinutes)]
        }
        let rising = try #require(history.usualRising)
        old["usualRising"] = ["latestMinute": rising.latestMinute, "usualMinute": rising.usualMinute, "days": rising.days]
        let oldData = try JSONSerialization.data(withJSONObject: old)
        var notCounted = withoutMorningVisits
        notCounted.days = withoutMorningVisits.days.map { day in
            var day = day
            day.bedtime = DaySummary.bedtimeNotCounted
            return day
        }
        #expect(try JSONDecoder().decode(DailyHistory.self, from: oldData) == notCounted, "the same days, their bedtimes not counted")
        // A damaged string is a clear error, not days made up.
        var damaged = fields
        damaged[0] = "AAAA"
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DailyHistory.self, from: JSONSerialization.data(withJSONObject: damaged)) }
        // So is a day size the hub never saved; and a version that knows only 15-byte days cannot read these as days.
        var unknownSize = fields
        unknownSize[0] = "16:" + packed.dropFirst(3)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DailyHistory.self, from: JSONSerialization.data(withJSONObject: unknownSize)) }
        #expect(Data(base64Encoded: packed) == nil, "the versions before read the string as base64, and refuse it")
    }
}
