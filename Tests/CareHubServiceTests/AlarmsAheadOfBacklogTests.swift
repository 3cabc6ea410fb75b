import CareHubCore
@testable import CareHubService
import CareHubStore
import CareHubTesting
import Foundation
import GRDB
import Testing

/// The rules read stored events in order, a batch at a time. Behind a backlog (after an outage, thousands stored at
/// once), a pendant stored after them must not wait until every one has been evaluated: it is raised at once, ahead
/// of its turn, and when the rules reach it in order it changes nothing (one incident, one alert, no repeat). A
/// genuine second press, evaluated later in order, is still a repeat. Real SQLite, the rules runner the hub runs,
/// a manual clock.
@Suite struct AlarmsAheadOfBacklogTests {
    static let start = RFC3339.parse("2026-11-29T10:00:00Z") ?? Date()

    static func receive(_ store: Ingestor, home: String, id: String, type: String, value: String?, at offset: TimeInterval) throws {
        let topic = "carehub/v1/\(home)/dev-\(type)/event"
        let value = value.map { #","value":\#($0)"# } ?? ""
        let time = RFC3339.formatMilliseconds(start.addingTimeInterval(offset).millisecondsSince1970)
        let payload = Array(#"{"id":"\#(id)","ts":"\#(time)","type":"\#(type)"\#(value),"room":"lounge"}"#.utf8)
        let decoded = EventDecoder().decode(topic: topic, payload: payload, receivedAt: start.addingTimeInterval(offset))
        _ = try store.ingest(.contract(decoded), topic: topic, payload: payload, receivedAt: start.addingTimeInterval(offset))
    }

    @Test func aPendantBehindABacklogIsRaisedInTheFirstStepAndOnce() throws {
        let directory = try TemporaryDirectory(prefix: "carehub-alarms-ahead")
        defer { directory.remove() }
        let database = try HubDatabase.openForHub(path: directory.path("carehub.sqlite"), synchronous: .normal)
        let ingest = Ingestor(store: IngestStore(database: database), registration: .automatic, defaultTimeZone: "Europe/London")
        let backlog = RulesRunner.batchSize * 6
        for index in 0..<backlog {
            try Self.receive(ingest, home: "busy-\(index % 50)", id: "m\(index)", type: "motion", value: "true", at: Double(index) / 100)
        }
        try Self.receive(ingest, home: "anna-1", id: "press-1", type: "pendant", value: nil, at: 31)
        let store = RulesStore(database: database)
        var runner = try RulesRunner(store: store, settings: RuleSettingsBook(), now: Self.start.addingTimeInterval(32))
        func count(_ sql: String) throws -> Int { try database.writer.read { try Int.fetchOne($0, sql: sql) ?? -1 } }

        _ = try runner.step(now: Self.start.addingTimeInterval(32), timersMayFire: false)
        #expect(try count("SELECT last_event_seq FROM rules_checkpoint") <= RulesRunner.batchSize, "one batch evaluated")
        #expect(try count("SELECT COUNT(*) FROM incidents WHERE home_id = 'anna-1' AND kind = 'pendant'") == 1,
                "the pendant waited for the backlog")

        // A genuine second press, stored behind the rest of the backlog.
        try Self.receive(ingest, home: "anna-1", id: "press-2", type: "pendant", value: nil, at: 40)
        var steps = 0
        while steps < 100, try runner.step(now: Self.start.addingTimeInterval(41), timersMayFire: false).events > 0 { steps += 1 }
        #expect(try count("SELECT COUNT(*) FROM incidents WHERE home_id = 'anna-1'") == 1)
        #expect(try count("SELECT COUNT(*) FROM incident_timeline WHERE home_id = 'anna-1' AND action = 'repeat'") == 1,
                "the first press was announced again when the rules reached it, or the second press was not")
        #expect(try count("SELECT COUNT(*) FROM outbox WHERE notification = 'alert' AND home_id = 'anna-1'") == 2, "opened, then pressed again")
    }
}
