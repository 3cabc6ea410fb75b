import CareHubCore
import CareHubService
import CareHubStore
import CareHubTesting
import Foundation
import GRDB
import Testing

@Suite struct HubDatabaseTests {
    @Test func aReadOnlyOpenNeverCreatesADatabase() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("missing.sqlite")
        #expect(throws: StoreError.missing(path)) { try HubDatabase.openExisting(path: path, readOnly: true) }
        #expect(throws: StoreError.missing(path)) { try HubDatabase.openExisting(path: path, readOnly: false) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aFileThatIsNotACareHubDatabaseIsNamedAsSuch() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("other.sqlite")
        try DatabaseQueue(path: path).write { try $0.execute(sql: "CREATE TABLE t (x)") }
        #expect { try HubDatabase.openExisting(path: path, readOnly: true) } throws: { error in
            "\(error)".contains("is not a CareHub database")
        }
        let garbage = directory.path("garbage.sqlite")
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: garbage))
        #expect { try HubDatabase.openExisting(path: garbage, readOnly: true) } throws: { error in
            "\(error)".contains("cannot be read") && "\(error)".contains("carehub db check")
        }
    }

    @Test func theHubCreatesItsDatabaseForItsGroupOnly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("var/carehub.sqlite")
        let database = try HubDatabase.openForHub(path: path)
        try database.checkWritable(at: Date(), version: "test")
        for file in [path, path + "-wal", path + "-shm"] {
            let permissions = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(permissions == 0o660, "\(file) is \(String(permissions ?? 0, radix: 8))")
        }
    }

    @Test func theRulesSeeEventsAfterTheirCheckpointOnly() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        for index in 1...5 {
            try fixture.receive(#"{"id":"h\#(index)","ts":"2026-11-29T10:14:00Z","type":"heartbeat"}"#)
        }
        let rules = RulesStore(database: fixture.database)
        #expect(try rules.events(after: 0, limit: 3).map(\.seq) == [1, 2, 3])
        try rules.apply([], checkpoint: 3, at: fixture.now)
        #expect(try rules.events(after: rules.checkpoint(), limit: 10).map(\.event.id) == ["h4", "h5"])
        try rules.apply([], checkpoint: 2, at: fixture.now)
        #expect(try rules.checkpoint() == 3)
    }

    @Test func aHomesRuleStateIsSavedWithItsSlashesUnescaped() throws {
        // Start-up decodes every home's state; base64 days are full of slashes, and "\/" sends the decoder down its
        // slow path (a hub of 100,000 homes took 0.5 s longer to start).
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        let saved = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/rule-state-arrays-2026-12-05.json")
        let state = try JSONDecoder().decode(HomeRuleState.self, from: Data(contentsOf: saved))
        try RulesStore(database: fixture.database).apply([], checkpoint: RulesStore.Checkpoint(), states: ["flat-1": state], at: fixture.now)
        let text = try fixture.database.writer.read { try String.fetchOne($0, sql: "SELECT state FROM rule_states WHERE home_id = 'flat-1'") }
        #expect(text?.contains("/") == true && text?.contains(#"\/"#) == false, "\(text ?? "")")
        #expect(try RulesStore(database: fixture.database).state(of: "flat-1") == state)
    }
}
