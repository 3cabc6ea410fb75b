import CareHubTesting
import Foundation
import Testing

/// `carehub evaluate` through the built binary, on a CASAS home in the raw form and without a mapping file, as a held-out
/// home may well arrive: the evaluation runs, the JSON on stdout stays whole, and what was skipped is said on stderr.
@Suite struct EvaluateCommandLineTests {
    @Test func aRawCASASRecordingWithoutAMappingIsEvaluatedAndItsSkippedSensorsAreNamed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Three weeks of a home in the newer raw form (CR LF, as published): about the flat every 15 min from 07:00
        // to 22:00, by the lounge and kitchen sensors; the front door at 10:00; a temperature every hour.
        var lines: [String] = []
        for day in 1...21 {
            let date = String(format: "2012-07-%02d", day)
            for minute in stride(from: 7 * 60, to: 22 * 60, by: 15) {
                let time = String(format: "%@ %02d:%02d:00.000000", date, minute / 60, minute % 60)
                let (sensor, words) = minute % 30 == 0 ? ("M004", "LivingRoom LivingRoom") : ("M012", "Kitchen Kitchen")
                lines.append("\(time)  \(sensor)  \(words)  ON  Control4-Motion")
                if minute % 60 == 0 { lines.append("\(time)  T101  Ignore  Ignore  24  Control4-Temperature") }
                if minute == 10 * 60 { lines.append("\(time)  D001  OutsideDoor  FrontDoor  OPEN  Control4-Door") }
            }
        }
        let folder = directory.path("hh777")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let input = folder + "/data"
        try Data((lines.joined(separator: "\r\n") + "\r\n").utf8).write(to: URL(fileURLWithPath: input))

        let run = try await CarehubCommand.run(["evaluate", "--input-format", "casas", "--input", input, "--collapses", "5", "--format", "json"])
        #expect(run.status == 0, "\(run.standardError)")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [[String: Any]])
        #expect(results.map { $0["home"] as? String } == ["hh777", "hh777"])
        #expect(results.map { $0["mode"] as? String } == ["learned", "fixed"])
        let learned = try #require(results.first)
        #expect(learned["learned_at"] is String)
        #expect(learned["detected"] as? Int == 5)
        #expect(run.standardError == "carehub: skipped the lines of sensors it does not read: T101 (315).\n")

        // --home names such a home; with a mapping, the mapping does.
        let named = try await CarehubCommand.run(["evaluate", "--input-format", "casas", "--input", input, "--home", "flat-3", "--collapses", "0"])
        #expect(named.status == 0, "\(named.standardError)")
        #expect(named.standardOutput.contains("flat-3"))
        let refused = try await CarehubCommand.run(["evaluate", "--input", input, "--home", "flat-3"])
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("--home names a homeassist or casas recording read without a mapping"))
    }

    @Test func aDamagedLineCostsOnlyItselfAndIsNamedOnStandardError() async throws {
        // Two weeks about the flat every 15 min by day, in the pre-processed form, with one line cut short halfway (a
        // recorder stopped and restarted): the evaluation runs on the rest, and says which line it skipped.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var lines: [String] = []
        for day in 1...14 {
            for minute in stride(from: 7 * 60, to: 22 * 60, by: 15) {
                lines.append(String(format: "2012-06-%02d %02d:%02d:00.000000,M012,ON", day, minute / 60, minute % 60))
            }
        }
        lines.insert("2012-06-07 12:0", at: lines.count / 2)
        let input = directory.path("hh778.csv")
        try lines.joined(separator: "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let run = try await CarehubCommand.run(["evaluate", "--input-format", "casas", "--input", input, "--collapses", "5", "--format", "json"])
        #expect(run.status == 0, "\(run.standardError)")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [[String: Any]])
        #expect(results.first?["detected"] as? Int == 5)
        #expect(run.standardError == "carehub: skipped 1 line it could not read: Line \(lines.count / 2 + 1) is not a CASAS event "
            + "(date and time, sensor, value).\n")

        // carehub replay says the same in its summary.
        let replayed = try await CarehubCommand.run(["replay", "--input-format", "casas", "--input", input, "--db", directory.path("r.sqlite"),
                                                     "--format", "json"])
        #expect(replayed.status == 0, "\(replayed.standardError)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(replayed.standardOutput.utf8)) as? [String: Any])
        #expect(summary["lines"] as? Int == lines.count - 1)
        #expect(summary["unreadable_lines"] as? Int == 1)
        #expect((summary["unreadable"] as? [String])?.first?.hasPrefix("Line \(lines.count / 2 + 1) is not a CASAS event") == true)
    }

    @Test func aRecordingTooShortToLearnFromSaysSoInsteadOfAnEmptyRow() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let lines = (0..<3 * 24).map { hour in String(format: "2012-06-%02d %02d:10:00.000000,M012,ON", 1 + hour / 24, hour % 24) }
        let input = directory.path("three-days.csv")
        try lines.joined(separator: "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let run = try await CarehubCommand.run(["evaluate", "--input-format", "casas", "--input", input, "--collapses", "5"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardError == "carehub: three-days was never learned (it needs 7 days of its own activity), so nothing was counted for it.\n")
        let badHours = try await CarehubCommand.run(["evaluate", "--input-format", "casas", "--input", input, "--cut-hours", "22:00-25:00"])
        #expect(badHours.status == 64)
        #expect(badHours.standardError.contains("--cut-hours must be two local times, HH:MM-HH:MM"))
    }
}
