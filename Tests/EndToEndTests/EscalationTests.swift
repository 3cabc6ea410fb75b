import CareHubTesting
import Foundation
import Mosquitto
import Testing

/// An emergency nobody acknowledges is re-notified with a rising escalation level until someone does.
@Suite(.serialized, .timeLimit(.minutes(2))) struct EscalationTests {
    @Test func anUnacknowledgedEmergencyEscalatesUntilAcknowledged() async throws {
        try await HubFixture.with { fixture in
            try await fixture.startHub(configuration: "escalation:\n  emergency_minutes: 0.02\n")
            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            let now = ISO8601DateFormatter().string(from: Date())
            try await gateway.publish("carehub/v1/flat-8/pendant-1/event", #"{"id":"p1","ts":"\#(now)","type":"pendant"}"#)
            let alert = { (text: String) in { (payload: String) in payload.contains(text) } }
            _ = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/flat-8/alert" }, payload: alert(#""state":"open""#), timeout: .seconds(20))
            let first = try await fixture.watcher.waitForMessage(
                topic: { $0 == "carehub/v1/flat-8/alert" }, payload: alert(#""level":1"#), timeout: .seconds(20))
            #expect(String(decoding: first.message.payload, as: UTF8.self).contains(#""state":"escalated""#))
            _ = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/flat-8/alert" }, payload: alert(#""level":2"#), timeout: .seconds(20))
            let ack = try await fixture.carehub(["incidents", "ack", "1", "--by", "Sam"])
            #expect(ack.status == 0)
            let levelAtAck = try fixture.count("SELECT escalation_level FROM incidents WHERE id = 1")
            // Barrier: a second emergency raised after the acknowledgement escalates in its turn; by then the first,
            // due earlier, would have escalated again had the acknowledgement not stopped it.
            try await gateway.publish("carehub/v1/flat-9/pendant-1/event", #"{"id":"p2","ts":"\#(ISO8601DateFormatter().string(from: Date()))","type":"pendant"}"#)
            _ = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/flat-9/alert" }, payload: alert(#""level":1"#), timeout: .seconds(10))
            #expect(try fixture.count("SELECT escalation_level FROM incidents WHERE id = 1") == levelAtAck, "escalated after acknowledgement")
            let shown = try #require(try await fixture.carehubJSON(["incidents", "show", "1"]) as? [String: Any])
            #expect((shown["escalation_level"] as? Int ?? 0) >= 2)
            let actions = (shown["timeline"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
            #expect(actions.filter { $0 == "escalated" }.count == levelAtAck)
            #expect(actions.last == "acknowledged")
            gateway.stop()
        }
    }
}
