import CareHubTesting
import Foundation
import GRDB
import Testing

/// `carehub rules check|explain|whatif`, `carehub replay` and `carehub homes` through the built binary.
@Suite(.serialized, .timeLimit(.minutes(3))) struct RulesCommandLineTests {
    @Test func checkNamesTheLineOfAMistakeAndExplainShowsWhereEachSettingComesFrom() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bad = directory.path("bad.yaml")
        try "timezone: Europe/London\nrules:\n  bathroom_minutes: 30\n  bathrom_minutes: 5\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let checked = try await CarehubCommand.run(["rules", "check", "--config", bad])
        #expect(checked.status == 1)
        #expect(checked.standardError.contains("at line 4"))
        #expect(checked.standardError.contains("bathrom_minutes"))
        let good = directory.path("good.yaml")
        try "rules:\n  bathroom_minutes: 30\nhomes:\n  flat-12:\n    timezone: Europe/Dublin\n    rules:\n      not_up_check: \"11:00\"\n"
            .write(toFile: good, atomically: true, encoding: .utf8)
        #expect(try await CarehubCommand.run(["rules", "check", "--config", good]).status == 0)
        let explained = try await CarehubCommand.run(["rules", "explain", "--home", "flat-12", "--config", good, "--format", "csv"])
        let rows = Set(explained.standardOutput.split(separator: "\n").map(String.init))
        #expect(rows.contains("not_up_check,11:00,home"))
        #expect(rows.contains("timezone,Europe/Dublin,home"))
        #expect(rows.contains("bathroom_minutes,30,site"))
        #expect(rows.contains("day_window,07:00-23:00,default"))
    }

    @Test func whatIfReplaysStoredEventsWithProposedSettingsAndWritesNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let start = Date().addingTimeInterval(-30 * 3600)
        func stamp(_ offset: TimeInterval) -> String { ISO8601DateFormatter().string(from: start.addingTimeInterval(offset)) }
        var lines = [#"{"topic":"carehub/v1/flat-3/pir-kitchen/event","payload":{"id":"m1","ts":"\#(stamp(0))","type":"motion","value":true,"room":"kitchen"}}"#]
        for beat in 1..<58 {
            lines.append(#"{"topic":"carehub/v1/flat-3/temp-lounge/event","payload":{"id":"h\#(beat)","ts":"\#(stamp(Double(beat) * 1800))","type":"heartbeat"}}"#)
        }
        let input = directory.path("recent.jsonl")
        try lines.joined(separator: "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let database = directory.path("live.sqlite")
        let replayed = try await CarehubCommand.run(["replay", "--input", input, "--db", database, "--until", stamp(29 * 3600), "--format", "json"])
        #expect(replayed.status == 0, "\(replayed.standardError)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(replayed.standardOutput.utf8)) as? [String: Any])
        #expect(summary["events"] as? Int == 58)
        let incidentsBefore = try await DatabaseQueue(path: database).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM incidents") }

        let proposed = directory.path("proposed.yaml")
        try "rules:\n  inactivity_any_time_hours: 2\n  inactivity_in_window_hours: 2\n".write(toFile: proposed, atomically: true, encoding: .utf8)
        let whatIf = try await CarehubCommand.run(["rules", "whatif", "--home", "flat-3", "--days", "2", "--db", database, "--config", proposed,
                                                    "--format", "json"])
        #expect(whatIf.status == 0, "\(whatIf.standardError)")
        let raised = try #require(try JSONSerialization.jsonObject(with: Data(whatIf.standardOutput.utf8)) as? [[String: Any]])
        #expect(raised.first?["kind"] as? String == "inactivity")
        let firstAt = (raised.first?["at"] as? String).flatMap { ISO8601DateFormatter().date(from: String($0.prefix(19)) + "Z") }
        #expect(firstAt.map { abs($0.timeIntervalSince(start.addingTimeInterval(2 * 3600))) < 60 } == true, "raised 2 h after the last activity")
        let incidentsAfter = try await DatabaseQueue(path: database).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM incidents") }
        #expect(incidentsAfter == incidentsBefore, "whatif wrote to the live database")
    }

    @Test func awayAndVisitAreRecordedForTheRulesService() async throws {
        try await HubFixture.with { fixture in
            try await fixture.startHub()
            let until = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3 * 86_400))
            let away = try await fixture.carehub(["homes", "away", "flat-4", "--until", until, "--by", "Sam"])
            #expect(away.status == 0, "\(away.standardError)")
            let visit = try await fixture.carehub(["homes", "visit", "flat-5", "--for", "90m", "--by", "Jo"])
            #expect(visit.status == 0, "\(visit.standardError)")
            let tooLong = try await fixture.carehub(["homes", "visit", "flat-5", "--for", "2d", "--by", "Jo"])
            #expect(tooLong.status == 64)
            #expect(try fixture.count("SELECT COUNT(*) FROM home_modes WHERE holiday_until IS NOT NULL") == 1)
            #expect(try fixture.count("SELECT COUNT(*) FROM home_modes WHERE visit_until IS NOT NULL") == 1)
            try await fixture.waitUntil("SELECT last_mode_change FROM rules_checkpoint", reaches: 1, timeout: .seconds(5))
            #expect(try fixture.count("SELECT last_mode_change FROM rules_checkpoint") > 0, "the rules service did not pick the settings up")
        }
    }
}
