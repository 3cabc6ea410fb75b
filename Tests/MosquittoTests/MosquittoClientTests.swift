import CareHubTesting
import Foundation
import Logging
import Mosquitto
import Testing

/// The wrapper against a real mosquitto on a free loopback port.
@Suite(.timeLimit(.minutes(2))) struct MosquittoClientTests {
    @Test func subscribesReceivesAndPublishesWithAcknowledgement() async throws {
        let broker = try await MosquittoBroker.start()
        let subscriber = try TestMQTTClient(port: broker.port, subscriptions: ["t/#"])
        let publisher = try TestMQTTClient(port: broker.port)
        try await subscriber.waitUntilReady()
        try await publisher.waitUntilReady()
        try await publisher.publish("t/one", "hello")
        let received = try await subscriber.waitForMessage(topic: { $0 == "t/one" }, timeout: .seconds(5))
        #expect(received.message.payload == Array("hello".utf8))
        #expect(received.message.qos == 1)
        // A wait that runs out says what the client did hear, so that a test failing on a loaded machine can be read.
        let error = await #expect(throws: TestSupportError.self) {
            try await subscriber.waitForMessage(topic: { $0 == "t/never" }, timeout: .milliseconds(200))
        }
        let said = error?.description ?? ""
        #expect(said.contains("received 1 message(s); the last: t/one ("), "\(said)")
        subscriber.stop()
        publisher.stop()
        await broker.stop()
    }

    @Test func aPersistentSessionGetsWhatWasPublishedWhileItWasAway() async throws {
        let broker = try await MosquittoBroker.start()
        var configuration = MosquittoConfiguration(clientID: "persistent-\(UUID().uuidString.prefix(6))", host: "127.0.0.1", port: broker.port)
        configuration.cleanSession = false
        configuration.subscriptions = ["queued/#"]
        let first = try TestMQTTClient(configuration: configuration)
        try await first.waitUntilReady()
        first.stop()
        let publisher = try TestMQTTClient(port: broker.port)
        try await publisher.waitUntilReady()
        for index in 0..<50 { try await publisher.publish("queued/\(index)", "\(index)") }
        let second = try TestMQTTClient(configuration: configuration)
        try await second.waitUntilReady()
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while second.messages().count < 50, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(Set(second.messages().map(\.message.topic)) == Set((0..<50).map { "queued/\($0)" }))
        second.stop()
        publisher.stop()
        await broker.stop()
    }

    @Test func reconnectsAndResubscribesAfterTheBrokerRestarts() async throws {
        let broker = try await MosquittoBroker.start()
        let states = StateLog()
        var configuration = MosquittoConfiguration(clientID: "reconnect-\(UUID().uuidString.prefix(6))", host: "127.0.0.1", port: broker.port)
        configuration.subscriptions = ["after/#"]
        configuration.reconnect = .init(initialDelaySeconds: 1, maximumDelaySeconds: 2)
        let subscriber = try TestMQTTClient(configuration: configuration, onState: states.append)
        try await subscriber.waitUntilReady()
        try await broker.restart()
        let deadline = ContinuousClock.now.advanced(by: .seconds(15))
        while states.readyCount < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(states.readyCount >= 2)
        let publisher = try TestMQTTClient(port: broker.port)
        try await publisher.waitUntilReady()
        try await publisher.publish("after/restart", "x")
        _ = try await subscriber.waitForMessage(topic: { $0 == "after/restart" }, timeout: .seconds(5))
        subscriber.stop()
        publisher.stop()
        await broker.stop()
    }

    @Test func aPublishWithNoBrokerFailsInsteadOfHanging() async throws {
        let port = try FreePort.find()
        let client = try TestMQTTClient(port: port)
        await #expect(throws: (any Error).self) {
            try await client.client.publish(topic: "x", payload: [1], timeout: .milliseconds(300))
        }
        client.stop()
    }

    @Test func theBirthMessageIsPublishedAndTheWillOnADisappearance() async throws {
        let broker = try await MosquittoBroker.start()
        let watcher = try TestMQTTClient(port: broker.port, subscriptions: ["status/#"])
        try await watcher.waitUntilReady()
        var configuration = MosquittoConfiguration(clientID: "will-\(UUID().uuidString.prefix(6))", host: "127.0.0.1", port: broker.port)
        configuration.birth = .init(topic: "status/x", payload: "online", retain: true)
        configuration.will = .init(topic: "status/x", payload: "offline", retain: true)
        let client = try TestMQTTClient(configuration: configuration)
        _ = try await watcher.waitForMessage(topic: { $0 == "status/x" }, payload: { $0 == "online" }, timeout: .seconds(5))
        client.stop()
        // Barrier: a message published after the disconnect has arrived, so a will sent on it would have too.
        let other = try TestMQTTClient(port: broker.port)
        try await other.waitUntilReady()
        try await other.publish("status/barrier", "after")
        _ = try await watcher.waitForMessage(topic: { $0 == "status/barrier" }, timeout: .seconds(5))
        other.stop()
        // A clean disconnect does not trigger the will.
        #expect(!watcher.messages().contains { String(decoding: $0.message.payload, as: UTF8.self) == "offline" })
        watcher.stop()
        await broker.stop()
    }
}

final class StateLog: @unchecked Sendable {
    // @unchecked because `states` is guarded by `lock`.
    private let lock = NSLock()
    private var states: [MosquittoConnectionState] = []
    var append: @Sendable (MosquittoConnectionState) -> Void { { state in self.lock.withLock { self.states.append(state) } } }
    var snapshot: [MosquittoConnectionState] { lock.withLock { states } }
    var readyCount: Int {
        lock.withLock { states.filter { if case .ready = $0 { true } else { false } }.count }
    }
}
