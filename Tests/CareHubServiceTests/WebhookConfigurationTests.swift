import CareHubCore
import CareHubService
import Foundation
import Testing

/// Webhook settings: plain http only to this machine, every webhook known by a name, never by its URL, and
/// the signature covers the timestamp, the delivery id and the body.
@Suite struct WebhookConfigurationTests {
    private func webhooks(_ entries: String) throws -> [HubConfiguration.WebhookSettings] {
        try HubConfiguration.parse(yaml: "notifications:\n  webhooks:\n" + entries, source: "carehub.yaml").webhooks
    }

    private func refusal(_ entries: String) -> String? {
        do {
            _ = try webhooks(entries)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: ["http://127.0.0.1:8080/hook", "http://127.3.4.5/hook", "http://localhost:9000/hook", "http://LOCALHOST/hook",
                      "http://[::1]:8080/hook", "https://oncall.example.org/hook"])
    func plainHTTPIsAcceptedOnlyToThisMachine(url: String) throws {
        #expect(try webhooks("    - {url: \"\(url)\", secret_env: S}\n").count == 1)
    }

    @Test(arguments: ["http://oncall.example.org/hooks/T0KEN", "http://10.0.0.7/hooks/T0KEN", "http://128.0.0.1/hooks/T0KEN",
                      "http://[::2]/hooks/T0KEN", "http://127.0.0.1.example.org/hooks/T0KEN"])
    func plainHTTPElsewhereIsRefusedInOneSentenceThatNamesTheSetting(url: String) throws {
        let message = try #require(refusal("    - {url: \"\(url)\", secret_env: S}\n"))
        #expect(message == """
            In carehub.yaml at line 3, notifications.webhooks[0].url must use https: plain http is allowed only to this machine \
            (127.0.0.0/8, ::1 or localhost).
            """)
    }

    @Test func aURLThatIsNotHTTPIsRefusedWithoutBeingRepeated() throws {
        let message = try #require(refusal("    - {url: \"ftp://files.example.org/T0KEN\", secret_env: S}\n"))
        #expect(message == "In carehub.yaml at line 3, notifications.webhooks[0].url must be an https URL.")
    }

    @Test func aWebhookIsNamedByItsHostUnlessGivenAName() throws {
        let parsed = try webhooks("""
                - {url: "https://oncall.example.org/hooks/T0KEN", secret_env: S}
                - {url: "http://127.0.0.1:8080/hooks/T0KEN", secret_env: S}
                - {name: night-desk, url: "https://oncall.example.org/other?token=T0KEN", secret_env: S}

            """)
        #expect(parsed.map(\.name) == ["oncall.example.org", "127.0.0.1:8080", "night-desk"])
    }

    @Test func twoWebhooksCannotShareAName() throws {
        let message = try #require(refusal("""
                - {url: "https://oncall.example.org/a", secret_env: S}
                - {url: "https://oncall.example.org/b", secret_env: S}

            """))
        #expect(message.contains("notifications.webhooks[1] has the name \"oncall.example.org\" of an earlier webhook"), "\(message)")
        #expect(message.hasSuffix("give each webhook its own name."))
        let badName = try #require(refusal("    - {name: \"on call\", url: \"https://oncall.example.org/a\", secret_env: S}\n"))
        #expect(badName.contains("notifications.webhooks[0].name must be"), "\(badName)")
    }

    @Test func theSignatureCoversTimestampDeliveryAndBody() {
        let secret = Array("s3cret".utf8)
        let body = Array(#"{"a":1}"#.utf8)
        // Python: hmac.new(b"s3cret", b'1764843300.42-1764843299512.{"a":1}', hashlib.sha256).hexdigest()
        let signature = Webhook.signature(timestamp: 1_764_843_300, delivery: "42-1764843299512", body: body, secret: secret)
        #expect(signature == "sha256=5127cbe1a3775dc0c7a5bfc246457cc438a91ce987a9b0cd977af1fb3aebb114")
        #expect(Webhook.signature(timestamp: 1_764_843_301, delivery: "42-1764843299512", body: body, secret: secret) != signature)
        #expect(Webhook.signature(timestamp: 1_764_843_300, delivery: "43-1764843299512", body: body, secret: secret) != signature)
        #expect(Webhook.signature(timestamp: 1_764_843_300, delivery: "42-1764843299512", body: body + [0x20], secret: secret) != signature)
    }

    @Test func theDeliveryIDIsTheRowAndWhenItWasQueued() {
        #expect(Webhook.deliveryID(seq: 42, queuedAt: Date(timeIntervalSince1970: 1_764_843_299.512)) == "42-1764843299512")
    }
}
