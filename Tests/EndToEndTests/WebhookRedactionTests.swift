import CareHubTesting
import Foundation
import Mosquitto
import Testing

/// A webhook URL may carry a token in its path or query, so the hub never repeats it: not in its log, not
/// in incident text or alerts, not in `incidents show` or `status`, not anywhere in its database.
@Suite(.serialized, .timeLimit(.minutes(2))) struct WebhookRedactionTests {
    @Test func aFailingWebhooksURLIsInNoLogIncidentAlertCommandOrTable() async throws {
        let deadPort = try FreePort.find()
        let secrets = ["T0KEN-in-the-path-5ecret", "qu3ry-5ecret", "/hooks/"]
        let name = "127.0.0.1:\(deadPort)"
        try await HubFixture.with { fixture in
            // No name is given, so the webhook is known by its host and port.
            let configuration = """
                notifications:
                  give_up_after_minutes: 0.05
                  webhooks:
                    - url: "http://127.0.0.1:\(deadPort)/hooks/T0KEN-in-the-path-5ecret?token=qu3ry-5ecret"
                      secret_env: CAREHUB_TEST_WEBHOOK_SECRET
                      timeout_seconds: 1
                """
            let gateway = try await fixture.startHubWithWebhooks(configuration)
            try await fixture.pressPendant(gateway, home: "flat-3", id: "p1")
            let alert = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/flat-3/alert" }, timeout: .seconds(10))
            let failing = try await fixture.watcher.waitForMessage(
                topic: { $0 == "carehub/v1/hub/alert" }, payload: { $0.contains("notification_failed") }, timeout: .seconds(20))
            try await fixture.waitUntil("SELECT COUNT(*) FROM outbox_attempts WHERE ok = 0", reaches: 2, timeout: .seconds(10))
            gateway.stop()

            let failingJSON = try #require(try JSONSerialization.jsonObject(with: Data(failing.message.payload)) as? [String: Any])
            let alertJSON = try #require(try JSONSerialization.jsonObject(with: Data(alert.message.payload)) as? [String: Any])
            let failingID = try #require(failingJSON["incident"] as? String)
            let pendantID = try #require(alertJSON["incident"] as? String)
            var places: [(String, String)] = [("the hub's log", try #require(fixture.hub).child.log)]
            for message in fixture.watcher.messages() {
                places.append(("MQTT \(message.message.topic)", message.message.topic + " " + String(decoding: message.message.payload, as: UTF8.self)))
            }
            for arguments in [["incidents", "list", "--state", "all"], ["incidents", "show", failingID], ["incidents", "show", pendantID], ["status"]] {
                for format in ["table", "json"] {
                    let result = try await fixture.carehub(arguments + ["--format", format])
                    #expect(result.status == 0, "\(arguments): \(result.standardError)")
                    places.append(("carehub \(arguments.joined(separator: " ")) --format \(format)", result.standardOutput + result.standardError))
                }
            }
            for file in ["carehub.sqlite", "carehub.sqlite-wal"] {
                let bytes = FileManager.default.contents(atPath: fixture.directory.path(file)) ?? Data()
                places.append(("the database file \(file)", String(decoding: bytes.map { $0 < 0x80 ? $0 : 0x3F }, as: UTF8.self)))
            }
            for (place, text) in places {
                for secret in secrets {
                    let line = text.split(separator: "\n").first { $0.contains(secret) }.map { String($0.prefix(300)) }
                    #expect(line == nil, "\(place) repeats the webhook URL: \(line ?? "")")
                }
            }

            // What is said instead: the webhook's name.
            #expect((failingJSON["summary"] as? String)?.contains("to the webhook \(name) has failed") == true, "\(failingJSON)")
            let shown = try #require(try await fixture.carehubJSON(["incidents", "show", pendantID]) as? [String: Any])
            let targets = (shown["notifications"] as? [[String: Any]] ?? []).map { "\($0["channel"] ?? "") \($0["target"] ?? "")" }
            #expect(targets.contains("webhook \(name)"), "\(targets)")
            #expect(try #require(fixture.hub).child.log.contains(name))
            let status = try #require(try await fixture.carehubJSON(["status"]) as? [String: Any])
            #expect(status["outbox_failing_targets"] as? [String] == ["webhook \(name)"], "\(status)")
        }
    }
}
