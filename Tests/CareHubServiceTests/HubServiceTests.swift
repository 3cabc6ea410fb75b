import CareHubCore
@testable import CareHubService
import CareHubTesting
import Foundation
import Mosquitto
import Testing

/// The hub as a `Service`, run in the test process on a manual clock against a real mosquitto and a real SQLite file:
/// ingest, the rules' timers, the notifier and the backlog gate, each ending in a graceful shutdown that must end the
/// hub cleanly (`InProcessHub.run`).
@Suite(.timeLimit(.minutes(2))) struct HubServiceTests {
    @Test func anEventPublishedIsStoredWithTheTimeOfTheHubsClock() async throws {
        try await InProcessHub.with { fixture in
            try await fixture.run {
                try await fixture.publishEvent(home: "anna", device: "pir-hall", id: "e-1", type: "motion", value: "true", room: "hall",
                                               at: InProcessHub.time("11:59:58"))
                try await fixture.watcher.publish("carehub/v1/anna/pir-hall/event", "not json")
                try await fixture.waitUntil("SELECT COUNT(*) FROM refused_events", reaches: 1)
                let stored = try fixture.database.strings("""
                    SELECT home_id || ' ' || id || ' ' || device_id || ' ' || type || ' ' || value || ' ' || ts || ' ' || received_at
                    FROM events
                    """)
                #expect(stored == ["anna e-1 pir-hall motion true \(InProcessHub.time("11:59:58").millisecondsSince1970) "
                    + "\(InProcessHub.noon.millisecondsSince1970)"])
            }
        }
    }

    @Test func aBathroomTimerFiresOnceTheManualClockPassesItsDeadlineAndNotBefore() async throws {
        try await InProcessHub.with { fixture in
            try await fixture.run {
                try await fixture.publishEvent(home: "anna", device: "pir-bathroom", id: "m-1", type: "motion", value: "true", room: "bathroom")
                // The motion is evaluated (and its deadline, 12:45, scheduled) no later than this press.
                try await fixture.rulesBarrier(home: "barrier-1")

                fixture.clock.set(InProcessHub.time("12:44:59"))
                try await fixture.rulesBarrier(home: "barrier-2")
                #expect(try fixture.incidents(home: "anna", kind: "bathroom_long") == 0, "the timer fired before its deadline")

                fixture.clock.set(InProcessHub.time("12:45:01"))
                try await fixture.waitUntil("SELECT COUNT(*) FROM incidents WHERE home_id = 'anna' AND kind = 'bathroom_long'", reaches: 1)
                #expect(try fixture.database.count("SELECT opened_at FROM incidents WHERE kind = 'bathroom_long'")
                    == Int(InProcessHub.time("12:45:01").millisecondsSince1970))
            }
        }
    }

    @Test func aPendantsReceiptAndAlertArePublished() async throws {
        try await InProcessHub.with { fixture in
            try await fixture.run {
                try await fixture.publishEvent(home: "anna", device: "pendant-1", id: "p-1", type: "pendant")
                let receipt = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/anna/receipt" }, timeout: .seconds(30))
                let alert = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/anna/alert" }, timeout: .seconds(30))
                let receiptFields = try JSONSerialization.jsonObject(with: Data(receipt.message.payload)) as? [String: Any]
                #expect(receiptFields?["id"] as? String == "p-1")
                #expect(receiptFields?["stored_at"] as? String == RFC3339.format(InProcessHub.noon))
                let alertFields = try JSONSerialization.jsonObject(with: Data(alert.message.payload)) as? [String: Any]
                #expect(alertFields?["home"] as? String == "anna")
                #expect(alertFields?["kind"] as? String == "pendant")
                #expect(alertFields?["priority"] as? String == "emergency")
                #expect(alertFields?["state"] as? String == "open")
                #expect(alertFields?["at"] as? String == RFC3339.format(InProcessHub.noon))
            }
        }
    }

    /// The hub's downtime must not become a resident's time in the bathroom: timers already due when the hub starts wait
    /// until the broker's backlog for the hub is in, which the backlog sentinel's return proves.
    @Test func ruleTimersWaitUntilTheBacklogSentinelHasComeBack() async throws {
        try await InProcessHub.with { fixture in
            // First run: the hub's persistent session exists; Anna and Bert are seen in their bathrooms at noon.
            try await fixture.run {
                try await fixture.publishEvent(home: "anna", device: "pir-bathroom", id: "a-1", type: "motion", value: "true", room: "bathroom")
                try await fixture.publishEvent(home: "bert", device: "pir-bathroom", id: "b-1", type: "motion", value: "true", room: "bathroom")
                try await fixture.rulesBarrier(home: "barrier-1")
            }
            // While the hub is down the broker queues for it: Anna left the bathroom at 12:20; a pendant at 12:30 elsewhere.
            try await fixture.publishEvent(home: "anna", device: "pir-hall", id: "a-2", type: "motion", value: "true", room: "hall",
                                           at: InProcessHub.time("12:20:00"))
            try await fixture.publishEvent(home: "barrier-2", device: "pendant", id: "press", type: "pendant", at: InProcessHub.time("12:30:00"))
            // The hub comes back at 13:00: both bathroom deadlines (12:45) are overdue as it starts.
            fixture.clock.set(InProcessHub.time("13:00:00"))

            let hold = SentinelHold()
            try await fixture.run(interceptBursts: hold.interceptor) {
                try await hold.waitUntilHolding()
                // The backlog is stored and evaluated at 13:00 (the press raised its incident), the sentinel held back. Both
                // deadlines were scheduled when the rules started, so a step that evaluated the press would have fired them.
                try await fixture.waitUntil("SELECT COUNT(*) FROM incidents WHERE home_id = 'barrier-2' AND kind = 'pendant'", reaches: 1)
                #expect(try fixture.incidents(home: "anna", kind: "bathroom_long") == 0, "a timer fired while the backlog was held")
                #expect(try fixture.incidents(home: "bert", kind: "bathroom_long") == 0, "a timer fired while the backlog was held")
                // Time passes on the hub's clock; the sentinel is still held.
                fixture.clock.set(InProcessHub.time("13:30:00"))
                try await fixture.modeChangeBarrier(home: "barrier-2")
                #expect(try fixture.incidents(home: "bert", kind: "bathroom_long") == 0, "a timer fired while the backlog was held")

                hold.release()
                try await fixture.waitUntil("SELECT COUNT(*) FROM incidents WHERE home_id = 'bert' AND kind = 'bathroom_long'", reaches: 1)
                #expect(try fixture.incidents(home: "anna", kind: "bathroom_long") == 0, "Anna's move to the hall, queued by the broker, was ignored")
            }
        }
    }

    /// The service group logs each service it runs (at debug level) by its description: the hub's would hold the whole
    /// configuration, and the notifier's its webhooks, URL and secret.
    @Test func theHubNeverLogsAWebhooksURLOrSecretEvenAtTraceLevel() async throws {
        try await InProcessHub.with { fixture in
            var fixture = fixture
            let secretFile = fixture.directory.path("webhook.secret")
            try "webhook-secret-value".write(toFile: secretFile, atomically: true, encoding: .utf8)
            fixture.configuration.webhooks = [.init(name: "care-desk", url: "http://127.0.0.1:9/hook?token=url-token-value",
                                                    priorities: [.emergency], secretFile: secretFile, secretEnv: nil, timeout: 5)]
            let log = CapturedLog()
            try await fixture.run(logger: log.logger(label: "carehub")) {}
            #expect(log.text.contains("CareHub ready"), "the captured log is not the hub's")
            #expect(!log.text.contains("url-token-value"), "the webhook's URL was logged")
            #expect(!log.text.contains("webhook-secret-value"))
            #expect(!log.text.contains(Array("webhook-secret-value".utf8).description), "the webhook's secret was logged")
        }
    }
}
