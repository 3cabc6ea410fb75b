import CareHubTesting
import Foundation
import GRDB
import Mosquitto
import Testing

/// The broker restarted gracefully in the middle of a stream: with persistence on, nothing it acknowledged is
/// lost, and the hub reconnects to its persistent session by itself.
@Suite(.serialized, .timeLimit(.minutes(3))) struct BrokerRestartTests {
    @Test func aGracefulBrokerRestartMidStreamLosesNothing() async throws {
        let count = Int(ProcessInfo.processInfo.environment["CAREHUB_RESTART_EVENTS"] ?? "") ?? 1_000
        let data = try TemporaryDirectory(prefix: "carehub-broker-data")
        // mosquitto drops to its own user, which must be able to write its persistence file here.
        _ = await (try ChildProcess(executable: URL(fileURLWithPath: "/bin/chmod"), arguments: ["a+rwx", data.url.path],
                                    logURL: data.url.appendingPathComponent("chmod.log"))).waitForExit(timeout: .seconds(5))
        let broker = try await MosquittoBroker.start(extraConfiguration: ["persistence true", "persistence_location \(data.url.path)/"])
        let directory = try TemporaryDirectory(prefix: "carehub-restart")
        let hub = try await HubProcess.start(databasePath: directory.path("carehub.sqlite"), brokerPort: broker.port,
                                             logURL: directory.url.appendingPathComponent("hub.log"))
        var configuration = MosquittoConfiguration(clientID: "restart-gateway", host: "127.0.0.1", port: broker.port)
        configuration.reconnect = .init(initialDelaySeconds: 1, maximumDelaySeconds: 1)
        let gateway = try TestMQTTClient(configuration: configuration)
        try await gateway.waitUntilReady()
        let timestamp = ISO8601DateFormatter().string(from: Date())
        var acknowledged = 0
        var retries = 0
        for index in 0..<count {
            if index == count / 2 { try await broker.restart() }
            // A gateway keeps an event until the broker acknowledges it.
            while true {
                do {
                    try await gateway.client.publish(topic: "carehub/v1/restart-home/pir-1/event",
                                                     payload: Array(#"{"id":"r\#(index)","ts":"\#(timestamp)","type":"motion","value":true}"#.utf8),
                                                     timeout: .seconds(3))
                    acknowledged += 1
                    break
                } catch {
                    retries += 1
                    guard retries < 200 else { throw error }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
        let databasePath = directory.path("carehub.sqlite")
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while try countEvents(databasePath) < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let total = try countEvents(databasePath)
        print("broker restart: \(count) published, \(acknowledged) acknowledged by the broker (\(retries) retries), \(total) stored")
        #expect(total == count, "lost \(count - total) of \(count)")
        #expect(hub.child.log.contains("MQTT connection lost; reconnecting"))
        gateway.stop()
        hub.child.signal(SIGTERM)
        _ = await hub.child.waitForExit(timeout: .seconds(5))
        await broker.stop()
        directory.remove()
        data.remove()
    }

    func countEvents(_ path: String) throws -> Int {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        return try DatabaseQueue(path: path, configuration: configuration).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM events") ?? 0 }
    }
}
