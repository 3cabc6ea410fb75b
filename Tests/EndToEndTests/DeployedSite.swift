import CareHubTesting
import Foundation

/// The shipped broker configuration (`DeployedBroker`: TLS, passwords, ACL), a temporary database, and the built hub
/// connected to the broker over TLS with its own account and the shipped Zigbee2MQTT mapping.
final class DeployedSite: @unchecked Sendable {
    // @unchecked because `hub` is replaced only by the owning test, one call at a time.
    let broker: DeployedBroker
    let directory: TemporaryDirectory
    let database: DatabaseProbe
    private(set) var hub: HubProcess?
    private var hubStarts = 0

    static let accounts = ["carehub": "hub-secret", "carehub-live": "hub-secret", "home-a": "a-secret"]

    /// Runs `body` with a fresh site and always tears it down, even when `body` throws.
    static func with<T>(configurationEdits: [(String, String)] = [], _ body: (DeployedSite) async throws -> T) async throws -> T {
        try await withTearDown(try await DeployedSite(configurationEdits: configurationEdits), tearDown: { await $0.tearDown() }, body)
    }

    private init(configurationEdits: [(String, String)]) async throws {
        broker = try await DeployedBroker.start(accounts: Self.accounts, configurationEdits: configurationEdits)
        directory = try TemporaryDirectory(prefix: "carehub-deployed-site")
        database = DatabaseProbe(path: directory.path("carehub.sqlite"))
        let mapping = TestPaths.packageRoot.appendingPathComponent("deploy/mappings/zigbee2mqtt.yaml").path
        try broker.hubConfiguration(more: "gateways:\n  - mapping: \(mapping)\n")
            .write(toFile: directory.path("carehub.yaml"), atomically: true, encoding: .utf8)
    }

    /// Starts (or restarts) the hub, by default waiting until it is subscribed.
    @discardableResult
    func startHub(waitUntilReady: Bool = true) async throws -> HubProcess {
        hubStarts += 1
        let process = try HubProcess(databasePath: database.path, brokerPort: broker.port,
                                     logURL: directory.url.appendingPathComponent("hub-\(hubStarts).log"),
                                     extraArguments: ["--config", directory.path("carehub.yaml")])
        hub = process
        if waitUntilReady { try await process.waitUntilReady() }
        return process
    }

    /// Stops the hub gracefully (SIGTERM) and checks that it exited cleanly.
    func stopHub() async throws {
        guard let hub else { return }
        hub.child.signal(SIGTERM)
        guard await hub.child.waitForExit(timeout: .seconds(10)) == 0 else {
            throw TestSupportError("The hub did not stop cleanly on SIGTERM:\n\(hub.child.log.suffix(2000))")
        }
    }

    /// A gateway account's client, connected.
    func gateway(_ user: String) async throws -> TestMQTTClient {
        let client = try broker.client(user: user)
        try await client.waitUntilReady()
        return client
    }

    func tearDown() async {
        if let hub, hub.child.isRunning {
            hub.child.signal(SIGTERM)
            if await hub.child.waitForExit(timeout: .seconds(5)) == nil { await hub.child.kill() }
        }
        await broker.stop()
        directory.remove()
    }
}
