import CareHubTesting
import Foundation
import GRDB
import Testing

/// Erasure is complete while the hub runs (issue 11, item 9): nothing in any table or in the write-ahead log names
/// the home afterwards, the running hub forgets it (no rule state written back, no timer raising an incident for
/// it), and a home whose id differs only in case is untouched.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ErasureTests {
    static let erased = "Flat-X9"
    static let twin = "flat-x9"
    /// A device id found nowhere but in the erased home's rows.
    static let distinctive = "pendant-zq7"

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }

    @Test func erasingAHomeWhileTheHubRunsLeavesNoTraceAndTheHubForgetsIt() async throws {
        try await HubFixture.with { fixture in
            // Too long in the bathroom after 9 s: a timer each home holds in the running hub when it is erased.
            try await fixture.startHub(configuration: "rules:\n  bathroom_minutes: 0.15\n")
            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            for (home, pendant) in [(Self.erased, Self.distinctive), (Self.twin, "pendant-1")] {
                try await gateway.publish("carehub/v1/\(home)/\(pendant)/event", #"{"id":"p1","ts":"\#(Self.now())","type":"pendant"}"#)
                _ = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/\(home)/alert" }, timeout: .seconds(10))
                try await gateway.publish("carehub/v1/\(home)/pir-bath/event",
                                          #"{"id":"m1","ts":"\#(Self.now())","type":"motion","value":true,"room":"bathroom"}"#)
                try await gateway.publish("carehub/v1/\(home)/temp-1/event", #"{"id":"h1","ts":"\#(Self.now())","type":"heartbeat","room":"lounge"}"#)
            }
            try await fixture.waitUntil("SELECT COUNT(*) FROM timers WHERE home_id IN ('\(Self.erased)', '\(Self.twin)')", reaches: 2)
            let pendantIncident = try fixture.strings("SELECT id FROM incidents WHERE home_id = '\(Self.erased)' AND kind = 'pendant'")
            let acknowledged = try await fixture.carehub(["incidents", "ack", try #require(pendantIncident.first), "--by", "Sam", "--note", "On my way"])
            #expect(acknowledged.status == 0, "\(acknowledged.standardError)")

            let twinNotices = "SELECT COUNT(*) FROM outbox WHERE channel = 'mqtt' AND home_id = '\(Self.twin)'"
            let twinNoticesBefore = try fixture.count(twinNotices)
            let erasure = try await fixture.carehub(["erase", "--home", Self.erased, "--by", "DPO", "--yes"])
            #expect(erasure.status == 0, "\(erasure.standardError)")
            let alertsAtErasure = fixture.watcher.messages(where: { $0 == "carehub/v1/\(Self.erased)/alert" }).count

            // The twin's bathroom timer was set after the erased home's: once it has fired, so would the other have.
            _ = try await fixture.watcher.waitForMessage(
                topic: { $0 == "carehub/v1/\(Self.twin)/alert" }, payload: { $0.contains(#""kind":"bathroom_long""#) }, timeout: .seconds(30))
            // And the rules have written what they did since: a later pendant elsewhere is raised, so its step is done.
            try await gateway.publish("carehub/v1/barrier/pendant-1/event", #"{"id":"p1","ts":"\#(Self.now())","type":"pendant"}"#)
            _ = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/barrier/alert" }, timeout: .seconds(10))
            try await fixture.waitUntil("SELECT COUNT(*) FROM rule_states WHERE home_id = 'barrier'", reaches: 1)

            #expect(fixture.watcher.messages(where: { $0 == "carehub/v1/\(Self.erased)/alert" }).count == alertsAtErasure,
                    "the hub raised an incident for the erased home after the erasure")
            // Only the erasure's own audit entry names the home.
            for (text, expected) in [(Self.erased, ["data_audit": 1]), (Self.distinctive, [:])] {
                let naming = try Self.rowsNaming(text, fixture)
                #expect(naming == expected, "rows still naming \(text): \(naming)")
                let log = try Data(contentsOf: URL(fileURLWithPath: fixture.databasePath + "-wal"))
                #expect(log.range(of: Data(text.utf8)) == nil, "the write-ahead log (\(log.count) bytes) still holds \(text)")
            }
            // Deleted bytes were overwritten (secure_delete), not just unlinked.
            let file = try Data(contentsOf: URL(fileURLWithPath: fixture.databasePath))
            #expect(file.range(of: Data(Self.distinctive.utf8)) == nil, "the database file still holds \(Self.distinctive) in free space")
            #expect(try fixture.count("""
                SELECT COUNT(*) FROM data_audit WHERE action = 'erase' AND home_id = '\(Self.erased)' AND in_progress = 0 AND actor = 'DPO'
                """) == 1)
            #expect(try fixture.count("SELECT COUNT(*) FROM homes WHERE id = '\(Self.twin)'") == 1)
            #expect(try fixture.count(twinNotices) >= twinNoticesBefore + 1, "the twin's notifications were erased too")
            #expect(try fixture.count("SELECT COUNT(*) FROM events WHERE home_id = '\(Self.twin)'") == 3)
            #expect(try fixture.count("SELECT COUNT(*) FROM incidents WHERE home_id = '\(Self.twin)'") == 2)
            #expect(try fixture.count("SELECT COUNT(*) FROM devices WHERE home_id = '\(Self.twin)'") == 3)
            #expect(try fixture.count("SELECT COUNT(*) FROM rule_states WHERE home_id = '\(Self.twin)'") == 1)
            gateway.stop()
        }
    }

    /// For every table, how many rows have `text` in any column (byte for byte, so case counts); tables with none left out.
    static func rowsNaming(_ text: String, _ fixture: HubFixture) throws -> [String: Int] {
        var found: [String: Int] = [:]
        for table in try fixture.strings("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") {
            let columns = try fixture.strings("SELECT name FROM pragma_table_info('\(table)')")
            let condition = columns.map { "instr(CAST(\"\($0)\" AS BLOB), CAST('\(text)' AS BLOB)) > 0" }.joined(separator: " OR ")
            let count = try fixture.count("SELECT COUNT(*) FROM \"\(table)\" WHERE \(condition)")
            if count > 0 { found[table] = count }
        }
        return found
    }
}
