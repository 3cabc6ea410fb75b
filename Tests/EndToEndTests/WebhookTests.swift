import CareHubTesting
import Crypto
import Foundation
import Mosquitto
import Testing

/// Webhooks against a real HTTP receiver on loopback: signed over timestamp, delivery id and body, retried
/// with backoff under one delivery id, every attempt stored; a channel that keeps failing raises a technical
/// incident instead of being abandoned, and names the webhook, never its URL.
@Suite(.serialized, .timeLimit(.minutes(2))) struct WebhookTests {
    /// A header of a recorded request, whatever its case.
    static func header(_ name: String, of request: [String: Any]) -> String? {
        (request["headers"] as? [String: String])?.first { $0.key.lowercased() == name.lowercased() }?.value
    }

    /// True when the request's signature is the HMAC of "<timestamp>.<delivery>.<body>" under `secret`, as a
    /// receiver following docs/webhooks.md checks it.
    static func isSigned(_ request: [String: Any], secret: String) -> Bool {
        guard let timestamp = header("X-CareHub-Timestamp", of: request), let delivery = header("X-CareHub-Delivery", of: request),
              let body = request["body"] as? String, let signature = header("X-CareHub-Signature", of: request)
        else { return false }
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).\(delivery).\(body)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return signature == "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Runs the receiver example of docs/webhooks.md (its secret read from the environment instead of a file)
    /// on each request in turn and returns its verdicts: "accept", "duplicate" or "refuse".
    static func documentedVerdicts(on requests: [[String: Any]], secret: String, in directory: TemporaryDirectory) async throws -> [String] {
        let page = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("docs/webhooks.md"), encoding: .utf8)
        let example = try #require(page.components(separatedBy: "```python\n").dropFirst().first?.components(separatedBy: "```").first)
        let secretLine = #"SECRET = open("/etc/oncall/carehub-webhook-secret", "rb").read().strip()"#
        #expect(example.contains(secretLine), "docs/webhooks.md's example reads its secret as this test expects")
        let script = example.replacingOccurrences(of: secretLine, with: #"import os; SECRET = os.environ["SECRET"].encode()"#) + """

            import email.message, json, sys
            for request in json.load(open(sys.argv[1])):
                headers = email.message.Message()  # case-insensitive, as a web framework's headers are
                for key, value in request["headers"].items():
                    headers[key] = value
                print(check(headers, request["body"].encode("utf-8")))
            """
        try script.write(toFile: directory.path("receiver-example.py"), atomically: true, encoding: .utf8)
        try JSONSerialization.data(withJSONObject: requests).write(to: directory.url.appendingPathComponent("requests.json"))
        let run = try ChildProcess(executable: URL(fileURLWithPath: "/usr/bin/python3"),
                                   arguments: [directory.path("receiver-example.py"), directory.path("requests.json")],
                                   environment: ["SECRET": secret], logURL: directory.url.appendingPathComponent("receiver-example.log"))
        #expect(await run.waitForExit(timeout: .seconds(20)) == 0, "\(run.log)")
        return run.log.split(separator: "\n").map(String.init)
    }

    @Test func anEmergencyIsPostedSignedAndRetriedUntilTheReceiverRecovers() async throws {
        let receiver = try await HTTPReceiver(failFirst: 2)
        let deadPort = try FreePort.find()
        try await HubFixture.with { fixture in
            let configuration = """
                rules:
                  bathroom_minutes: 0.02
                notifications:
                  give_up_after_minutes: 0.05
                  webhooks:
                    - name: oncall
                      url: http://127.0.0.1:\(receiver.port)/carehub
                      priorities: [emergency]
                      secret_env: CAREHUB_TEST_WEBHOOK_SECRET
                      timeout_seconds: 2
                    - name: standby-pager
                      url: http://127.0.0.1:\(deadPort)/nobody-home
                      priorities: [urgent]
                      secret_env: CAREHUB_TEST_WEBHOOK_SECRET
                      timeout_seconds: 1
                """
            let gateway = try await fixture.startHubWithWebhooks(configuration)
            try await fixture.pressPendant(gateway, home: "flat-6", id: "p1")

            let deadline = ContinuousClock.now.advanced(by: .seconds(20))
            while receiver.requests.count < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            let requests = receiver.requests
            #expect(requests.map { $0["status"] as? Int } == [500, 500, 200])
            let body = try #require(requests.last?["body"] as? String)
            #expect(body.contains(#""kind":"pendant""#))
            #expect(requests.allSatisfy { Self.isSigned($0, secret: HubFixture.webhookSecret) }, "every attempt is signed: \(requests)")
            #expect(!requests.contains { Self.isSigned($0, secret: "not-the-secret") })
            let verdicts = try await Self.documentedVerdicts(on: requests + [requests[0]], secret: HubFixture.webhookSecret, in: fixture.directory)
            #expect(verdicts == ["accept", "duplicate", "duplicate", "duplicate"],
                    "docs/webhooks.md's receiver takes the first attempt and knows the retries and a replay for what they are")
            let deliveries = Set(requests.compactMap { Self.header("X-CareHub-Delivery", of: $0) })
            #expect(deliveries.count == 1, "every retry of one alert carries its delivery id: \(deliveries)")
            let timestamps = requests.compactMap { Self.header("X-CareHub-Timestamp", of: $0).flatMap(Double.init) }
            #expect(timestamps.count == 3 && timestamps.allSatisfy { abs($0 - Date().timeIntervalSince1970) < 60 }, "\(timestamps)")
            #expect(try fixture.count("SELECT COUNT(*) FROM outbox_attempts a JOIN outbox o ON o.seq = a.outbox_seq WHERE o.channel = 'webhook' AND a.ok = 0") >= 2)
            let delivered = "SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND delivered_at IS NOT NULL"
            try await fixture.waitUntil(delivered, reaches: 1, timeout: .seconds(5))
            #expect(try fixture.count(delivered) == 1)

            // An urgent alert for a receiver that never answers: retried, and after 3 s a technical incident says so.
            let now = ISO8601DateFormatter().string(from: Date())
            try await gateway.publish("carehub/v1/flat-9/pir-bathroom/event",
                                      #"{"id":"b1","ts":"\#(now)","type":"motion","value":true,"room":"bathroom"}"#)
            _ = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/flat-9/alert" }, payload: { $0.contains("bathroom_long") },
                                                         timeout: .seconds(10))
            let failing = try await fixture.watcher.waitForMessage(
                topic: { $0 == "carehub/v1/hub/alert" }, payload: { $0.contains("notification_failed") }, timeout: .seconds(20))
            #expect(String(decoding: failing.message.payload, as: UTF8.self).contains("to the webhook standby-pager"))
            #expect(try fixture.count("SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND delivered_at IS NULL AND attempts >= 2") >= 1,
                    "the failing notification is still queued for retry")
            let status = try #require(try await fixture.carehubJSON(["status"]) as? [String: Any])
            #expect((status["outbox_failing"] as? Int ?? 0) >= 1)
            gateway.stop()
        }
        await receiver.stop()
    }

    @Test func anAttemptCutShortByAStopIsSentAgainAfterTheRestartUnderTheSameDeliveryID() async throws {
        let receiver = try await HTTPReceiver(answerAfter: 3)
        try await HubFixture.with { fixture in
            let configuration = """
                notifications:
                  webhooks:
                    - name: slow-desk
                      url: http://127.0.0.1:\(receiver.port)/carehub
                      secret_env: CAREHUB_TEST_WEBHOOK_SECRET
                      timeout_seconds: 10
                """
            let gateway = try await fixture.startHubWithWebhooks(configuration)
            try await fixture.pressPendant(gateway, home: "flat-4", id: "p1")
            _ = try await receiver.waitForRequest(containing: #""home":"flat-4""#, timeout: .seconds(10))

            // The hub is waiting for the answer when it is told to stop: it stops, and the row stays undelivered.
            let hub = try #require(fixture.hub)
            hub.child.signal(SIGTERM)
            #expect(await hub.child.waitForExit(timeout: .seconds(20)) == 0)
            let undelivered = "SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND delivered_at IS NULL"
            #expect(try fixture.count(undelivered) == 1, "an attempt cut short is not a delivery")

            _ = try await fixture.startHubWithWebhooks(configuration)
            let delivered = "SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND delivered_at IS NOT NULL"
            #expect(try await fixture.waitUntil(delivered, reaches: 1, timeout: .seconds(30)) == 1)
            let requests = receiver.requests
            #expect(requests.count >= 2)
            #expect(Set(requests.compactMap { Self.header("X-CareHub-Delivery", of: $0) }).count == 1, "one alert, one delivery id")
            #expect(requests.allSatisfy { Self.isSigned($0, secret: HubFixture.webhookSecret) })
            gateway.stop()
        }
        await receiver.stop()
    }
}
