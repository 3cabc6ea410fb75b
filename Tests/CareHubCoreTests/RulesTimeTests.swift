import CareHubCore
import Foundation
import Testing

/// Local time across the Europe/London changes of 2026-03-29 (01:00 GMT → 02:00 BST) and 2026-10-25
/// (02:00 BST → 01:00 GMT): nothing skipped, nothing doubled; and state that survives a restart.
@Suite struct RulesTimeTests {
    func utc(_ text: String) -> Int64 { RFC3339.parseMilliseconds(text)! }

    @Test func theDailyCheckHappensOncePerLocalDayAcrossBothChanges() {
        var clock = LocalClock(identifier: "Europe/London")!
        for (start, expected) in [
            ("2026-03-27T12:00:00Z", ["2026-03-28T10:00:00.000Z", "2026-03-29T09:00:00.000Z", "2026-03-30T09:00:00.000Z"]),
            ("2026-10-23T12:00:00Z", ["2026-10-24T09:00:00.000Z", "2026-10-25T10:00:00.000Z", "2026-10-26T10:00:00.000Z"]),
        ] {
            var instant = utc(start)
            var checks: [String] = []
            for _ in 0..<3 {
                instant = clock.next(minute: 10 * 60, after: instant)
                checks.append(RFC3339.formatMilliseconds(instant))
            }
            #expect(checks == expected)
        }
    }

    @Test func theSkippedAndRepeatedHoursMapOneWay() {
        var clock = LocalClock(identifier: "Europe/London")!
        let spring = clock.localDay(at: utc("2026-03-29T12:00:00Z"))
        #expect(RFC3339.formatMilliseconds(clock.instant(day: spring, minute: 60 + 30)) == "2026-03-29T01:00:00.000Z", "01:30 does not exist: 02:00 BST")
        #expect(RFC3339.formatMilliseconds(clock.instant(day: spring, minute: 7 * 60)) == "2026-03-29T06:00:00.000Z")
        let autumn = clock.localDay(at: utc("2026-10-25T12:00:00Z"))
        #expect(RFC3339.formatMilliseconds(clock.instant(day: autumn, minute: 60 + 30)) == "2026-10-25T00:30:00.000Z", "01:30 happens twice: the first")
        #expect(clock.minuteOfDay(at: utc("2026-10-25T00:30:00Z")) == 90)
        #expect(clock.minuteOfDay(at: utc("2026-10-25T01:30:00Z")) == 90)
        #expect(clock.minuteOfDay(at: utc("2026-03-29T01:30:00Z")) == 150)
    }

    @Test func outOfBedCountsRealMinutesAcrossTheSpringChange() {
        var scenario = RuleScenario(start: "2026-03-28 22:00")
        scenario.event(.bed, .text("occupied"), room: "bedroom", at: "23:00")
        scenario.event(.bed, .text("empty"), room: "bedroom", at: "2026-03-29 00:50")
        scenario.heartbeats(from: "2026-03-29 00:55", to: "2026-03-29 03:00", every: 10)
        #expect(scenario.raisedKinds() == [.outOfBed])
        #expect(scenario.raised.first.map { RFC3339.format($0.at) } == "2026-03-29T01:35:00.000Z", "45 minutes after 00:50 GMT is 02:35 BST")
    }

    @Test func outOfBedCountsRealMinutesInTheRepeatedAutumnHour() {
        var scenario = RuleScenario(start: "2026-10-24 22:00")
        scenario.event(.bed, .text("occupied"), room: "bedroom", at: "23:00")
        scenario.event(.bed, .text("empty"), room: "bedroom", at: "2026-10-25 01:30")
        scenario.heartbeats(from: "2026-10-25 01:35", to: "2026-10-25 03:00", every: 10)
        #expect(scenario.raisedKinds() == [.outOfBed])
        #expect(scenario.raised.first.map { RFC3339.format($0.at) } == "2026-10-25T01:15:00.000Z", "45 minutes after 01:30 BST is 01:15 GMT")
    }

    @Test func inactivityWindowFollowsLocalTimeOnTheSpringChangeDay() {
        var scenario = RuleScenario(start: "2026-03-28 20:00")
        scenario.motion("bedroom", at: "21:00")
        scenario.heartbeats(from: "2026-03-28 21:10", to: "2026-03-29 10:30", every: 20)
        #expect(scenario.raisedKinds() == [.inactivity])
        #expect(scenario.raised.first.map { RFC3339.format($0.at) } == "2026-03-29T09:00:00.000Z", "12 h after 21:00 GMT is 10:00 BST")
    }

    @Test func anOverdueTimerFiresExactlyOnceAfterARestart() throws {
        var scenario = RuleScenario(start: "2026-11-30 08:00")
        scenario.motion("kitchen", at: "09:00")
        scenario.heartbeats(from: "09:10", to: "11:00")
        let saved = try #require(scenario.engine.homes[scenario.home]?.state)
        let encoded = try JSONEncoder().encode(saved)
        #expect(encoded.count < 2048, "rule state is \(encoded.count) bytes")

        var restarted = RulesEngine()
        restarted.restore(home: scenario.home, state: try JSONDecoder().decode(HomeRuleState.self, from: encoded))
        let due = restarted.nextDeadline(home: scenario.home)
        #expect(due == scenario.local("13:00"))
        // The hub was down until 11:50; heartbeats kept it alive; the timer is overdue when it comes back.
        let resumed = scenario.local("11:50")
        _ = restarted.handle(SensorEvent(home: scenario.home, device: "temp-lounge", id: "late-hb", type: .heartbeat,
                                         timestamp: resumed, room: "lounge"), receivedAt: resumed)
        let first = restarted.tick(home: scenario.home, now: scenario.local("13:20"))
        let second = restarted.tick(home: scenario.home, now: scenario.local("13:21"))
        #expect(first.count == 1)
        #expect(second.isEmpty)
    }
}
