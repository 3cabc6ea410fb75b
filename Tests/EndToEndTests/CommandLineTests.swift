import CareHubTesting
import Foundation
import Mosquitto
import Testing

/// The built `carehub` as care staff and scripts use it, against databases filled by real runs of the hub.
@Suite(.serialized, .timeLimit(.minutes(3))) struct CommandLineTests {
    @Test(arguments: [["incidents", "list"], ["incidents", "show", "1"], ["events", "list"], ["status"]])
    func aCommandThatOnlyReadsNeverCreatesADatabase(arguments: [String]) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("nothing-here.sqlite")
        let result = try await CarehubCommand.run(arguments + ["--db", path])
        #expect(result.status == 3)
        #expect(result.standardError.hasPrefix("carehub: No CareHub database at \(path)"))
        #expect(result.standardError.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func mistakesOnTheCommandLineAreOneSentenceAndNonZero() async throws {
        let unknownOutcome = try await CarehubCommand.run(["incidents", "resolve", "1", "--by", "Sam", "--outcome", "fixed", "--db", "/nonexistent"])
        #expect(unknownOutcome.status == 64)
        #expect(unknownOutcome.standardError.contains("Unknown outcome \"fixed\""))
        let noName = try await CarehubCommand.run(["incidents", "ack", "1", "--db", "/nonexistent"])
        #expect(noName.status == 64)
        #expect(noName.standardError.contains("--by"))
        let badConfig = try await CarehubCommand.run(["status", "--config", "/nonexistent/carehub.yaml"])
        #expect(badConfig.status == 1)
        #expect(badConfig.standardError == "carehub: Cannot read the configuration file /nonexistent/carehub.yaml; check the path and its permissions.\n")
    }

    @Test(arguments: [["--help"], ["serve", "--help"], ["incidents", "list", "--help"], ["incidents", "show", "--help"],
                      ["incidents", "ack", "--help"], ["incidents", "resolve", "--help"], ["events", "list", "--help"], ["status", "--help"]])
    func everyCommandHasHelp(arguments: [String]) async throws {
        let result = try await CarehubCommand.run(arguments)
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("USAGE"))
        if arguments.count > 1 { #expect(result.standardOutput.contains("Examples")) }
    }

    @Test func everyReadingCommandPrintsTableJSONAndCSV() async throws {
        try await HubFixture.with { fixture in
            try await fixture.startHub()
            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            let now = ISO8601DateFormatter().string(from: Date())
            try await gateway.publish("carehub/v1/flat-1/pir-hall/event", #"{"id":"m1","ts":"\#(now)","type":"motion","value":true,"room":"hall"}"#)
            try await gateway.publish("carehub/v1/flat-1/door-front/event", #"{"id":"d1","ts":"\#(now)","type":"door","value":"open","room":"front_door"}"#)
            try await gateway.publish("carehub/v1/flat-2/pendant-1/event", #"{"id":"p1","ts":"\#(now)","type":"pendant","room":"lounge, by the TV"}"#)
            try await gateway.publish("carehub/v1/flat-2/pir-1/event", #"{"id":"bad","ts":"\#(now)","type":"motion","value":"yes"}"#)
            _ = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/flat-2/alert" }, timeout: .seconds(5))
            // The unreadable message was published last: wait until it is kept.
            try await fixture.waitUntil("SELECT COUNT(*) FROM refused_events", reaches: 1, timeout: .seconds(5))

            let table = try await fixture.carehub(["incidents", "list"])
            #expect(table.status == 0)
            #expect(table.standardOutput.hasPrefix("ID"))
            #expect(table.standardOutput.contains("pendant"))
            let csv = try await fixture.carehub(["incidents", "list", "--format", "csv"])
            let csvLines = csv.standardOutput.split(separator: "\n")
            #expect(csvLines.count == 2)
            #expect(csvLines.first?.hasPrefix("id,priority,kind,home,device,state") == true)

            let events = try #require(try await fixture.carehubJSON(["events", "list", "--home", "flat-1"]) as? [[String: Any]])
            #expect(Set(events.compactMap { $0["id"] as? String }) == ["m1", "d1"])
            let door = try #require(events.first { $0["id"] as? String == "d1" })
            #expect(door["value"] as? String == "open")
            #expect(door["type"] as? String == "door")
            #expect(door["received_at"] is String)
            let limited = try #require(try await fixture.carehubJSON(["events", "list", "--limit", "1"]) as? [[String: Any]])
            #expect(limited.count == 1)
            let recent = try #require(try await fixture.carehubJSON(["events", "list", "--since", "1h"]) as? [[String: Any]])
            #expect(recent.count == 3)
            let future = try #require(try await fixture.carehubJSON(["events", "list", "--since", "2099-01-01T00:00:00Z"]) as? [[String: Any]])
            #expect(future.isEmpty)
            let eventsCSV = try await fixture.carehub(["events", "list", "--home", "flat-2", "--format", "csv"])
            #expect(eventsCSV.standardOutput.contains("\"lounge, by the TV\""))
            let eventsTable = try await fixture.carehub(["events", "list"])
            #expect(eventsTable.standardOutput.hasPrefix("TS"))

            let status = try #require(try await fixture.carehubJSON(["status"]) as? [String: Any])
            #expect(status["events_stored"] as? Int == 3)
            #expect(status["events_refused"] as? Int == 1)
            #expect((status["incidents"] as? [String: Int]) == ["open": 1, "acknowledged": 0, "resolved": 0])
            #expect(status["last_event_at"] is String)
            #expect(status["disk_free_bytes"] is Int)
            let statusTable = try await fixture.carehub(["status"])
            #expect(statusTable.standardOutput.contains("events stored"))
            let statusCSV = try await fixture.carehub(["status", "--format", "csv"])
            #expect(statusCSV.standardOutput.hasPrefix("field,value\nevents_stored,3\n"))
            gateway.stop()
        }
    }

    @Test func theHubStopsCleanlyOnSIGTERMWithinFiveSeconds() async throws {
        try await HubFixture.with { fixture in
            let hub = try await fixture.startHub()
            let start = ContinuousClock.now
            hub.child.signal(SIGTERM)
            let exitStatus = await hub.child.waitForExit(timeout: .seconds(5))
            #expect(exitStatus == 0)
            #expect(ContinuousClock.now - start < .seconds(5))
            #expect(hub.child.log.contains("MQTT disconnected cleanly"))
            let status = try TestMQTTClient(port: fixture.broker.port, subscriptions: ["carehub/v1/hub/status"])
            let retained = try await status.waitForMessage(topic: { $0 == "carehub/v1/hub/status" }, timeout: .seconds(5))
            #expect(String(decoding: retained.message.payload, as: UTF8.self) == "offline")
            status.stop()
        }
    }
}
