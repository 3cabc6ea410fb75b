import CareHubCore
import Foundation
import Testing

/// `not_up`, `out_of_bed`, `bathroom_long`, `night_door`, `cold_home`, `hot_home`, `fridge_unused`.
@Suite struct DailyRuleTests {
    @Test func notUpAtTenWhenOnlyTheBedroomHasSeenActivity() {
        var scenario = RuleScenario(start: "2026-11-30 05:00")
        scenario.heartbeats(from: "05:30", to: "06:50")
        scenario.motion("bedroom", at: "07:00")
        scenario.heartbeats(from: "07:30", to: "09:00")
        scenario.motion("bedroom", at: "09:30")
        scenario.heartbeats(from: "09:35", to: "10:05")
        #expect(scenario.raisedKinds() == [.notUp])
        #expect(scenario.raised.first?.at == scenario.local("10:00"))
        scenario.motion("kitchen", at: "10:20")
        #expect(scenario.resolved.map(\.kind) == [.notUp])
    }

    @Test func upAndAboutOrAwayAtSixIsNotNotUp() {
        var scenario = RuleScenario(start: "2026-11-30 05:00")
        scenario.heartbeats(from: "05:30", to: "07:50")
        scenario.motion("kitchen", at: "08:00")
        scenario.motion("bedroom", at: "09:40")
        scenario.heartbeats(from: "09:45", to: "10:30")
        #expect(scenario.raised.isEmpty)

        var away = RuleScenario(start: "2026-11-30 04:00")
        away.event(.door, .text("closed"), room: "front_door", at: "05:00")
        away.heartbeats(from: "05:10", to: "10:30")
        #expect(away.raised.isEmpty, "raised \(away.raisedKinds()) for a resident who went out at 05:00")
    }

    @Test func outOfBedAtNightForMoreThan45Minutes() {
        var scenario = RuleScenario(start: "2026-11-30 22:00")
        scenario.event(.bed, .text("occupied"), room: "bedroom", at: "23:30")
        scenario.event(.bed, .text("empty"), room: "bedroom", at: "2026-12-01 02:00")
        scenario.heartbeats(from: "2026-12-01 02:10", to: "2026-12-01 03:00")
        #expect(scenario.raisedKinds() == [.outOfBed])
        #expect(scenario.raised.first?.at == scenario.local("2026-12-01 02:45"))
        scenario.event(.bed, .text("occupied"), room: "bedroom", at: "2026-12-01 03:05")
        #expect(scenario.resolved.map(\.kind) == [.outOfBed])
    }

    @Test func backInBedSoonOrUpInTheMorningIsNotOutOfBed() {
        var scenario = RuleScenario(start: "2026-11-30 22:00")
        scenario.event(.bed, .text("occupied"), room: "bedroom", at: "23:30")
        scenario.event(.bed, .text("empty"), room: "bedroom", at: "2026-12-01 02:00")
        scenario.motion("toilet", at: "2026-12-01 02:02")
        scenario.event(.bed, .text("occupied"), room: "bedroom", at: "2026-12-01 02:20")
        scenario.event(.bed, .text("empty"), room: "bedroom", at: "2026-12-01 07:30")
        scenario.motion("kitchen", at: "2026-12-01 07:35")
        scenario.heartbeats(from: "2026-12-01 07:40", to: "2026-12-01 09:00")
        #expect(scenario.raised.isEmpty, "raised \(scenario.raisedKinds())")
    }

    @Test func anEarlyRiserIsNotOutOfBedButANightWandererIs() {
        var early = RuleScenario(start: "2026-11-30 22:00")
        early.event(.bed, .text("occupied"), room: "bedroom", at: "23:00")
        early.event(.bed, .text("empty"), room: "bedroom", at: "2026-12-01 05:56")
        early.motion("hall", at: "2026-12-01 05:59")
        early.motion("kitchen", at: "2026-12-01 06:15")
        early.heartbeats(from: "2026-12-01 06:20", to: "2026-12-01 07:30")
        #expect(early.raised.isEmpty, "raised \(early.raisedKinds()) for a resident up for the day")

        var wanderer = RuleScenario(start: "2026-11-30 22:00")
        wanderer.event(.bed, .text("occupied"), room: "bedroom", at: "23:00")
        wanderer.event(.bed, .text("empty"), room: "bedroom", at: "2026-12-01 02:00")
        wanderer.motion("hall", at: "2026-12-01 02:05")
        wanderer.motion("kitchen", at: "2026-12-01 02:30")
        wanderer.heartbeats(from: "2026-12-01 02:35", to: "2026-12-01 03:00")
        #expect(wanderer.raisedKinds() == [.outOfBed], "up and about in the night for 45 min still raises")
    }

    @Test func tooLongInTheBathroom() {
        var scenario = RuleScenario(start: "2026-11-30 13:00")
        scenario.motion("kitchen", at: "13:30")
        scenario.motion("bathroom", at: "14:00")
        scenario.heartbeats(from: "14:10", to: "15:00")
        #expect(scenario.raisedKinds() == [.bathroomLong])
        #expect(scenario.raised.first?.at == scenario.local("14:45"))
        scenario.heartbeats(from: "15:10", to: "19:00")
        #expect(scenario.raisedKinds() == [.bathroomLong], "one incident for one silence")
        scenario.motion("hall", at: "19:10")
        #expect(scenario.resolved.map(\.kind) == [.bathroomLong])

        var quick = RuleScenario(start: "2026-11-30 13:00")
        quick.motion("bathroom", at: "14:00")
        quick.motion("hall", at: "14:20")
        quick.heartbeats(from: "14:30", to: "15:30")
        #expect(quick.raised.isEmpty)
    }

    @Test func aDoorOpenedAtNightWithNobodyComingBackIn() {
        var scenario = RuleScenario(start: "2026-11-30 22:00")
        scenario.motion("hall", at: "2026-12-01 01:58")
        scenario.event(.door, .text("open"), room: "front_door", at: "2026-12-01 02:00")
        scenario.event(.door, .text("closed"), room: "front_door", at: "2026-12-01 02:01")
        scenario.heartbeats(from: "2026-12-01 02:05", to: "2026-12-01 02:30")
        #expect(scenario.raisedKinds() == [.nightDoor], "raised even though the resident is now away")
        #expect(scenario.raised.first?.at == scenario.local("2026-12-01 02:15"))
        scenario.motion("hall", at: "2026-12-01 02:40")
        #expect(scenario.resolved.map(\.kind) == [.nightDoor])

        var quiet = RuleScenario(start: "2026-11-30 22:00")
        quiet.event(.door, .text("open"), room: "front_door", at: "2026-12-01 02:00")
        quiet.motion("hall", at: "2026-12-01 02:04")
        quiet.heartbeats(from: "2026-12-01 02:05", to: "2026-12-01 02:40")
        #expect(quiet.raised.isEmpty)
        var daytime = RuleScenario(start: "2026-11-30 13:00")
        daytime.event(.door, .text("open"), room: "front_door", at: "14:00")
        daytime.heartbeats(from: "14:05", to: "14:40")
        #expect(daytime.raised.isEmpty)
    }

    @Test func aColdHomeForTwoHoursAndAHotOneForFour() {
        var scenario = RuleScenario(start: "2026-11-30 08:00")
        for (index, time) in ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"].enumerated() {
            scenario.event(.temperature, .number(15.5 - Double(index) * 0.1), room: "lounge", device: "temp-lounge", at: time)
            scenario.motion("lounge", at: time)
        }
        #expect(scenario.raisedKinds() == [.coldHome])
        #expect(scenario.raised.first?.at == scenario.local("11:00"))
        scenario.event(.temperature, .number(17), room: "lounge", device: "temp-lounge", at: "12:00")
        #expect(scenario.resolved.map(\.kind) == [.coldHome])

        var brief = RuleScenario(start: "2026-11-30 08:00")
        brief.event(.temperature, .number(15), room: "lounge", device: "temp-lounge", at: "09:00")
        brief.event(.temperature, .number(17), room: "lounge", device: "temp-lounge", at: "10:30")
        brief.motion("lounge", at: "11:30")
        #expect(brief.raised.isEmpty)

        var hot = RuleScenario(start: "2026-07-20 08:00")
        for hour in 9...14 {
            hot.event(.temperature, .number(29.5), room: "bedroom", device: "temp-bedroom", at: "\(hour):00")
            hot.motion("lounge", at: "\(hour):05")
        }
        #expect(hot.raisedKinds() == [.hotHome])
        #expect(hot.raised.first?.at == hot.local("13:00"))
    }

    @Test func theFridgeUnopenedForADayWhileAtHome() {
        var scenario = RuleScenario(start: "2026-11-30 07:00")
        scenario.event(.door, .text("open"), room: "fridge", device: "fridge-door", at: "08:00")
        for day in ["2026-11-30", "2026-12-01"] {
            for hour in [9, 11, 13, 15, 17, 19, 21] {
                scenario.motion("lounge", at: "\(day) \(hour):00")
                scenario.heartbeats(from: "\(day) \(hour):30", to: "\(day) \(hour + 1):30", every: 60)
            }
            if day == "2026-11-30" { scenario.heartbeats(from: "2026-11-30 22:30", to: "2026-12-01 08:30", every: 60) }
        }
        #expect(scenario.raisedKinds() == [.fridgeUnused])
        #expect(scenario.raised.first?.at == scenario.local("2026-12-01 08:00"))
        scenario.event(.door, .text("open"), room: "fridge", device: "fridge-door", at: "2026-12-01 21:30")
        #expect(scenario.resolved.map(\.kind) == [.fridgeUnused])
    }
}
