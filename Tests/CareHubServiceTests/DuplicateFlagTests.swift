import CareHubTesting
import Dispatch
import Foundation
import Logging
import Mosquitto
import Testing

/// The redelivery guard trusts the DUP flag, which libmosquitto reports only in a debug log line
/// (`ReceivedPublishLine`). Against a real mosquitto: a message's first transmission arrives unflagged, and the same
/// message sent again to the session's next connection, because the first never acknowledged it, arrives flagged.
@Suite(.timeLimit(.minutes(2))) struct DuplicateFlagTests {
    @Test func aMessageSentAgainToTheSessionsNextConnectionCarriesTheFlag() async throws {
        let broker = try await MosquittoBroker.start()
        defer { Task { await broker.stop() } }
        var configuration = MosquittoConfiguration(clientID: "dup-flag-\(UUID().uuidString.prefix(8))", host: "127.0.0.1", port: broker.port)
        configuration.cleanSession = false
        configuration.subscriptions = ["dup/test"]
        configuration.keepAlive = 10

        // The first connection holds its first burst without returning, so no acknowledgement leaves.
        let firstReceived = Mailbox()
        let release = DispatchSemaphore(value: 0)
        let ready = Mailbox()
        let first = try MosquittoClient(configuration: configuration, logger: Logger(label: "first"), onState: { state in
            if case .ready = state { ready.put(true) }
        }, onBatch: { burst in
            for message in burst { firstReceived.put(message.duplicateFlag) }
            _ = release.wait(timeout: .now() + 20)
        })
        first.start()
        _ = try await ready.waitForValue(timeout: .seconds(10))

        let publisher = try TestMQTTClient(port: broker.port)
        try await publisher.waitUntilReady()
        try await publisher.publish("dup/test", "press")
        #expect(try await firstReceived.waitForValue(timeout: .seconds(10)) == false, "a first transmission arrived flagged")

        // The same client id connects again: the broker ends the first connection and sends the message again.
        let second = try TestMQTTClient(configuration: configuration)
        let again = try await second.waitForMessage(topic: { $0 == "dup/test" }, timeout: .seconds(10))
        #expect(again.message.duplicateFlag == true, "the broker's second transmission did not arrive flagged")
        release.signal()
        _ = first.stop()
        second.stop()
        publisher.stop()
    }
}

/// Values handed from the network thread to the test, first in first out.
private final class Mailbox: @unchecked Sendable {
    // @unchecked because `values` is guarded by `lock`.
    private let lock = NSLock()
    private var values: [Bool?] = []

    func put(_ value: Bool?) { lock.withLock { values.append(value) } }

    /// The first value put, waiting for one up to `timeout`.
    func waitForValue(timeout: Duration) async throws -> Bool? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let value = lock.withLock({ values.isEmpty ? nil : values.removeFirst() }) { return value }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestSupportError("Nothing arrived within \(timeout).")
    }
}
