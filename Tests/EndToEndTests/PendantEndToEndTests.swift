import CareHubTesting
import Foundation
import Mosquitto
import Testing

/// Simulator → mosquitto → the built hub → SQLite → alert, then care staff acting through the built CLI.
@Suite(.serialized, .timeLimit(.minutes(3))) struct PendantEndToEndTests {
    @Test func aPendantFromTheSimulatorBecomesAnIncidentWithinASecondAndStaffCanActOnIt() async throws {
        try await HubFixture.with { fixture in
            try await fixture.startHub()

            let simulator = try ChildProcess(
                executable: try TestPaths.python(),
                arguments: [TestPaths.packageRoot.appendingPathComponent("simulators/gateway.py").path,
                            "--port", "\(fixture.broker.port)", "--home", "flat-12", "--quiet",
                            "send", "--type", "pendant", "--device", "pendant-1", "--room", "lounge", "--id", "press-1"],
                logURL: fixture.directory.url.appendingPathComponent("gateway.log"))
            // A Python process starting beside eighty suites in parallel can take many seconds before it publishes.
            let pressTopic = "carehub/v1/flat-12/pendant-1/event"
            let started = ContinuousClock.now
            while fixture.watcher.messages(where: { $0 == pressTopic }).isEmpty, simulator.isRunning, ContinuousClock.now - started < .seconds(60) {
                try await Task.sleep(for: .milliseconds(10))
            }
            guard let sent = try? await fixture.watcher.waitForMessage(topic: { $0 == pressTopic }, timeout: .seconds(2)) else {
                throw TestSupportError("The simulator's press never reached the broker (simulator \(simulator.isRunning ? "still running" : "ended")):\n"
                                       + simulator.log.suffix(2000))
            }
            let alert = try await fixture.watcher.waitForMessage(
                topic: { $0 == "carehub/v1/flat-12/alert" }, payload: { $0.contains(#""state":"open""#) }, timeout: .seconds(5))
            let latency = alert.at - sent.at
            #expect(latency < .seconds(1), "pendant → alert took \(latency)")
            #expect(await simulator.waitForExit(timeout: .seconds(20)) == 0, "the gateway got no receipt: \(simulator.log)")
            let receipt = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/flat-12/receipt" }, timeout: .seconds(5))
            #expect(String(decoding: receipt.message.payload, as: UTF8.self).contains(#""id":"press-1""#))

            let alertJSON = try JSONSerialization.jsonObject(with: Data(alert.message.payload)) as? [String: Any]
            #expect(alertJSON?["kind"] as? String == "pendant")
            #expect(alertJSON?["priority"] as? String == "emergency")
            #expect(alertJSON?["home"] as? String == "flat-12")
            let incidentID = try #require(alertJSON?["incident"] as? String)

            let listed = try #require(try await fixture.carehubJSON(["incidents", "list"]) as? [[String: Any]])
            #expect(listed.count == 1)
            #expect(listed.first?["state"] as? String == "open")
            #expect(listed.first?["kind"] as? String == "pendant")

            let ack = try await fixture.carehub(["incidents", "ack", incidentID, "--by", "Sam Patel", "--note", "Calling her now"])
            #expect(ack.status == 0, "\(ack.standardError)")
            let secondAck = try await fixture.carehub(["incidents", "ack", incidentID, "--by", "Jo Evans"])
            #expect(secondAck.status == 4)
            #expect(secondAck.standardError.contains("already acknowledged by Sam Patel"))
            #expect(secondAck.standardError.split(separator: "\n").count == 1)
            _ = try await fixture.watcher.waitForMessage(
                topic: { $0 == "carehub/v1/flat-12/alert" }, payload: { $0.contains(#""state":"acknowledged""#) }, timeout: .seconds(2))

            let resolve = try await fixture.carehub(["incidents", "resolve", incidentID, "--by", "Sam Patel", "--outcome", "resident_ok"])
            #expect(resolve.status == 0, "\(resolve.standardError)")
            _ = try await fixture.watcher.waitForMessage(
                topic: { $0 == "carehub/v1/flat-12/alert" }, payload: { $0.contains(#""state":"resolved""#) }, timeout: .seconds(2))

            let shown = try #require(try await fixture.carehubJSON(["incidents", "show", incidentID]) as? [String: Any])
            #expect(shown["state"] as? String == "resolved")
            #expect(shown["acknowledged_by"] as? String == "Sam Patel")
            #expect(shown["resolved_by"] as? String == "Sam Patel")
            #expect(shown["outcome"] as? String == "resident_ok")
            let timeline = try #require(shown["timeline"] as? [[String: Any]])
            #expect(timeline.map { $0["action"] as? String } == ["opened", "acknowledged", "resolved"])
            #expect(timeline.map { $0["actor"] as? String } == ["carehub", "Sam Patel", "Sam Patel"])
            #expect((shown["trigger"] as? [String: Any])?["id"] as? String == "press-1")
            #expect((shown["events_before"] as? [[String: Any]])?.contains { $0["id"] as? String == "press-1" } == true)
            let notifications = try #require(shown["notifications"] as? [[String: Any]])
            #expect(notifications.map { $0["state"] as? String } == ["open", "acknowledged", "resolved"])
            #expect(notifications.allSatisfy { $0["delivered_at"] is String }, "every alert was delivered: \(notifications)")
            #expect(try fixture.count("SELECT COUNT(*) FROM incident_timeline") == 3)
        }
    }

    @Test func everyReSentCopyOfAnAlarmGetsAReceiptButRaisesOnce() async throws {
        try await HubFixture.with { fixture in
            try await fixture.startHub()
            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            let payload = #"{"id":"fall-77","ts":"\#(ISO8601DateFormatter().string(from: Date()))","type":"fall","room":"bathroom"}"#
            for _ in 0..<3 { try await gateway.publish("carehub/v1/flat-9/fall-1/event", payload) }
            let deadline = ContinuousClock.now.advanced(by: .seconds(5))
            while fixture.watcher.messages(where: { $0 == "carehub/v1/flat-9/receipt" }).count < 3, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let receipts = fixture.watcher.messages(where: { $0 == "carehub/v1/flat-9/receipt" }).map { String(decoding: $0.message.payload, as: UTF8.self) }
            #expect(receipts.count == 3)
            #expect(Set(receipts).count == 1, "every receipt carries the original stored_at")
            #expect(try fixture.count("SELECT COUNT(*) FROM events") == 1)
            // The rules raise the incident after ingest stored the event: wait for it, then make sure there is one.
            try await fixture.waitUntil("SELECT COUNT(*) FROM incidents", reaches: 1, timeout: .seconds(5))
            // Barrier: an event published after the copies, evaluated by the rules, so a copy that raised anything has.
            try await gateway.publish("carehub/v1/flat-9/pir-1/event", #"{"id":"after-copies","ts":"\#(ISO8601DateFormatter().string(from: Date()))","type":"motion","value":true}"#)
            try await fixture.waitUntilRulesEvaluated(home: "flat-9", event: "after-copies")
            #expect(try fixture.count("SELECT COUNT(*) FROM incidents") == 1)
            let status = try #require(try await fixture.carehubJSON(["status"]) as? [String: Any])
            #expect(status["duplicates_ignored"] as? Int == 2)
            gateway.stop()
        }
    }

    @Test func aSmokeSelfTestIsStoredAndAcknowledgedButRaisesNothing() async throws {
        try await HubFixture.with { fixture in
            try await fixture.startHub()
            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            let now = ISO8601DateFormatter().string(from: Date())
            try await gateway.publish("carehub/v1/flat-3/smoke-1/event", #"{"id":"s1","ts":"\#(now)","type":"smoke","value":true,"test":true}"#)
            _ = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/flat-3/receipt" }, timeout: .seconds(5))
            try await gateway.publish("carehub/v1/flat-3/smoke-1/event", #"{"id":"s2","ts":"\#(now)","type":"smoke","value":true}"#)
            _ = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/flat-3/alert" }, timeout: .seconds(5))
            let incidents = try #require(try await fixture.carehubJSON(["incidents", "list", "--state", "all"]) as? [[String: Any]])
            #expect(incidents.count == 1)
            #expect(incidents.first?["trigger_event"] as? String == "s2")
            gateway.stop()
        }
    }
}
