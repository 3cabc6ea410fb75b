import CareHubTesting
import Foundation
import GRDB
import Mosquitto
import Testing

/// The broker SIGKILLed mid-stream with the shipped persistence settings (`autosave_interval 1`): measure what it
/// loses of the events it had acknowledged, and show that alarms still all arrive because the gateway re-sends
/// them until the hub's receipt (simulators/gateway.py does).
@Suite(.serialized, .timeLimit(.minutes(3))) struct BrokerKillTests {
    @Test func aBrokerSIGKILLLosesAtMostItsLastSecondAndNoAlarm() async throws {
        let data = try TemporaryDirectory(prefix: "carehub-broker-data")
        _ = await (try ChildProcess(executable: URL(fileURLWithPath: "/bin/chmod"), arguments: ["a+rwx", data.url.path],
                                    logURL: data.url.appendingPathComponent("chmod.log"))).waitForExit(timeout: .seconds(5))
        let broker = try await MosquittoBroker.start(extraConfiguration: [
            "persistence true", "persistence_location \(data.url.path)/", "autosave_interval 1", "autosave_on_changes false",
        ])
        let directory = try TemporaryDirectory(prefix: "carehub-broker-kill")
        let databasePath = directory.path("carehub.sqlite")
        let hub = try await HubProcess.start(databasePath: databasePath, brokerPort: broker.port, logURL: directory.url.appendingPathComponent("hub.log"))
        // Take the hub away so that the broker holds the stream in its queue when it is killed.
        await hub.child.kill()
        let publisher = try TestMQTTClient(port: broker.port)
        try await publisher.waitUntilReady()
        let timestamp = ISO8601DateFormatter().string(from: Date())
        let count = 2_000
        for index in 0..<count {
            try await publisher.publish("carehub/v1/kill-home/pir-1/event", #"{"id":"k\#(index)","ts":"\#(timestamp)","type":"motion","value":true}"#)
            if index == count / 2 { try await Task.sleep(for: .milliseconds(1_500)) }
        }
        // Alarms from a gateway that re-sends until the receipt, published just before the kill.
        let gateways = try (0..<3).map { index in
            try ChildProcess(executable: try TestPaths.python(),
                             arguments: [TestPaths.packageRoot.appendingPathComponent("simulators/gateway.py").path, "--port", "\(broker.port)",
                                         "--home", "kill-home", "--quiet", "--resend-interval", "1", "--receipt-timeout", "60",
                                         "send", "--type", "pendant", "--device", "pendant-\(index)", "--id", "alarm-\(index)"],
                             logURL: directory.url.appendingPathComponent("gateway-\(index).log"))
        }
        try await Task.sleep(for: .milliseconds(300))
        publisher.stop()
        try await broker.kill9AndRestart()
        let restarted = try await HubProcess.start(databasePath: databasePath, brokerPort: broker.port,
                                                   logURL: directory.url.appendingPathComponent("hub-2.log"))
        for gateway in gateways {
            #expect(await gateway.waitForExit(timeout: .seconds(60)) == 0, "an alarm got no receipt: \(gateway.log)")
        }
        try await Task.sleep(for: .seconds(2))
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: databasePath, configuration: configuration)
        let stored = try await queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM events WHERE id LIKE 'k%'") ?? 0 }
        let alarms = try await queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM events WHERE id LIKE 'alarm-%'") ?? 0 }
        print("broker SIGKILL: \(count) events acknowledged by the broker, \(stored) stored, \(count - stored) lost (written after its last save); alarms \(alarms) of 3")
        #expect(alarms == 3, "an alarm was lost with the broker")
        #expect(stored >= count / 2, "the broker lost events it had saved more than a second before the kill")
        restarted.child.signal(SIGTERM)
        _ = await restarted.child.waitForExit(timeout: .seconds(5))
        await broker.stop()
        directory.remove()
        data.remove()
    }
}
