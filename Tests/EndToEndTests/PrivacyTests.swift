import CareHubTesting
import Foundation
import GRDB
import Mosquitto
import Testing

/// Retention, subject access and erasure (GDPR), on a database filled by a real run of the hub.
@Suite(.serialized, .timeLimit(.minutes(2))) struct PrivacyTests {
    @Test func exportShowsOneHomeAndEraseRemovesItLeavingOnlyTheAuditEntry() async throws {
        try await HubFixture.with { fixture in
            try await fixture.startHub()
            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            let now = ISO8601DateFormatter().string(from: Date())
            for home in ["home-a", "home-b"] {
                try await gateway.publish("carehub/v1/\(home)/pir-1/event", #"{"id":"m1","ts":"\#(now)","type":"motion","value":true,"room":"hall"}"#)
                try await gateway.publish("carehub/v1/\(home)/pendant-1/event", #"{"id":"p1","ts":"\#(now)","type":"pendant"}"#)
                _ = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/\(home)/alert" }, timeout: .seconds(5))
            }
            _ = try await fixture.carehub(["incidents", "ack", "1", "--by", "Sam"])

            _ = try await fixture.waitUntil("SELECT COUNT(*) FROM rule_states WHERE home_id = 'home-a'", reaches: 1, timeout: .seconds(20))
            let exported = try await fixture.carehub(["export", "--home", "home-a"])
            #expect(exported.status == 0, "\(exported.standardError)")
            let record = try #require(try JSONSerialization.jsonObject(with: Data(exported.standardOutput.utf8)) as? [String: Any])
            #expect((record["events"] as? [[String: Any]])?.count == 2)
            #expect((record["incidents"] as? [[String: Any]])?.count == 1)
            #expect((record["incident_timeline"] as? [[String: Any]])?.count == 2)
            #expect(!exported.standardOutput.contains("home-b"))
            let learned = try #require(record["learned_routine"] as? [String: Any], "what was learned about the resident, readable")
            #expect((learned["routine"] as? [String: Any])?["mode"] as? String == "learned")
            #expect(learned["quiet"] is [Any] && learned["trends"] is [Any])

            let refused = try await fixture.carehub(["erase", "--home", "home-a", "--by", "DPO"])
            #expect(refused.status == 64)
            #expect(refused.standardError.contains("--yes"))
            let erased = try await fixture.carehub(["erase", "--home", "home-a", "--by", "DPO", "--yes"])
            #expect(erased.status == 0, "\(erased.standardError)")
            for table in ["events", "incidents", "incident_timeline", "devices", "rule_states"] {
                #expect(try fixture.count("SELECT COUNT(*) FROM \(table) WHERE home_id = 'home-a'") == 0, "\(table) kept home-a")
            }
            #expect(try fixture.count("SELECT COUNT(*) FROM homes WHERE id = 'home-a'") == 0)
            #expect(try fixture.count("SELECT COUNT(*) FROM events WHERE home_id = 'home-b'") == 2)
            #expect(try fixture.count("SELECT COUNT(*) FROM incident_timeline WHERE home_id = 'home-b'") == 1)
            #expect(try fixture.count("SELECT COUNT(*) FROM data_audit WHERE action = 'erase' AND home_id = 'home-a' AND actor = 'DPO' AND in_progress = 0") == 1)

            // Outside an erasure the timeline and the audit stay append-only.
            let queue = try DatabaseQueue(path: fixture.databasePath)
            #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "DELETE FROM incident_timeline WHERE home_id = 'home-b'") } }
            #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "DELETE FROM data_audit") } }

            let purged = try await fixture.carehub(["purge", "--events-older-than", "1", "--by", "DPO"])
            #expect(purged.status == 0)
            #expect(try fixture.count("SELECT COUNT(*) FROM events WHERE home_id = 'home-b'") == 2, "recent events were purged")
            #expect(try fixture.count("SELECT COUNT(*) FROM data_audit WHERE action = 'purge'") == 1)
            gateway.stop()
        }
    }
}
