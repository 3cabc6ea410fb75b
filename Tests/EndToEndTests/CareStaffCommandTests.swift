import CareHubTesting
import Foundation
import Mosquitto
import Testing

/// The care team's commands against a database filled by a real run: note, assign, filters, audit, homes,
/// timeline and report, in every format.
@Suite(.serialized, .timeLimit(.minutes(2))) struct CareStaffCommandTests {
    @Test func aCareWorkerFindsActsOnAndReportsOnIncidents() async throws {
        try await HubFixture.with { fixture in
            try await fixture.startHub()
            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            let sentAt = Date()
            let now = ISO8601DateFormatter().string(from: sentAt)
            // The day the events fall on, so that a run across midnight still looks at them.
            let day = DateFormatter()
            day.dateFormat = "yyyy-MM-dd"
            day.timeZone = TimeZone(identifier: "Europe/London")
            let eventsDay = day.string(from: sentAt)
            try await gateway.publish("carehub/v1/flat-1/pir-hall/event", #"{"id":"m1","ts":"\#(now)","type":"motion","value":true,"room":"hall"}"#)
            try await gateway.publish("carehub/v1/flat-1/temp-1/event", #"{"id":"t1","ts":"\#(now)","type":"temperature","value":19,"room":"lounge","battery":9}"#)
            try await gateway.publish("carehub/v1/flat-1/pendant-1/event", #"{"id":"p1","ts":"\#(now)","type":"pendant","room":"lounge"}"#)
            try await gateway.publish("carehub/v1/flat-2/smoke-1/event", #"{"id":"s1","ts":"\#(now)","type":"smoke","value":true,"room":"kitchen"}"#)
            _ = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/flat-2/alert" }, timeout: .seconds(5))
            _ = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/flat-1/alert" }, payload: { $0.contains("low_battery") },
                                                         timeout: .seconds(5))

            // The most urgent first: emergencies before the technical low battery.
            let listed = try #require(try await fixture.carehubJSON(["incidents", "list"]) as? [[String: Any]])
            #expect(listed.map { $0["priority"] as? String } == ["emergency", "emergency", "technical"])
            let emergencies = try #require(try await fixture.carehubJSON(["incidents", "list", "--priority", "emergency", "--since", "1h"]) as? [[String: Any]])
            #expect(emergencies.count == 2)
            let pendantID = try #require(listed.first { $0["kind"] as? String == "pendant" }?["id"] as? Int)

            #expect(try await fixture.carehub(["incidents", "assign", "\(pendantID)", "--to", "Jo Evans", "--by", "Sam"]).status == 0)
            #expect(try await fixture.carehub(["incidents", "note", "\(pendantID)", "--by", "Jo Evans", "--text", "On my way"]).status == 0)
            let mine = try #require(try await fixture.carehubJSON(["incidents", "list", "--assignee", "Jo Evans"]) as? [[String: Any]])
            #expect(mine.map { $0["id"] as? Int } == [pendantID])
            #expect(try await fixture.carehub(["incidents", "ack", "\(pendantID)", "--by", "Jo Evans"]).status == 0)
            #expect(try await fixture.carehub(["incidents", "ack", "\(pendantID)", "--by", "Jo Evans"]).status == 0, "acknowledging twice yourself is no clash")
            for arguments in [["incidents", "list", "--home", "flat-99"], ["timeline", "flat-99"], ["events", "list", "--home", "flat-99"]] {
                let misspelt = try await fixture.carehub(arguments)
                #expect(misspelt.status == 5, "\(arguments) on an unknown home exited \(misspelt.status)")
                #expect(misspelt.standardError.contains("There is no home flat-99"))
            }
            #expect(try await fixture.carehub(["homes", "visit", "flat-1", "--for", "1h30m", "--by", "Jo"]).status == 0)
            #expect(try await fixture.carehub(["homes", "back", "flat-1", "--by", "Jo"]).status == 0)
            #expect(try await fixture.carehub(["incidents", "resolve", "\(pendantID)", "--by", "Jo Evans", "--outcome", "false_alarm"]).status == 0)

            let audit = try #require(try await fixture.carehubJSON(["audit", "list", "--home", "flat-1"]) as? [[String: Any]])
            let actions = audit.compactMap { $0["action"] as? String }
            for action in ["opened", "assigned", "note", "acknowledged", "resolved", "visit", "back"] {
                #expect(actions.contains(action), "audit lacks \(action)")
            }
            #expect(audit.allSatisfy { $0["home"] as? String == "flat-1" })

            let homes = try #require(try await fixture.carehubJSON(["homes", "list"]) as? [[String: Any]])
            #expect(homes.map { $0["home"] as? String } == ["flat-1", "flat-2"])
            let flat1 = try #require(try await fixture.carehubJSON(["homes", "show", "flat-1"]) as? [String: Any])
            #expect(flat1["devices_low_battery"] as? Int == 1)
            #expect(flat1["open_incidents"] as? Int == 1)
            #expect(flat1["status"] as? String == "at home")

            let timeline = try await fixture.carehub(["timeline", "flat-1", "--date", eventsDay])
            #expect(timeline.status == 0)
            #expect(timeline.standardOutput.contains("hall"))
            #expect(timeline.standardOutput.contains("pendant"))
            let timelineCSV = try await fixture.carehub(["timeline", "flat-1", "--date", eventsDay, "--format", "csv"])
            #expect(timelineCSV.standardOutput.hasPrefix("room,hour,activity\nhall,"))

            let report = try #require(try await fixture.carehubJSON(["report", "daily"]) as? [String: Any])
            let kinds = try #require(report["incidents_by_kind"] as? [[String: Any]])
            let pendant = try #require(kinds.first { $0["kind"] as? String == "pendant" })
            #expect(pendant["false_alarm_rate"] as? Double == 1.0)
            let response = try #require(report["time_to_acknowledge"] as? [String: Any])
            #expect(response["acknowledged"] as? Int == 1)
            #expect(response["within_60s"] as? Double == 1.0)
            let table = try await fixture.carehub(["report", "weekly"])
            #expect(table.standardOutput.contains("Time to acknowledge"))
            gateway.stop()
        }
    }

    @Test func completionScriptsAreGenerated() async throws {
        for shell in ["bash", "zsh", "fish"] {
            let result = try await CarehubCommand.run(["--generate-completion-script", shell])
            #expect(result.status == 0)
            #expect(result.standardOutput.contains("incidents"))
        }
    }
}
