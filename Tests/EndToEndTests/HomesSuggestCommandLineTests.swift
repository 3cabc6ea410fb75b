import CareHubTesting
import Foundation
import GRDB
import Testing

/// `carehub homes suggest` through the built binary, on a database a replay filled: a late riser's `not_up` check,
/// suggested with the lines to add to the configuration, and nothing written.
@Suite struct HomesSuggestCommandLineTests {
    /// `days` days of flat-7 from `start` (UTC) as contract JSON lines: stirring in the bedroom each hour from 07:00, up at
    /// `upAt(day)` minutes after midnight, then about the flat every 20 min until 22:00; a heartbeat every half hour.
    static func lateRiser(from start: Date, days: Int, upAt: (Int) -> Int) -> [String] {
        var lines: [String] = []
        func add(day: Int, minute: Int, device: String, _ body: String) {
            let stamp = ISO8601DateFormatter().string(from: start.addingTimeInterval(Double(day * 86_400 + minute * 60)))
            lines.append(#"{"topic":"carehub/v1/flat-7/\#(device)/event","payload":{"id":"e\#(lines.count)","ts":"\#(stamp)",\#(body)}}"#)
        }
        for day in 0..<days {
            for half in 0..<48 { add(day: day, minute: half * 30 + 2, device: "temp-hall", #""type":"heartbeat""#) }
            let up = upAt(day)
            for hour in stride(from: 7 * 60, to: up, by: 60) { add(day: day, minute: hour, device: "pir-bedroom", #""type":"motion","value":true,"room":"bedroom""#) }
            for minute in stride(from: up, through: 22 * 60, by: 20) {
                add(day: day, minute: minute, device: "pir-kitchen", #""type":"motion","value":true,"room":"kitchen""#)
            }
        }
        return lines
    }

    @Test func aLateRisersCheckIsSuggestedAsConfigurationAndTheDatabaseIsOnlyRead() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let start = try #require(ISO8601DateFormatter().date(from: "2026-11-02T00:00:00Z"))
        // Four weeks (London is on UTC in November), up at 10:30 or 10:40.
        let lines = Self.lateRiser(from: start, days: 29) { 10 * 60 + 30 + ($0 % 2) * 10 }
        let input = directory.path("late-riser.jsonl")
        try lines.joined(separator: "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let database = directory.path("hub.sqlite")
        let replayed = try await CarehubCommand.run(["replay", "--input", input, "--db", database, "--until", "2026-11-30T23:00:00Z"])
        #expect(replayed.status == 0, "\(replayed.standardError)")
        let incidents = try await DatabaseQueue(path: database).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM incidents") }

        let json = try await CarehubCommand.run(["homes", "suggest", "flat-7", "--db", database, "--until", "2026-11-30T23:00:00Z", "--format", "json"])
        #expect(json.status == 0, "\(json.standardError)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let suggestions = try #require(result["suggestions"] as? [[String: Any]])
        let notUp = try #require(suggestions.first { $0["setting"] as? String == "not_up_check" })
        #expect(notUp["current"] as? String == "10:00")
        #expect(notUp["suggested"] as? String == "10:45", "\(notUp)")
        #expect((notUp["raised_now"] as? Int).map { $0 >= 20 } == true, "\(notUp)")
        #expect((result["urgent_suggested"] as? Int ?? 99) < (result["urgent_now"] as? Int ?? 0))

        let table = try await CarehubCommand.run(["homes", "suggest", "flat-7", "--db", database, "--until", "2026-11-30T23:00:00Z"])
        #expect(table.status == 0)
        #expect(table.standardOutput.contains("homes:\n  flat-7:\n    rules:\n      not_up_check: \"10:45\""), "\(table.standardOutput)")
        #expect(table.standardOutput.contains("A person who knows the resident decides"))
        // The lines given are configuration the hub reads as they are.
        let snippet = table.standardOutput.components(separatedBy: "\n\n").first { $0.hasPrefix("homes:") } ?? ""
        let proposed = directory.path("proposed.yaml")
        try (snippet + "\n").write(toFile: proposed, atomically: true, encoding: .utf8)
        let explained = try await CarehubCommand.run(["rules", "explain", "--home", "flat-7", "--config", proposed, "--format", "csv"])
        #expect(explained.status == 0, "\(explained.standardError)")
        #expect(explained.standardOutput.contains("not_up_check,10:45,home"), "\(explained.standardOutput)")
        let after = try await DatabaseQueue(path: database).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM incidents") }
        #expect(after == incidents, "suggest wrote to the database")

        let early = try await CarehubCommand.run(["homes", "suggest", "flat-7", "--db", database, "--until", "2026-11-05T12:00:00Z"])
        #expect(early.status == 1 && early.standardError.contains("suggestions need at least 7"), "\(early.standardError)")

        let unknown = try await CarehubCommand.run(["homes", "suggest", "flat-99", "--db", database])
        #expect(unknown.status == 5 && unknown.standardError.split(separator: "\n").count == 1, "\(unknown.standardError)")
    }

    @Test func theWeeklyReportNamesAHomeThatRaisedAThresholdKindTwiceWithoutARealEmergency() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Ten mornings of a late riser ending yesterday (UTC days; the replay raises not_up at 10:00 London time).
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC") ?? utc.timeZone
        let today = utc.startOfDay(for: Date())
        let start = today.addingTimeInterval(-10 * 86_400)
        let lines = Self.lateRiser(from: start, days: 10) { _ in 11 * 60 + 30 }
        let input = directory.path("late-riser.jsonl")
        try lines.joined(separator: "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let database = directory.path("hub.sqlite")
        let replayed = try await CarehubCommand.run(["replay", "--input", input, "--db", database])
        #expect(replayed.status == 0, "\(replayed.standardError)")
        let notUps = try await DatabaseQueue(path: database).read { try Int64.fetchAll($0, sql: "SELECT id FROM incidents WHERE kind = 'not_up' ORDER BY id") }
        #expect(notUps.count >= 5, "a not_up most mornings: \(notUps)")

        func review() async throws -> [[String: Any]] {
            let report = try await CarehubCommand.run(["report", "weekly", "--db", database, "--format", "json"])
            #expect(report.status == 0, "\(report.standardError)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(report.standardOutput.utf8)) as? [String: Any])
            return try #require(json["homes_to_review"] as? [[String: Any]])
        }
        // Each morning's not_up cleared itself when the resident got up.
        let rows = try await review()
        #expect(rows.count == 1, "\(rows)")
        #expect(rows.first?["home"] as? String == "flat-7" && rows.first?["kind"] as? String == "not_up")
        #expect(rows.first?["raised"] as? Int == notUps.count && rows.first?["cleared_automatically"] as? Int == notUps.count)
        #expect(rows.first?["setting"] as? String == "not_up_check" && rows.first?["see"] as? String == "carehub homes suggest flat-7")
        let table = try await CarehubCommand.run(["report", "weekly", "--db", database])
        #expect(table.standardOutput.contains("Homes to review"), "\(table.standardOutput)")
        #expect(table.standardOutput.contains("carehub homes suggest flat-7"))
        // One that was a real emergency (a carer went round) and the home is not one to loosen.
        try await DatabaseQueue(path: database).write { db in
            try db.execute(sql: "UPDATE incidents SET outcome = 'visited', resolved_by = 'Sam' WHERE id = ?", arguments: [notUps[2]])
        }
        #expect(try await review().isEmpty)
    }
}
