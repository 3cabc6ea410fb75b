import CareHubCore
@testable import CareHubService
import CareHubStore
import CareHubTesting
import Foundation
import Testing

/// The hub's metrics, scraped as Prometheus scrapes them, from a hub run in process on a manual clock against a real
/// mosquitto and a real SQLite file (`InProcessHub`); each test has a registry of its own (`HubOperations`), never the
/// process-global metrics system.
@Suite(.timeLimit(.minutes(3))) struct HubMetricsTests {
    @Test func eventsStoredAndRefusedAreCountedByReason() async throws {
        try await InProcessHub.with { fixture in
            let operations = HubOperations()
            try await fixture.run(operations: operations) {
                for index in 1...3 {
                    try await fixture.publishEvent(home: "anna", device: "pir-hall", id: "e-\(index)", type: "motion", value: "true")
                }
                try await fixture.watcher.publish("carehub/v1/anna/pir-hall/event", "not json")
                try await fixture.publishEvent(home: "anna", device: "pir-hall", id: "e-4", type: "teleport")
                try await fixture.waitUntil("SELECT COUNT(*) FROM refused_events", reaches: 2)
                let scrape = try await PrometheusScrape.waitUntil(operations, "carehub_events_refused_total{reason=\"unknown_type\"}", reaches: 1)
                #expect(scrape["carehub_events_stored_total"] == 3)
                #expect(scrape["carehub_events_refused_total{reason=\"invalid_json\"}"] == 1)
                #expect(scrape["carehub_events_refused_total{reason=\"unknown_type\"}"] == 1)
                #expect(scrape["carehub_events_refused_total{reason=\"quota\"}"] == 0, "every reason is there from the start")
                #expect((scrape["carehub_ingest_commit_duration_seconds_count"] ?? 0) >= 1, "no burst's commit was timed")
                #expect((scrape["carehub_rules_step_duration_seconds_count"] ?? 0) >= 1, "no rules step was timed")
                #expect(scrape.text.contains("# TYPE carehub_ingest_commit_duration_seconds histogram"))
            }
        }
    }

    /// Contract section 7: no home id or other personal data in any label. Real events, refusals, an incident and a
    /// failing webhook, then the whole text is searched for every id, name and topic the hub was sent.
    @Test func noHomeDeviceOrTopicAppearsAnywhereInTheMetrics() async throws {
        try await InProcessHub.with { fixture in
            let operations = HubOperations()
            try await fixture.run(operations: operations) {
                try await fixture.publishEvent(home: "home-zq7x", device: "pir-kp3w", id: "evt-mm41", type: "motion", value: "true", room: "kitchen")
                try await fixture.publishEvent(home: "home-zq7x", device: "pendant-vv2j", id: "evt-pp93", type: "pendant")
                try await fixture.watcher.publish("carehub/v1/home-rr5t/dev-bb8n/event", "{\"id\":\"evt-nn02\"}")
                try await fixture.waitUntil("SELECT COUNT(*) FROM incidents WHERE home_id = 'home-zq7x'", reaches: 1)
                try await fixture.waitUntil("SELECT COUNT(*) FROM refused_events", reaches: 1)
                let scrape = try await PrometheusScrape.waitUntil(operations, "carehub_incidents_open{priority=\"emergency\"}", reaches: 1)
                #expect(scrape["carehub_events_stored_total"] == 2, "the scrape is not of these events")
                for personal in ["home-zq7x", "pir-kp3w", "pendant-vv2j", "evt-mm41", "evt-pp93", "home-rr5t", "dev-bb8n", "evt-nn02", "kitchen",
                                 "carehub/v1"] {
                    #expect(!scrape.text.contains(personal), "the metrics name \(personal)")
                }
            }
        }
    }

    @Test func openIncidentsAreCountedByPriorityUntilAcknowledged() async throws {
        try await InProcessHub.with { fixture in
            let operations = HubOperations()
            try await fixture.run(operations: operations) {
                try await fixture.publishEvent(home: "anna", device: "pendant", id: "p-1", type: "pendant")
                try await fixture.publishEvent(home: "bert", device: "pendant", id: "p-1", type: "pendant")
                try await fixture.waitUntil("SELECT COUNT(*) FROM incidents WHERE kind = 'pendant'", reaches: 2)
                var scrape = try PrometheusScrape(operations)
                #expect(scrape["carehub_incidents_open{priority=\"emergency\"}"] == 2)
                #expect(scrape["carehub_incidents_open{priority=\"urgent\"}"] == 0)
                #expect(scrape["carehub_incidents_open{priority=\"technical\"}"] == 0)

                let database = try HubDatabase.openExisting(path: fixture.configuration.database.path, readOnly: false)
                let id = Int64(try fixture.database.count("SELECT id FROM incidents WHERE home_id = 'anna'"))
                _ = try IncidentStore(database: database).acknowledge(id, by: "carer", note: nil, at: fixture.clock.now)
                scrape = try PrometheusScrape(operations)
                #expect(scrape["carehub_incidents_open{priority=\"emergency\"}"] == 1, "an acknowledged incident is still counted open")
            }
        }
    }

    @Test func brokerConnectedFallsToZeroWhileTheBrokerIsDownAndReturnsToOne() async throws {
        try await InProcessHub.with { fixture in
            let operations = HubOperations()
            try await fixture.run(operations: operations) {
                let ready = try await PrometheusScrape.waitUntilReady(operations)
                #expect(ready.ready, "\(ready.reason)")
                #expect(try PrometheusScrape(operations)["carehub_broker_connected"] == 1)

                await fixture.broker.pause()
                let down = try await PrometheusScrape.waitUntil(operations) { $0["carehub_broker_connected"] == 0 }
                #expect(down["carehub_broker_connected"] == 0)
                let readiness = operations.readiness()
                #expect(!readiness.ready)
                #expect(readiness.reason.contains("not connected to the broker"), "\(readiness.reason)")

                try await fixture.broker.resume()
                let up = try await PrometheusScrape.waitUntil(operations) { $0["carehub_broker_connected"] == 1 }
                #expect(up["carehub_broker_connected"] == 1)
                let readyAgain = try await PrometheusScrape.waitUntilReady(operations)
                #expect(readyAgain.ready, "\(readyAgain.reason)")
                // The watcher is back too (it must see the hub announce itself offline: it reconnects on its own backoff,
                // and a publish fails until it has), and the hub stores again.
                let deadline = ContinuousClock.now.advanced(by: .seconds(30))
                while true {
                    do {
                        try await fixture.publishEvent(home: "anna", device: "pir-hall", id: "after", type: "motion", value: "true")
                        break
                    } catch where ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                try await fixture.waitUntil("SELECT COUNT(*) FROM events WHERE id = 'after'", reaches: 1)
            }
        }
    }

    /// A webhook that refuses every connection: its failures are counted, and the alert waiting for it is the outbox's
    /// backlog, aged on the hub's clock.
    @Test func webhookFailuresAndTheOutboxBacklogAreShown() async throws {
        try await InProcessHub.with { fixture in
            var fixture = fixture
            let closedPort = try FreePort.find()
            let secretFile = fixture.directory.path("webhook.secret")
            try "webhook-secret-value".write(toFile: secretFile, atomically: true, encoding: .utf8)
            fixture.configuration.webhooks = [.init(name: "care-desk", url: "http://127.0.0.1:\(closedPort)/hook", priorities: [.emergency],
                                                    secretFile: secretFile, secretEnv: nil, timeout: 5)]
            let operations = HubOperations()
            try await fixture.run(operations: operations) {
                try await fixture.publishEvent(home: "anna", device: "pendant", id: "p-1", type: "pendant")
                var scrape = try await PrometheusScrape.waitUntil(operations, "carehub_webhook_failures_total", reaches: 1)
                #expect((scrape["carehub_webhook_failures_total"] ?? 0) >= 1)
                #expect((scrape["carehub_outbox_backlog"] ?? 0) >= 1, "the webhook's alert is not in the backlog")
                fixture.clock.advance(by: 600)
                scrape = try PrometheusScrape(operations)
                #expect((scrape["carehub_outbox_oldest_age_seconds"] ?? 0) >= 600)
                #expect(!scrape.text.contains("care-desk"), "the metrics name the webhook")
            }
        }
    }
}
