import Foundation
import Logging
import Mosquitto

/// A test's own MQTT client (built on the same wrapper the hub uses): records what it receives and
/// publishes with acknowledgement.
public final class TestMQTTClient: @unchecked Sendable {
    // @unchecked because `received` is guarded by `lock`.
    private let lock = NSLock()
    private var received: [(message: MosquittoMessage, at: ContinuousClock.Instant)] = []
    private let readiness = Flag()
    public let client: MosquittoClient

    public convenience init(port: Int, clientID: String = "test-\(UUID().uuidString.prefix(8))", subscriptions: [String] = []) throws {
        var configuration = MosquittoConfiguration(clientID: clientID, host: "127.0.0.1", port: port)
        configuration.subscriptions = subscriptions
        configuration.keepAlive = 10
        try self.init(configuration: configuration)
    }

    public init(configuration: MosquittoConfiguration, onState: @escaping MosquittoClient.StateHandler = { _ in }) throws {
        var logger = Logger(label: "test-mqtt")
        logger.logLevel = .warning
        let flag = readiness
        let box = ReceivedBox()
        client = try MosquittoClient(configuration: configuration, logger: logger, onState: { state in
            if case .ready = state { flag.set() }
            onState(state)
        }, onMessage: { message in box.append(message) })
        box.owner = self
        client.start()
    }

    /// Waits until connected and subscribed.
    public func waitUntilReady(timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !readiness.isSet {
            guard ContinuousClock.now < deadline else { throw TestSupportError("The test MQTT client did not connect within \(timeout).") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    fileprivate func record(_ message: MosquittoMessage) {
        lock.withLock { received.append((message, ContinuousClock.now)) }
    }

    /// Everything received so far on topics matching `predicate`.
    public func messages(where predicate: (String) -> Bool = { _ in true }) -> [(message: MosquittoMessage, at: ContinuousClock.Instant)] {
        lock.withLock { received.filter { predicate($0.message.topic) } }
    }

    /// Waits until a message on a topic satisfying `topic` and a payload satisfying `payload` arrives.
    public func waitForMessage(
        topic: @escaping (String) -> Bool, payload: @escaping (String) -> Bool = { _ in true }, timeout: Duration
    ) async throws -> (message: MosquittoMessage, at: ContinuousClock.Instant) {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let match = messages(where: topic).first(where: { payload(String(decoding: $0.message.payload, as: UTF8.self)) }) {
                return match
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestSupportError("No matching MQTT message arrived within \(timeout). \(recentlyReceived())")
    }

    /// The last few messages received, each with how long ago, for a wait that ran out: whether the client was hearing
    /// anything at all, and what.
    private func recentlyReceived(_ count: Int = 6) -> String {
        let now = ContinuousClock.now
        let all = messages()
        guard !all.isEmpty else { return "This client received nothing at all." }
        let last = all.suffix(count).map { entry in
            "\(entry.message.topic) (\(String(format: "%.2f", (now - entry.at).inSeconds)) s ago, \(entry.message.payload.count) B)"
        }
        return "It received \(all.count) message(s); the last: " + last.joined(separator: "; ")
    }

    /// Publishes and waits for the broker's acknowledgement (QoS 1, the default); at QoS 0 it returns once the message
    /// is handed to libmosquitto, so follow it with a QoS 1 publish to know the broker has it. It first waits (up to
    /// 10 s) for the client's first connection: a client made just before would race it.
    public func publish(_ topic: String, _ payload: String, qos: Int32 = 1, retain: Bool = false) async throws {
        if !readiness.isSet { try await waitUntilReady() }
        try await client.publish(topic: topic, payload: Array(payload.utf8), qos: qos, retain: retain, timeout: .seconds(10))
    }

    public func stop() { client.stop() }
}


private final class ReceivedBox: @unchecked Sendable {
    // @unchecked because `owner` is set once, before the client starts.
    weak var owner: TestMQTTClient?
    func append(_ message: MosquittoMessage) { owner?.record(message) }
}
