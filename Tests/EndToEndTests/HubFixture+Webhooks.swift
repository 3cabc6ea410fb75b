import CareHubTesting
import Foundation

extension HubFixture {
    /// The secret of every webhook in the webhook tests, given to the hub as `CAREHUB_TEST_WEBHOOK_SECRET`.
    static let webhookSecret = "s3cret"

    /// Starts the hub with `configuration` (whose webhooks take `secret_env: CAREHUB_TEST_WEBHOOK_SECRET`) and
    /// returns a gateway connected to the broker.
    func startHubWithWebhooks(_ configuration: String) async throws -> TestMQTTClient {
        try await startHub(environment: ["CAREHUB_TEST_WEBHOOK_SECRET": Self.webhookSecret], configuration: configuration)
        let gateway = try TestMQTTClient(port: broker.port)
        try await gateway.waitUntilReady()
        return gateway
    }

    /// Publishes a press of `home`'s pendant-1, time-stamped now, as its gateway would.
    func pressPendant(_ gateway: TestMQTTClient, home: String, id: String) async throws {
        let now = ISO8601DateFormatter().string(from: Date())
        try await gateway.publish("carehub/v1/\(home)/pendant-1/event", #"{"id":"\#(id)","ts":"\#(now)","type":"pendant","room":"lounge"}"#)
    }
}
