import CareHubTesting
import Crypto
import Foundation
import Mosquitto
import Testing

/// Webhooks against a real HTTP receiver on loopback: signed, retried with backoff, every attempt stored,
/// and a channel that keeps failing raises a technical incident instead of being abandoned.
@Suite(.serialized, .timeLimit(.minutes(2))) struct WebhookTests {
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
                    - url: http://127.0.0.1:\(receiver.port)/carehub
                      priorities: [emergency]
                      secret_env: CAREHUB_TEST_WEBHOOK_SECRET
                      timeout_seconds: 2
                    - url: http://127.0.0.1:\(deadPort)/nobody-home
                      priorities: [urgent]
                      secret_env: CAREHUB_TEST_WEBHOOK_SECRET
                      timeout_seconds: 1
                """
            try await fixture.startHub(environment: ["CAREHUB_TEST_WEBHOOK_SECRET": "s3cret"], configuration: configuration)
            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            let now = ISO8601DateFormatter().string(from: Date())
            try await gateway.publish("carehub/v1/flat-6/pendant-1/event", #"{"id":"p1","ts":"\#(now)","type":"pendant","room":"lounge"}"#)

            let deadline = ContinuousClock.now.advanced(by: .seconds(20))
            while receiver.requests.count < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            let requests = receiver.requests
            #expect(requests.map { $0["status"] as? Int } == [500, 500, 200])
            let last = try #require(requests.last)
            let body = try #require(last["body"] as? String)
            #expect(body.contains(#""kind":"pendant""#))
            let headers = try #require(last["headers"] as? [String: String])
            let mac = HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: SymmetricKey(data: Array("s3cret".utf8)))
            let signature = headers.first { $0.key.lowercased() == "x-carehub-signature" }?.value
            #expect(signature == "sha256=" + mac.map { String(format: "%02x", $0) }.joined())
            #expect(try fixture.count("SELECT COUNT(*) FROM outbox_attempts a JOIN outbox o ON o.seq = a.outbox_seq WHERE o.channel = 'webhook' AND a.ok = 0") >= 2)
            let delivered = "SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND delivered_at IS NOT NULL"
            try await fixture.waitUntil(delivered, reaches: 1, timeout: .seconds(5))
            #expect(try fixture.count(delivered) == 1)

            // An urgent alert for a receiver that never answers: retried, and after 3 s a technical incident says so.
            try await gateway.publish("carehub/v1/flat-9/pir-bathroom/event",
                                      #"{"id":"b1","ts":"\#(now)","type":"motion","value":true,"room":"bathroom"}"#)
            _ = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/flat-9/alert" }, payload: { $0.contains("bathroom_long") },
                                                         timeout: .seconds(10))
            let failing = try await fixture.watcher.waitForMessage(
                topic: { $0 == "carehub/v1/hub/alert" }, payload: { $0.contains("notification_failed") }, timeout: .seconds(20))
            #expect(String(decoding: failing.message.payload, as: UTF8.self).contains("nobody-home"))
            #expect(try fixture.count("SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND delivered_at IS NULL AND attempts >= 2") >= 1,
                    "the failing notification is still queued for retry")
            let status = try #require(try await fixture.carehubJSON(["status"]) as? [String: Any])
            #expect((status["outbox_failing"] as? Int ?? 0) >= 1)
            gateway.stop()
        }
        await receiver.stop()
    }
}
