import CareHubCore
import Foundation
import Testing

/// `inactivity`, `no_data`, away, holidays and visits, late events (contract section 3).
@Suite struct InactivityRuleTests {
    @Test func fourQuietHoursInsideTheDayWindowRaiseInactivity() {
        var scenario = RuleScenario(start: "2026-11-30 08:00")
        scenario.motion("kitchen", at: "09:00")
        scenario.heartbeats(from: "09:10", to: "14:00")
        let raised = scenario.raised
        #expect(raised.map(\.kind) == [.inactivity])
        #expect(raised.first?.at == scenario.local("2026-11-30 13:00"))
        #expect(raised.first?.summary.contains("kitchen") == true)
        #expect(raised.first?.summary.contains("temp-lounge") == true, "the decision names the devices that proved the home alive")
    }

    @Test func anActiveDayRaisesNothing() {
        var scenario = RuleScenario(start: "2026-11-30 07:00")
        for hour in 7...22 { scenario.motion(hour % 2 == 0 ? "kitchen" : "lounge", at: String(format: "%02d:30", hour)) }
        scenario.heartbeats(from: "07:00", to: "22:45")
        #expect(scenario.raised.isEmpty)
    }

    @Test func aNightAsleepIsNotInactivityAndTwelveQuietHoursAreAtAnyTime() {
        var scenario = RuleScenario(start: "2026-11-30 21:00")
        scenario.motion("bedroom", at: "22:30")
        scenario.heartbeats(from: "22:40", to: "2026-12-01 07:20")
        scenario.motion("bathroom", at: "2026-12-01 07:25")
        #expect(scenario.raised.isEmpty, "a night's sleep raised \(scenario.raisedKinds())")

        var silent = RuleScenario(start: "2026-11-30 19:00")
        silent.motion("lounge", at: "20:00")
        silent.heartbeats(from: "20:10", to: "2026-12-01 09:00")
        #expect(silent.raisedKinds() == [.inactivity])
        #expect(silent.raised.first?.at == silent.local("2026-12-01 08:00"), "12 h after 20:00, before the day-window rule's 11:00")
    }

    @Test func aDeadHomeIsNoDataNotInactivityAndDataResolvesIt() {
        var scenario = RuleScenario(start: "2026-11-30 08:00")
        scenario.motion("kitchen", at: "09:00")
        scenario.run(until: "15:00")
        #expect(scenario.raisedKinds() == [.noData])
        #expect(scenario.raised.first?.summary.contains("cannot tell") == true)
        scenario.heartbeats(from: "15:30", to: "15:30")
        #expect(scenario.resolved.map(\.kind) == [.noData])
        scenario.heartbeats(from: "16:00", to: "19:00")
        #expect(scenario.raisedKinds() == [.noData], "the quiet period restarts when data returns: no inactivity claimed over the gap")
        scenario.heartbeats(from: "19:30", to: "20:00")
        #expect(scenario.raisedKinds() == [.noData, .inactivity], "four proved-alive quiet hours after data returned")
    }

    @Test func aGatewayReportedOfflineMeansNoData() {
        var scenario = RuleScenario(start: "2026-11-30 08:00")
        scenario.motion("kitchen", at: "09:00")
        scenario.heartbeats(from: "09:10", to: "11:00")
        scenario.gateway(.offline, at: "11:05")
        scenario.heartbeats(from: "11:10", to: "13:30")
        #expect(scenario.raisedKinds() == [.noData])
        #expect(scenario.raised.first?.summary.contains("gateway reported offline") == true)
        #expect(scenario.raised.first?.summary.contains("last heard from temp-lounge") == true)
        #expect(scenario.resolved.isEmpty, "device messages do not clear no_data while the gateway says it is offline")
        scenario.gateway(.online, at: "13:40")
        #expect(scenario.resolved.map(\.kind) == [.noData])
        scenario.heartbeats(from: "13:45", to: "13:50")
        #expect(scenario.raisedKinds() == [.noData, .inactivity], "with data back, the long silence is judged as inactivity")
    }

    @Test func endingAVisitEarlyDoesNotCountThePauseAsQuiet() {
        var scenario = RuleScenario(start: "2026-11-30 08:00")
        scenario.motion("kitchen", at: "09:00")
        scenario.engine.setVisit(home: scenario.home, until: scenario.local("18:00"), now: scenario.local("09:00"))
        scenario.heartbeats(from: "09:10", to: "14:00")
        scenario.engine.setVisit(home: scenario.home, until: nil, now: scenario.local("14:00"))
        scenario.heartbeats(from: "14:10", to: "17:50")
        #expect(scenario.raised.isEmpty, "raised \(scenario.raisedKinds()) right after the visit ended early")
        scenario.heartbeats(from: "18:00", to: "18:10")
        #expect(scenario.raisedKinds() == [.inactivity], "four quiet hours after the visit ended at 14:00")
    }

    @Test func awayAfterTheFrontDoorClosesSilencesInactivityUntilTheResidentIsBack() {
        var scenario = RuleScenario(start: "2026-11-30 08:00")
        scenario.motion("hall", at: "09:00")
        scenario.event(.door, .text("open"), room: "front_door", at: "09:01")
        scenario.event(.door, .text("closed"), room: "front_door", at: "09:02")
        scenario.heartbeats(from: "09:10", to: "22:00")
        #expect(scenario.raised.isEmpty, "raised \(scenario.raisedKinds()) while the resident was out")
        scenario.event(.door, .text("open"), room: "front_door", at: "22:10")
        scenario.motion("hall", at: "22:11")
        scenario.heartbeats(from: "22:20", to: "2026-12-01 10:30")
        #expect(scenario.raisedKinds() == [.notUp], "back home at 22:11, then not up at 10:00 (one incident for the silence)")
    }

    @Test func motionSoonAfterTheDoorClosesMeansStillAtHome() {
        var scenario = RuleScenario(start: "2026-11-30 08:00")
        scenario.event(.door, .text("closed"), room: "front_door", at: "09:00")
        scenario.motion("lounge", at: "09:05")
        scenario.heartbeats(from: "09:10", to: "13:30")
        #expect(scenario.raisedKinds() == [.inactivity], "a visitor leaving is not the resident going out")
    }

    @Test func activityResumingResolvesAndALateEventFromTheQuietPeriodDoesToo() {
        var scenario = RuleScenario(start: "2026-11-30 08:00")
        scenario.motion("kitchen", at: "09:00")
        scenario.heartbeats(from: "09:10", to: "13:20")
        #expect(scenario.raisedKinds() == [.inactivity])
        scenario.motion("lounge", at: "11:00", receivedAt: "13:30")
        #expect(scenario.resolved.map(\.kind) == [.inactivity])
        #expect(scenario.resolved.first?.reason.contains("reported late") == true)
    }

    @Test func aVisitAndAHolidayPauseInactivityButNeverAnAlarm() {
        var scenario = RuleScenario(start: "2026-11-30 08:00")
        scenario.motion("kitchen", at: "09:00")
        scenario.engine.setVisit(home: scenario.home, until: scenario.local("12:30"), now: scenario.local("09:00"))
        scenario.event(.pendant, room: "lounge", device: "pendant-1", at: "10:00")
        scenario.heartbeats(from: "09:10", to: "17:00")
        #expect(scenario.raisedKinds() == [.pendant, .inactivity])
        #expect(scenario.raised.last?.at == scenario.local("16:30"), "the quiet period restarts when the visit ends at 12:30")

        var holiday = RuleScenario(start: "2026-11-30 08:00")
        holiday.motion("hall", at: "08:30")
        holiday.engine.setHoliday(home: holiday.home, until: holiday.local("2026-12-03 12:00"), now: holiday.local("08:30"))
        holiday.heartbeats(from: "09:00", to: "2026-12-03 12:00", every: 60)
        #expect(holiday.raised.isEmpty, "raised \(holiday.raisedKinds()) on holiday")
    }
}
