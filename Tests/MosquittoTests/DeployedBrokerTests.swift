import CareHubTesting
import Foundation
import Mosquitto
import Testing

/// The shipped broker configuration (`deploy/mosquitto/`): TLS, passwords, the ACL, client ids tied to accounts, and
/// QoS 0 queued for the hub, started for real with only its paths and port rewritten (`DeployedBroker`).
@Suite(.serialized, .timeLimit(.minutes(2))) struct DeployedBrokerTests {
    /// Every account the tests use: the hub, the monitor, two gateways, gateways named after the reserved home ids
    /// `hub` and `_unassigned` (contract v1.1 section 1; an installer's mistake the ACL must survive), and an observer.
    static let accounts = [
        "carehub": "hub-secret", "carehub-live": "hub-secret", "carehub-monitor": "monitor-secret", "home-a": "a-secret", "home-b": "b-secret",
        "hub": "hub-home-secret", "_unassigned": "unassigned-secret", "observer": "observer-secret",
    ]
    /// Added to the test's copy of the ACL only: an account that reads every topic, to see what gets through.
    static let observerACL = "user observer\ntopic read #\n"

    /// Runs `body` with the shipped broker (these accounts, the observer added to its ACL), stopped even when `body` throws.
    static func withBroker(_ body: (DeployedBroker) async throws -> Void) async throws {
        let broker = try await DeployedBroker.start(accounts: accounts, extraACL: observerACL)
        do {
            try await body(broker)
            await broker.stop()
        } catch {
            await broker.stop()
            throw error
        }
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
        try await Self.withBroker { broker in
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
        }
    }

    /// What each account must never write: another's words (receipts, alerts, the hub's status and sentinel), another
    /// home's events and Zigbee2MQTT topics, and anything under the reserved home ids, whatever the account's own name.
    static let forbidden: [(user: String, topics: [String])] = [
        ("home-a", [
            "carehub/v1/home-a/alert", "carehub/v1/home-b/alert", "carehub/v1/home-a/receipt", "carehub/v1/home-b/receipt",
            "carehub/v1/hub/status", "carehub/v1/hub/sentinel", "carehub/v1/home-b/pir-1/event", "carehub/v1/home-b/gateway/status",
            "z2m/home-b/pendant", "carehub/v1/hub/pir-1/event", "carehub/v1/carehub/pir-1/event", "carehub/v1/_unassigned/pir-1/event",
            "z2m/hub/pendant", "z2m/_unassigned/pendant", "zigbee2mqtt/pendant",
        ]),
        ("hub", [
            "carehub/v1/hub/pir-1/event", "carehub/v1/hub/gateway/status", "z2m/hub/pendant", "carehub/v1/hub/status",
            "carehub/v1/hub/sentinel", "carehub/v1/hub/receipt", "carehub/v1/hub/alert",
        ]),
        ("_unassigned", ["carehub/v1/_unassigned/pir-1/event", "carehub/v1/_unassigned/gateway/status", "z2m/_unassigned/pendant"]),
        ("carehub-monitor", [
            "carehub/v1/home-a/alert", "carehub/v1/hub/status", "carehub/v1/hub/sentinel", "carehub/v1/home-a/receipt",
            "carehub/v1/home-a/pir-1/event", "carehub/v1/carehub-monitor/pir-1/event", "carehub/v1/carehub-monitor/gateway/status",
            "z2m/carehub-monitor/pendant", "z2m/home-a/pendant",
        ]),
        // The hub's live lane only reads: it writes nothing at all, not even what the hub may.
        ("carehub-live", [
            "carehub/v1/home-a/receipt", "carehub/v1/home-a/alert", "carehub/v1/hub/status", "carehub/v1/hub/sentinel",
            "carehub/v1/hub/live-marker", "carehub/v1/home-a/pir-1/event", "z2m/home-a/pendant", "carehub/v1/carehub-live/pir-1/event",
        ]),
        ("carehub", [
            "carehub/v1/home-a/pir-1/event", "carehub/v1/home-a/gateway/status", "z2m/home-a/pendant", "carehub/v1/carehub/pir-1/event",
            "carehub/v1/carehub/gateway/status", "z2m/carehub/pendant", "zigbee2mqtt/pendant",
        ]),
    ]

    /// What the accounts may write, published too so that the observer is shown to see every kind of topic.
    static let allowed: [(user: String, topics: [String])] = [
        ("home-a", ["carehub/v1/home-a/pir-1/event", "carehub/v1/home-a/gateway/status", "z2m/home-a/pendant"]),
        ("carehub", ["carehub/v1/home-a/receipt", "carehub/v1/home-a/alert", "carehub/v1/_unassigned/alert", "carehub/v1/hub/status",
                     "carehub/v1/hub/sentinel", "carehub/v1/hub/live-marker"]),
    ]

    @Test func noAccountWritesWhereItMustNotAsAnObserverOfEveryTopicSees() async throws {
        try await Self.withBroker { broker in
            let observer = try await Self.connect(broker, "observer", subscriptions: ["#"])
            var clients: [String: TestMQTTClient] = [:]
            for user in ["home-a", "hub", "_unassigned", "carehub-monitor", "carehub-live", "carehub"] {
                clients[user] = try await Self.connect(broker, user)
            }
            var expected: Set<String> = []
            for (user, topics) in Self.allowed {
                for topic in topics {
                    try await clients[user]?.publish(topic, "allowed \(user) \(topic)")
                    expected.insert("allowed \(user) \(topic)")
                }
            }
            for (user, topics) in Self.forbidden {
                for topic in topics { try await clients[user]?.publish(topic, "forbidden \(user) \(topic)") }
            }
            // Barrier: every publish above has its PUBACK, so whatever the broker forwarded of them is already queued for the
            // observer ahead of this one.
            try await clients["home-a"]?.publish("carehub/v1/home-a/pir-1/event", "barrier")
            _ = try await observer.waitForMessage(topic: { _ in true }, payload: { $0 == "barrier" }, timeout: .seconds(10))
            let seen = observer.messages().map { String(decoding: $0.message.payload, as: UTF8.self) }
            let leaked = seen.filter { $0.hasPrefix("forbidden") }
            #expect(leaked.isEmpty, "written where it must not be: \(leaked)")
            #expect(Set(seen.filter { $0.hasPrefix("allowed") }) == expected, "the observer missed an allowed publish: \(seen)")
            clients.values.forEach { $0.stop() }
            observer.stop()
        }
    }

    @Test func noOtherAccountCanTakeOverTheHubsSession() async throws {
        try await Self.withBroker { broker in
            let hubFilters = ["carehub/v1/+/+/event"]
            // The hub's persistent session (the client id of the example configuration), then the hub goes away.
            let firstHub = try await Self.connect(broker, "carehub", clientID: "carehub-hub", cleanSession: false, subscriptions: hubFilters)
            firstHub.stop()
            let gateway = try await Self.connect(broker, "home-a")
            try await gateway.publish("carehub/v1/home-a/pendant/event", "queued while the hub is away")
            // Another account asks for the hub's client id (and its user name) with a clean session: on a broker that lets
            // it, this wipes the hub's session and everything queued for it.
            for clientID in ["carehub-hub", "carehub"] {
                let intruder = try await Self.connect(broker, "home-b", clientID: clientID)
                intruder.stop()
            }
            let states = StateLog()
            let hub = try await Self.connect(broker, "carehub", clientID: "carehub-hub", cleanSession: false, subscriptions: hubFilters,
                                             states: states)
            _ = try await hub.waitForMessage(topic: { _ in true }, payload: { $0 == "queued while the hub is away" }, timeout: .seconds(10))
            // The same with the hub connected: on a broker that lets it, the hub is disconnected ("already connected, closing
            // old connection") and its session replaced.
            for clientID in ["carehub-hub", "carehub"] {
                let intruder = try await Self.connect(broker, "home-b", clientID: clientID)
                intruder.stop()
            }
            try await gateway.publish("carehub/v1/home-a/pendant/event", "after the intruders")
            _ = try await hub.waitForMessage(topic: { _ in true }, payload: { $0 == "after the intruders" }, timeout: .seconds(10))
            #expect(states.readyCount == 1, "the hub was disconnected: \(states.snapshot)")
            #expect(!broker.log.contains("already connected, closing old connection"), "\(broker.log.suffix(2000))")
            hub.stop()
            gateway.stop()
        }
    }

    @Test func aQoS0GatewayMessageIsQueuedForTheHubAndDeliveredAtQoS1() async throws {
        try await Self.withBroker { broker in
            let firstHub = try await Self.connect(broker, "carehub", clientID: "carehub-hub", cleanSession: false, subscriptions: ["z2m/#"])
            firstHub.stop()
            let gateway = try await Self.connect(broker, "home-a")
            try await gateway.publish("z2m/home-a/pendant", #"{"action":"sos"}"#, qos: 0)
            try await gateway.publish("z2m/home-a/barrier", "barrier")
            let hub = try await Self.connect(broker, "carehub", clientID: "carehub-hub", cleanSession: false, subscriptions: ["z2m/#"])
            _ = try await hub.waitForMessage(topic: { $0 == "z2m/home-a/barrier" }, timeout: .seconds(10))
            let pendant = hub.messages { $0 == "z2m/home-a/pendant" }
            #expect(pendant.count == 1, "the QoS 0 press published while the hub was away did not reach it")
            #expect(pendant.first?.message.qos == 1, "delivered at QoS \(pendant.first?.message.qos ?? -1), so the hub cannot acknowledge it")
            hub.stop()
            gateway.stop()
        }
    }
}
