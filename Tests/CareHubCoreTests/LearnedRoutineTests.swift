import CareHubCore
import Foundation
import Testing

/// Learned routines (issue 12) on a manual clock in Europe/London: a home's own quiets make a silence implausible
/// sooner than the fixed thresholds, never later, never below the floor, and only once enough days are learned.
@Suite struct LearnedRoutineTests {
    /// Days of a steady routine from `first` (a local date): up at 07:00, kitchen and lounge activity every 15 min until
    /// 22:00, then bed; the lounge thermometer's heartbeat every 30 min all day long. With `napHours`, a nap in the lounge
    /// from 13:00 with no activity until it ends; with `hallVisits`, the hall at 08:05, 09:05 and 10:05.
    static func liveRoutine(_ scenario: inout RuleScenario, days: Int, from first: String, napHours: Int = 0, hallVisits: Bool = false,
                            eveningHallVisits: Bool = false, risingAt rising: Int = 7 * 60) {
        var day = scenario.local("\(first) 00:00")
        for _ in 0..<days {
            let date = Self.dateText(day)
            scenario.heartbeats(from: "\(date) 00:00", to: String(format: "%@ %02d:%02d", date, (rising - 1) / 60, (rising - 1) % 60))
            var minute = rising
            while minute <= 22 * 60 {
                let time = String(format: "%@ %02d:%02d", date, minute / 60, minute % 60)
                if napHours > 0, (13 * 60 + 15)..<(13 * 60 + 15 + napHours * 60) ~= minute {
                    scenario.heartbeats(from: time, to: time)
                } else {
                    scenario.motion(minute < 12 * 60 ? "kitchen" : "lounge", at: time)
                    scenario.heartbeats(from: time, to: time)
                }
                if hallVisits, minute % 60 == 0, (8 * 60)...(10 * 60) ~= minute {
                    scenario.motion("hall", at: String(format: "%@ %02d:05", date, minute / 60))
                }
                if eveningHallVisits, minute % 60 == 0, (19 * 60)...(21 * 60) ~= minute {
                    scenario.motion("hall", at: String(format: "%@ %02d:05", date, minute / 60))
                }
                minute += 15
            }
            scenario.motion("bedroom", at: "\(date) 22:10")
            scenario.heartbeats(from: "\(date) 22:15", to: "\(date) 23:59")
            day += 86_400
        }
    }

    static func dateText(_ date: Date) -> String {
        var clock = LocalClock(identifier: "Europe/London")!
        let millis = date.millisecondsSince1970
        let day = clock.localDay(at: millis)
        let civil = Date(millisecondsSince1970: day * 86_400_000)
        return String(RFC3339.format(civil).prefix(10))
    }

    /// After `days` of routine, the resident is last seen in the kitchen at 10:00 on `collapseDay`; heartbeats go on.
    static func collapse(days: Int, mode: RoutineMode = .learned, collapseDay: String = "2026-11-15",
                         from first: String = "2026-11-01") -> RuleScenario {
        var settings = RuleSettings()
        settings.routineMode = mode
        var scenario = RuleScenario(start: "\(first) 00:00", settings: settings)
        liveRoutine(&scenario, days: days, from: first)
        scenario.heartbeats(from: "\(collapseDay) 00:00", to: "\(collapseDay) 06:59")
        var minute = 7 * 60
        while minute <= 10 * 60 {
            scenario.motion("kitchen", at: String(format: "%@ %02d:%02d", collapseDay, minute / 60, minute % 60))
            minute += 15
        }
        scenario.heartbeats(from: "\(collapseDay) 10:00", to: "\(collapseDay) 16:00")
        return scenario
    }

    @Test func aQuietFarBeyondWhatThisHomeDoesIsRaisedWithinTheHourNotAfterFour() throws {
        var scenario = Self.collapse(days: 14)
        let raised = try #require(scenario.raised.first)
        #expect(raised.kind == .inactivity)
        #expect(raised.at >= scenario.local("2026-11-15 11:00"), "never before the floor of 1 h")
        #expect(raised.at <= scenario.local("2026-11-15 11:15"), "about an hour, since this home is never quiet 15 min after the kitchen")
        #expect(raised.summary.contains("In the last four weeks this home was never quiet longer than about 15 min after kitchen activity in the morning"),
                "\(raised.summary)")
    }

    /// After 14 days of routine, on 2026-11-15 the resident keeps the routine until `stop` (a local time), is last seen
    /// in `room` then, and nothing but heartbeats follows until noon the next day. With `hallVisits`, every morning of
    /// the routine has a visit to the hall at 08:05, 09:05 and 10:05, after which the kitchen follows within ten minutes.
    static func lastSeen(in room: String, at stop: String, hallVisits: Bool = false, eveningHallVisits: Bool = false) -> RuleScenario {
        var scenario = RuleScenario(start: "2026-11-01 00:00", settings: RuleSettings())
        liveRoutine(&scenario, days: 14, from: "2026-11-01", hallVisits: hallVisits, eveningHallVisits: eveningHallVisits)
        scenario.heartbeats(from: "2026-11-15 00:00", to: "2026-11-15 06:59")
        let stopMinute = (Int(stop.prefix(2)) ?? 0) * 60 + (Int(stop.suffix(2)) ?? 0)
        var minute = 7 * 60
        while minute < stopMinute {
            scenario.motion(minute < 12 * 60 ? "kitchen" : "lounge", at: String(format: "2026-11-15 %02d:%02d", minute / 60, minute % 60))
            minute += 15
        }
        scenario.motion(room, at: "2026-11-15 \(stop)")
        scenario.heartbeats(from: "2026-11-15 \(stop)", to: "2026-11-16 12:00")
        return scenario
    }

    @Test func aQuietAfterTheFrontDoorWaitsForTheEntranceFloorSinceTheResidentMayHaveGoneOut() throws {
        var hall = Self.lastSeen(in: "hall", at: "10:10", hallVisits: true)
        let raised = try #require(hall.raised.first)
        #expect(raised.at == hall.local("2026-11-15 12:10"), "2 h (learned_entrance_floor_minutes), however quickly this home moves on from the hall")
        #expect(raised.summary.contains("In the last four weeks"), "\(raised.summary)")
        #expect(raised.summary.contains("After the front door the hub waits at least 2 h 00 min: the resident may have gone out."),
                "\(raised.summary)")
        // The control: the same morning ending in the kitchen is raised within the hour.
        var kitchen = Self.lastSeen(in: "kitchen", at: "10:10", hallVisits: true)
        #expect(try #require(kitchen.raised.first).at <= kitchen.local("2026-11-15 11:25"))
    }

    @Test func anEveningQuietAfterTheHallIsRaisedTheSameEveningNotTheNextMorning() throws {
        // A collapse in the hall at 19:20: the fixed rules' 4 h would end after the day window, so they wait for the 12 h.
        var evening = Self.lastSeen(in: "hall", at: "19:20", eveningHallVisits: true)
        let raised = try #require(evening.raised.first)
        #expect(raised.kind == .inactivity)
        #expect(raised.at == evening.local("2026-11-15 21:20"), "\(raised)")
        // The control: the fixed rules alone wait until 07:20 the next day.
        var settings = RuleSettings()
        settings.routineMode = .fixed
        var fixed = RuleScenario(start: "2026-11-15 18:00", settings: settings)
        fixed.heartbeats(from: "2026-11-15 18:00", to: "2026-11-15 18:59")
        fixed.motion("kitchen", at: "2026-11-15 19:00")
        fixed.motion("hall", at: "2026-11-15 19:20")
        fixed.heartbeats(from: "2026-11-15 19:20", to: "2026-11-16 12:00")
        #expect(try #require(fixed.raised.first).at == fixed.local("2026-11-16 07:20"), "\(fixed.raised)")
    }

    @Test func aQuietThatWouldOutlastTheEveningIsLeftToTheFixedRulesAsLikelySleep() throws {
        // Dozing off in the lounge at 22:15 (the home's lounge quiets in the evening last 15 min): an earlier night than
        // usual, not raised by the learned rule; the fixed day-window rule and not_up watch the morning.
        var late = Self.lastSeen(in: "lounge", at: "22:15")
        #expect(late.raised.allSatisfy { $0.at >= late.local("2026-11-16 07:00") }, "\(late.raised)")
        // The control: the same silence from 20:30 is raised within the evening.
        var earlier = Self.lastSeen(in: "lounge", at: "20:30")
        let raised = try #require(earlier.raised.first)
        #expect(raised.kind == .inactivity)
        #expect(raised.at <= earlier.local("2026-11-15 21:45"), "\(raised)")
    }

    @Test func beforeItsLearningDaysAHomeIsJudgedByTheFixedThresholds() throws {
        var scenario = Self.collapse(days: 5, collapseDay: "2026-11-06")
        let raised = try #require(scenario.raised.first)
        #expect(raised.at == scenario.local("2026-11-06 14:00"), "4 h inside the day window, as the fixed rules say")
        #expect(!raised.summary.contains("four weeks"))
    }

    @Test func aHomeInFixedModeIgnoresItsRoutine() throws {
        var scenario = Self.collapse(days: 14, mode: .fixed)
        let raised = try #require(scenario.raised.first)
        #expect(raised.at == scenario.local("2026-11-15 14:00"))
        #expect(scenario.engine.homes["flat-1"]?.state.routine == nil, "fixed mode learns nothing and costs no memory")
    }

    @Test func aLearnedLimitBeyondTheFixedThresholdWaitsNoLongerThanIt() throws {
        // Five-hour afternoon naps in the lounge every day: beyond the fixed 4 h, which raise each of them in both modes.
        var raisedAt: [RoutineMode: [Date]] = [:]
        for mode in RoutineMode.allCases {
            var settings = RuleSettings()
            settings.routineMode = mode
            var scenario = RuleScenario(start: "2026-11-01 00:00", settings: settings)
            Self.liveRoutine(&scenario, days: 21, from: "2026-11-01", napHours: 5)
            raisedAt[mode] = scenario.raised.map(\.at)
            #expect(scenario.raised.count == 21)
            #expect(scenario.raised.last?.at == scenario.local("2026-11-21 17:00"), "the last activity at 13:00 plus the fixed 4 h")
        }
        #expect(raisedAt[.learned] == raisedAt[.fixed], "learned raises no nap later than the fixed rules")
    }

    @Test func aRaisedQuietIsLearnedOnlyAsLongAsItWasWhenRaised() throws {
        var scenario = Self.collapse(days: 14)
        // Found and helped at 15:00: the people who came are the next activity, and the 5 h are not learned as normal.
        scenario.motion("kitchen", at: "2026-11-15 15:00")
        let after = try #require(scenario.engine.homes["flat-1"]?.state.routine)
        let context = QuietContext(place: .kitchen, part: .morning)
        let longest = try #require(after.judgement(for: context)?.longestMinutes)
        #expect(longest < 90, "learned up to the raise (1 h), not to the 5 h that followed: \(longest) min")
        #expect(longest > 57, "the hour it lasted until raised is learned: \(longest) min")
    }

    @Test func theRoutineFollowsLocalTimeAcrossTheSpringChange() throws {
        // Learned from 2026-03-15 across the change of 2026-03-29; the collapse is on the change day itself.
        var scenario = Self.collapse(days: 14, collapseDay: "2026-03-29", from: "2026-03-15")
        let raised = try #require(scenario.raised.first)
        #expect(raised.at >= scenario.local("2026-03-29 11:00"), "10:00 BST plus the floor, not an hour off")
        #expect(raised.at <= scenario.local("2026-03-29 11:15"))
        #expect(raised.summary.contains("in the morning"))
    }

    @Test func aHomeThatTakesUpAfternoonNapsStopsBeingRaisedForThem() throws {
        var settings = RuleSettings()
        settings.routineMode = .learned
        var scenario = RuleScenario(start: "2026-10-01 00:00", settings: settings)
        Self.liveRoutine(&scenario, days: 14, from: "2026-10-01")
        #expect(scenario.raised.isEmpty)
        // From 15 October the resident naps in the lounge every afternoon.
        Self.liveRoutine(&scenario, days: 35, from: "2026-10-15", napHours: 3)
        let naps = scenario.raised.filter { $0.kind == .inactivity }
        let lastWeek = naps.filter { $0.at >= scenario.local("2026-11-12 00:00") }
        #expect(!naps.isEmpty, "the first naps are implausible for this home and raised")
        #expect(lastWeek.isEmpty, "within four weeks the naps are its routine: \(naps.map(\.at))")
    }

    @Test func aHomeThatRelearnsIsJudgedByTheFixedThresholdsUntilItHasLearnedAgain() throws {
        var settings = RuleSettings()
        settings.routineMode = .learned
        var scenario = RuleScenario(start: "2026-11-01 00:00", settings: settings)
        Self.liveRoutine(&scenario, days: 14, from: "2026-11-01")
        scenario.engine.relearn(home: "flat-1")   // back from hospital on the 15th
        #expect(scenario.engine.homes["flat-1"]?.state.routine == nil)
        #expect(scenario.engine.homes["flat-1"]?.state.history == nil)
        scenario.heartbeats(from: "2026-11-15 00:00", to: "2026-11-15 06:59")
        scenario.motion("kitchen", at: "2026-11-15 10:00")
        scenario.heartbeats(from: "2026-11-15 10:00", to: "2026-11-15 16:00")
        let raised = try #require(scenario.raised.first)
        #expect(raised.at == scenario.local("2026-11-15 14:00"), "the fixed 4 h, not the hour learned before the stay")
    }

    @Test func aRoutineSurvivesARestartByteForByte() throws {
        let scenario = Self.collapse(days: 10, collapseDay: "2026-11-11")
        let state = try #require(scenario.engine.homes["flat-1"]?.state)
        let decoded = try JSONDecoder().decode(HomeRuleState.self, from: JSONEncoder().encode(state))
        #expect(decoded.routine == state.routine)
        #expect(decoded.lastActivityPlace == state.lastActivityPlace)
        #expect(state.routine?.countBytes == 1_280, "within the 4 KB a home the issue allows")
    }
}
