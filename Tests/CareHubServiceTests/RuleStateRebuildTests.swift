import CareHubCore
@testable import CareHubService
import CareHubStore
import CareHubTesting
import Foundation
import GRDB
import Testing

/// A home whose saved rule state cannot be read (damaged, or written by another version) is rebuilt from its
/// events, never dropped: dropped, a resident who went quiet before the restart would never be missed.
@Suite struct RuleStateRebuildTests {
    static func at(_ time: String) -> Date { RFC3339.parse("2026-11-29T\(time):00Z") ?? Date.distantPast }

    static func receive(_ store: Ingestor, device: String, id: String, type: String, value: String?, at time: String) throws {
        let topic = "carehub/v1/anna-1/\(device)/event"
        let value = value.map { #","value":\#($0)"# } ?? ""
        let payload = Array(#"{"id":"\#(id)","ts":"2026-11-29T\#(time):00Z","type":"\#(type)"\#(value),"room":"lounge"}"#.utf8)
        let decoded = EventDecoder().decode(topic: topic, payload: payload, receivedAt: at(time))
        _ = try store.ingest(.contract(decoded), topic: topic, payload: payload, receivedAt: at(time))
    }

    @Test func aHomeWhoseSavedStateCannotBeReadIsRebuiltAndStillMissed() throws {
        let directory = try TemporaryDirectory(prefix: "carehub-rebuild")
        defer { directory.remove() }
        let database = try HubDatabase.openForHub(path: directory.path("carehub.sqlite"), synchronous: .normal)
        let ingest = Ingestor(store: IngestStore(database: database), registration: .automatic, defaultTimeZone: "Europe/London")
        // Last movement at 09:00; the pendant's heartbeats prove the home alive until 12:30.
        try Self.receive(ingest, device: "pir-lounge", id: "m1", type: "motion", value: "true", at: "09:00")
        for (index, time) in ["09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30"].enumerated() {
            try Self.receive(ingest, device: "pendant-1", id: "h\(index)", type: "heartbeat", value: nil, at: time)
        }
        let store = RulesStore(database: database)
        var before = try RulesRunner(store: store, settings: RuleSettingsBook(), now: Self.at("12:31"))
        _ = try before.step(now: Self.at("12:31"), timersMayFire: true, forceWrite: true)
        #expect(try store.states().states.map(\.home) == ["anna-1"])

        try database.writer.write { try $0.execute(sql: #"UPDATE rule_states SET state = '{"damaged":' WHERE home_id = 'anna-1'"#) }
        var after = try RulesRunner(store: store, settings: RuleSettingsBook(), now: Self.at("12:40"))
        #expect(after.rebuilt.map(\.home) == ["anna-1"])
        #expect(after.rebuilt.first?.events == 8)
        _ = try after.step(now: Self.at("13:05"), timersMayFire: true)
        let kinds = try database.writer.read { try String.fetchAll($0, sql: "SELECT kind FROM incidents WHERE home_id = 'anna-1'") }
        #expect(kinds == ["inactivity"], "four quiet hours since 09:00 went unnoticed after the restart: \(kinds)")
        #expect(try store.states().undecodable.isEmpty, "the rebuilt state was written back")
    }
}
