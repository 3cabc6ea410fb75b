import CareHubTesting
import Foundation
import Mosquitto
import Testing

/// The shipped broker configuration (`deploy/mosquitto/`): TLS, passwords and the ACL, started for real with only
/// its paths and port rewritten (`DeployedBroker`).
@Suite(.serialized, .timeLimit(.minutes(2))) struct DeployedBrokerTests {
    /// Every account the tests use: the hub, the monitor, two gateways, gateways named after the reserved home ids
    /// `hub` and `_unassigned` (contract v1.1 section 1; an installer's mistake the ACL must survive), and an observer.
    static let accounts = [
        "carehub": "hub-secret", "carehub-monitor": "monitor-secret", "home-a": "a-secret", "home-b": "b-secret",
        "hub": "hub-home-secret", "_unassigned": "unassigned-secret", "observer": "observer-secret",
    ]
    /// Added to the test's copy of the ACL only: an account that reads every topic, to see what gets through.
    static let observerACL = "user observer\ntopic read #\n"

    static func start() async throws -> DeployedBroker {
        try await DeployedBroker.start(accounts: accounts, extraACL: observerACL)
    }

    /// Connects `user`'s client and waits until it is subscribed.
    static func connect(
        _ broker: DeployedBroker, _ user: String, clientID: String? = nil, cleanSession: Bool = true, subscriptions: [String] = [],
        states: StateLog? = nil
    ) async throws -> TestMQTTClient {
        let client = try broker.client(user: user, clientID: clientID, cleanSession: cleanSession, subscriptions: subscriptions,
                                       onState: { state in states?.append(state) })
        try await client.waitUntilReady()
        return client
    }

    @Test func gatewaysAreConfinedToTheirHomeAndStrangersAreRefused() async throws {
        let broker = try await Self.start()
        let hub = try await Self.connect(broker, "carehub", subscriptions: ["carehub/v1/+/+/event", "carehub/v1/+/gateway/status"])
        let gateway = try await Self.connect(broker, "home-a")
        try await gateway.publish("carehub/v1/home-a/pir-1/event", #"{"id":"a1"}"#)
        try await gateway.publish("carehub/v1/home-b/pir-1/event", #"{"id":"spoof"}"#)
        try await gateway.publish("carehub/v1/home-a/pir-1/event", #"{"id":"a2"}"#)
        _ = try await hub.waitForMessage(topic: { $0 == "carehub/v1/home-a/pir-1/event" }, payload: { $0.contains("a2") }, timeout: .seconds(5))
        let seen = hub.messages().map(\.message.topic)
        #expect(seen.filter { $0 == "carehub/v1/home-a/pir-1/event" }.count == 2)
        #expect(!seen.contains("carehub/v1/home-b/pir-1/event"), "home A's gateway published for home B")

        for (user, password) in [(nil, nil), ("home-a", "wrong"), ("nobody", "x") as (String?, String?)] {
            let states = StateLog()
            let stranger = try broker.client(user: user, password: password ?? "", onState: states.append)
            await #expect(throws: (any Error).self) { try await stranger.waitUntilReady(timeout: .seconds(2)) }
            #expect(states.snapshot.allSatisfy { if case .ready = $0 { false } else { true } }, "\(states.snapshot)")
            stranger.stop()
        }
        gateway.stop()
        hub.stop()
        await broker.stop()
    }
}
