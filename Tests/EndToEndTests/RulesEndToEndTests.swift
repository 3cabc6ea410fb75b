import CareHubTesting
import Foundation
import Mosquitto
import Testing

/// The rules running live in the built hub, with thresholds shrunk to seconds through the configuration.
@Suite(.serialized, .timeLimit(.minutes(3))) struct RulesEndToEndTests {
    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    static func motion(_ gateway: TestMQTTClient, home: String, room: String, id: String) async throws {
        try await gateway.publish("carehub/v1/\(home)/pir-\(room)/event",
                                  #"{"id":"\#(id)","ts":"\#(now())","type":"motion","value":true,"room":"\#(room)"}"#)
    }

    static func heartbeat(_ gateway: TestMQTTClient, home: String, id: String) async throws {
        try await gateway.publish("carehub/v1/\(home)/temp-lounge/event", #"{"id":"\#(id)","ts":"\#(now())","type":"heartbeat","room":"lounge"}"#)
    }

    @Test func tooLongInTheBathroomIsRaisedOnTheHubClockAndClearsWhenActivityResumes() async throws {
        try await HubFixture.with { fixture in
            try await fixture.startHub(configuration: "rules:\n  bathroom_minutes: 0.05\n")
            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            try await Self.motion(gateway, home: "flat-5", room: "bathroom", id: "m1")
            try await Self.heartbeat(gateway, home: "flat-5", id: "h1")
            let alert = try await fixture.watcher.waitForMessage(
                topic: { $0 == "carehub/v1/flat-5/alert" }, payload: { $0.contains(#""kind":"bathroom_long""#) }, timeout: .seconds(15))
            #expect(String(decoding: alert.message.payload, as: UTF8.self).contains(#""priority":"urgent""#))
            try await Self.motion(gateway, home: "flat-5", room: "hall", id: "m2")
            _ = try await fixture.watcher.waitForMessage(
                topic: { $0 == "carehub/v1/flat-5/alert" }, payload: { $0.contains(#""state":"resolved""#) }, timeout: .seconds(5))
            let incidents = try #require(try await fixture.carehubJSON(["incidents", "list", "--state", "all"]) as? [[String: Any]])
            #expect(incidents.count == 1)
            #expect(incidents.first?["resolved_by"] as? String == "carehub")
            let id = try #require(incidents.first?["id"] as? Int)
            let shown = try #require(try await fixture.carehubJSON(["incidents", "show", "\(id)"]) as? [String: Any])
            let timeline = try #require(shown["timeline"] as? [[String: Any]])
            #expect(timeline.last?["action"] as? String == "auto_resolved")
            #expect((timeline.last?["note"] as? String)?.contains("hall") == true)
            gateway.stop()
        }
    }

    @Test func theHubsOwnDowntimeIsNotAResidentsInactivity() async throws {
        try await HubFixture.with { fixture in
            // Inactivity after 4 quiet seconds, at any time of day.
            let configuration = "rules:\n  inactivity_any_time_hours: 0.0011\n  bathroom_minutes: 600\n"
            let hub = try await fixture.startHub(configuration: configuration)
            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            try await Self.motion(gateway, home: "flat-7", room: "lounge", id: "before")
            try await Task.sleep(for: .milliseconds(500))
            await hub.child.kill()
            // The resident keeps moving while the hub is down for 8 s; the broker keeps the events.
            for second in 0..<8 {
                try await Self.motion(gateway, home: "flat-7", room: second % 2 == 0 ? "kitchen" : "lounge", id: "during-\(second)")
                try await Task.sleep(for: .seconds(1))
            }
            try await fixture.startHub(configuration: configuration)
            try await Self.motion(gateway, home: "flat-7", room: "hall", id: "after")
            // Barrier: once the rules have evaluated the event published after the restart, a timer the outage set off
            // wrongly would already have raised its incident (the backlog before it was drained first).
            try await fixture.waitUntilRulesEvaluated(home: "flat-7", event: "after")
            let raised = try #require(try await fixture.carehubJSON(["incidents", "list", "--state", "all"]) as? [[String: Any]])
            #expect(raised.isEmpty, "the hub's downtime was reported as the resident's inactivity: \(raised)")
            #expect(try fixture.count("SELECT COUNT(*) FROM events WHERE home_id = 'flat-7'") == 10)
            // And the rule does fire once the resident is really quiet (heartbeats keep the home proved alive).
            for beat in 0..<8 {
                try await Self.heartbeat(gateway, home: "flat-7", id: "hb-\(beat)")
                try await Task.sleep(for: .seconds(1))
            }
            let alert = try await fixture.watcher.waitForMessage(
                topic: { $0 == "carehub/v1/flat-7/alert" }, payload: { $0.contains(#""kind":"inactivity""#) }, timeout: .seconds(10))
            #expect(String(decoding: alert.message.payload, as: UTF8.self).contains("temp-lounge"))
            gateway.stop()
        }
    }
}
