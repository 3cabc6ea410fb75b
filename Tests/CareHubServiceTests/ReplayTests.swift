import CareHubCore
import CareHubService
import CareHubStore
import CareHubTesting
import Foundation
import GRDB
import Testing

/// Replay through the same decoding, storage and rules as the live hub (contract section 5).
@Suite(.serialized) struct ReplayTests {
    func replay(_ loaded: ReplayInput.Loaded, settings: RuleSettingsBook = RuleSettingsBook(), until: Date? = nil,
                in directory: TemporaryDirectory) throws -> (Replayer.Outcome, HubDatabase) {
        let database = try HubDatabase.openForHub(path: directory.path("replay.sqlite"), synchronous: .normal)
        let store = ReplayStore(database: database, registration: .automatic, defaultTimeZone: "Europe/London")
        var book = settings
        if let home = loaded.home, let zone = loaded.timeZone {
            var homeSettings = book.defaults
            homeSettings.timeZone = zone
            book.homes[home] = homeSettings
        }
        let outcome = try Replayer(store: store, settings: book, clockSkew: ClockSkewPolicy(maximumAhead: 300, maximumBehind: 3650 * 86_400))
            .run(loaded.lines, until: until)
        return (outcome, database)
    }

    @Test func theHomeAssistOutageIsOneNoDataIncidentAndNoInactivity() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let recording = try TestPaths.sharedData("homes/homeassist-home1/home1-2017-01-16_to_2017-09-24.csv")
        let mapping = TestPaths.packageRoot.appendingPathComponent("deploy/mappings/homeassist-home1.yaml").path
        let loaded = try ReplayInput.load(path: recording.path, format: .homeassist, mappingPath: mapping)
        #expect(loaded.unmapped.isEmpty, "unmapped sensors: \(loaded.unmapped)")
        let (outcome, database) = try replay(loaded, in: directory)
        #expect(outcome.events > 80_000)
        let outageStart = RFC3339.parse("2017-01-17T10:10:26.480Z")!
        let outageEnd = RFC3339.parse("2017-02-22T14:05:04.391Z")!
        let incidents = try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, opened_at, resolved_at FROM incidents ORDER BY opened_at")
        }
        func overlapsOutage(_ row: Row) -> Bool {
            let opened = Date(millisecondsSince1970: row["opened_at"])
            let resolved = (row["resolved_at"] as Int64?).map(Date.init(millisecondsSince1970:)) ?? .distantFuture
            return opened < outageEnd && resolved > outageStart
        }
        // Device-health incidents (a PIR silent for days before the outage) may overlap; what matters is how the
        // resident is judged: one no_data, no inactivity-type incident.
        let judging: Set<String> = ["no_data", "inactivity", "not_up", "out_of_bed", "bathroom_long", "fridge_unused"]
        let duringOutage = incidents.filter { overlapsOutage($0) && judging.contains($0["kind"] as String) }
        #expect(duringOutage.map { $0["kind"] as String } == ["no_data"], "incidents during the outage: \(duringOutage)")
        let noData = try #require(duringOutage.first)
        #expect(Date(millisecondsSince1970: noData["opened_at"]) < outageStart.addingTimeInterval(12 * 3600), "raised within hours of the silence")
        #expect((noData["resolved_at"] as Int64?) == outageEnd.millisecondsSince1970, "resolved by the first message after it")
        let inactivity = incidents.filter { ($0["kind"] as String) == "inactivity" && overlapsOutage($0) }
        #expect(inactivity.isEmpty)
    }

    @Test func aLateEventReplayedWithItsArrivalTimeResolvesTheInactivityItDisproves() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let lines = """
            {"topic":"carehub/v1/flat-1/pir-kitchen/event","payload":{"id":"m1","ts":"2026-11-30T09:00:00Z","type":"motion","value":true,"room":"kitchen"}}
            {"topic":"carehub/v1/flat-1/gateway/status","payload":"online"}
            \((1...9).map { #"{"topic":"carehub/v1/flat-1/temp-lounge/event","payload":{"id":"h\#($0)","ts":"2026-11-30T\#(String(format: "%02d", 9 + $0 / 2)):\#($0 % 2 == 0 ? "00" : "30"):00Z","type":"heartbeat"}}"# }.joined(separator: "\n"))
            {"topic":"carehub/v1/flat-1/pir-lounge/event","payload":{"id":"late","ts":"2026-11-30T11:00:00Z","type":"motion","value":true,"room":"lounge"},"at":"2026-11-30T13:20:00Z"}
            {"topic":"carehub/v1/flat-1/pir-lounge/event","payload":"not json at all","at":"2026-11-30T13:21:00Z"}
            """
        let path = directory.path("day.jsonl")
        try lines.write(toFile: path, atomically: true, encoding: .utf8)
        let loaded = try ReplayInput.load(path: path, format: .contract, mappingPath: nil)
        let (outcome, database) = try replay(loaded, until: RFC3339.parse("2026-11-30T13:30:00Z"), in: directory)
        #expect(outcome.lines == 13)
        #expect(outcome.refused == 1)
        #expect(outcome.raised.map(\.kind) == [.inactivity])
        #expect(outcome.raised.first?.at == RFC3339.parse("2026-11-30T13:00:00Z"), "fired at its own instant between lines")
        let resolution = try database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT note FROM incident_timeline WHERE action = 'auto_resolved'")
        }
        #expect(resolution?.contains("reported late") == true)
    }

    @Test func theCASASRecordingReplaysThroughItsMapping() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let recording = try TestPaths.sharedData("homes/casas-hh109/hh109_2012-06_motion_on.csv")
        let mapping = TestPaths.packageRoot.appendingPathComponent("deploy/mappings/casas-hh109.yaml").path
        let loaded = try ReplayInput.load(path: recording.path, format: .casas, mappingPath: mapping)
        #expect(loaded.lines.count == 7_277)
        let (outcome, _) = try replay(loaded, in: directory)
        #expect(outcome.events == 7_277)
        #expect(outcome.refused == 0)
    }

    @Test func aHomeAssistExportSavedWithCRLFLineEndingsIsReadLineByLine() throws {
        // Swift reads CR LF as one character: split on "\n" alone, the whole file was one line.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("home.csv")
        try Data("2017-03-01T08:00:00.000;MotionD_K;1\r\n2017-03-01T08:00:05.000;ContactS_E;1\r\n".utf8).write(to: URL(fileURLWithPath: path))
        let mapping = TestPaths.packageRoot.appendingPathComponent("deploy/mappings/homeassist-home1.yaml").path
        let loaded = try ReplayInput.load(path: path, format: .homeassist, mappingPath: mapping)
        #expect(loaded.lines.map(\.topic) == ["carehub/v1/homeassist-home1/pir-kitchen/event", "carehub/v1/homeassist-home1/door-entrance/event"])
    }

    @Test func theHomeAssistExportReadsTheSameWithoutItsMappingAsWithIt() throws {
        // A held-out home of the same platform comes without a mapping: its sensor names say what each is.
        let recording = try TestPaths.sharedData("homes/homeassist-home1/home1-2017-01-16_to_2017-09-24.csv")
        let mapping = TestPaths.packageRoot.appendingPathComponent("deploy/mappings/homeassist-home1.yaml").path
        let mapped = try ReplayInput.load(path: recording.path, format: .homeassist, mappingPath: mapping)
        let inferred = try ReplayInput.load(path: recording.path, format: .homeassist, mappingPath: nil, home: "homeassist-home1")
        #expect(inferred.timeZone == "Europe/Paris")
        #expect(inferred.lines.count == mapped.lines.count)
        #expect(inferred.lines.map(\.topic) == mapped.lines.map(\.topic))
        #expect(inferred.lines.map(\.payload) == mapped.lines.map(\.payload))
        #expect(inferred.unmapped == mapped.unmapped)
        #expect(mapped.lines.contains { String(decoding: $0.payload, as: UTF8.self).contains(#""type":"battery""#) })
    }
}
