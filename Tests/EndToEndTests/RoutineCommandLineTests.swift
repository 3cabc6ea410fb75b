import CareHubTesting
import Foundation
import Testing

/// `carehub homes routine`, `carehub homes relearn` and the weekly report's trends through the built binary, against a
/// running hub (issue 12).
@Suite(.serialized, .timeLimit(.minutes(3))) struct RoutineCommandLineTests {
    /// 1 once flat-6's saved rule state holds no learned routine and no counted days: its `learned` field (the 27th of the
    /// saved array, `HomeRuleState+Coding.swift`) is null.
    static let forgotten = "SELECT COUNT(*) FROM rule_states WHERE home_id = 'flat-6' AND json_type(state, '$[26]') = 'null'"

    @Test func aHomesRoutineIsShownAndItsRelearningReachesTheRulesService() async throws {
        try await HubFixture.with { fixture in
            try await fixture.startHub()
            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await RulesEndToEndTests.motion(gateway, home: "flat-6", room: "kitchen", id: "m1")
            try await RulesEndToEndTests.motion(gateway, home: "flat-6", room: "lounge", id: "m2")
            try await fixture.waitUntilRulesEvaluated(home: "flat-6", event: "m2")
            _ = try await fixture.waitUntil("SELECT COUNT(*) FROM rule_states WHERE home_id = 'flat-6'", reaches: 1, timeout: .seconds(20))

            let routine = try #require(try await fixture.carehubJSON(["homes", "routine", "flat-6", "--format", "json"]) as? [String: Any])
            let summary = try #require(routine["routine"] as? [String: Any])
            #expect(summary["mode"] as? String == "learned")
            #expect(summary["used"] as? Bool == false, "a home seen for minutes has learned nothing it may use")
            #expect(summary["not_up_checked_at"] as? String == "10:00")
            #expect(summary["not_up_check_learned"] as? Bool == false)
            #expect(summary["usually_in_bed_by"] is NSNull && summary["not_in_bed_checked_at"] is NSNull, "no bed pad, no check: \(summary)")
            #expect((routine["trends"] as? [Any])?.isEmpty == true)
            let table = try await fixture.carehub(["homes", "routine", "flat-6"])
            #expect(table.status == 0, "\(table.standardError)")
            #expect(table.standardOutput.contains("not learned yet"))

            let unknown = try await fixture.carehub(["homes", "routine", "flat-404"])
            #expect(unknown.status != 0)
            #expect(unknown.standardError.split(separator: "\n").count == 1, "one sentence: \(unknown.standardError)")

            #expect(try fixture.count(Self.forgotten) == 0, "two activities: a day counted and a quiet learned")
            let before = try fixture.count("SELECT last_mode_change FROM rules_checkpoint")
            let relearn = try await fixture.carehub(["homes", "relearn", "flat-6", "--by", "Sam"])
            #expect(relearn.status == 0, "\(relearn.standardError)")
            #expect(try fixture.count("SELECT COUNT(*) FROM data_audit WHERE action = 'relearn' AND actor = 'Sam'") == 1)
            let relearnAt = try fixture.count("SELECT relearn_at FROM home_modes WHERE home_id = 'flat-6'")
            #expect(relearnAt > before)
            _ = try await fixture.waitUntil("SELECT last_mode_change FROM rules_checkpoint", reaches: relearnAt, timeout: .seconds(20))
            #expect(try await fixture.waitUntil(Self.forgotten, reaches: 1, timeout: .seconds(20)) == 1, "the saved state forgot what it learned")

            let weekly = try #require(try await fixture.carehubJSON(["report", "weekly", "--format", "json"]) as? [String: Any])
            #expect(weekly["trends"] is [Any], "the weekly report carries the trends")
        }
    }
}
