import CareHubTesting
import Foundation
import Mosquitto
import Testing

/// The shipped broker configuration (`deploy/mosquitto/`): TLS, passwords and the ACL, started for real with
/// only its paths and port rewritten for a test directory.
@Suite(.serialized, .timeLimit(.minutes(2))) struct DeployedBrokerTests {
    struct Site {
        let broker: ChildProcess
        let directory: TemporaryDirectory
        let port: Int
        var caFile: String { directory.path("tls/ca.crt") }

        func stop() async {
            await broker.kill()
            directory.remove()
        }
    }

    static func run(_ executable: String, _ arguments: [String], in directory: TemporaryDirectory) async throws {
        let child = try ChildProcess(executable: URL(fileURLWithPath: executable), arguments: arguments,
                                     logURL: directory.url.appendingPathComponent("setup.log"))
        guard await child.waitForExit(timeout: .seconds(60)) == 0 else { throw TestSupportError("\(executable) failed: \(child.log.suffix(500))") }
    }

    static func start() async throws -> Site {
        let directory = try TemporaryDirectory(prefix: "carehub-deployed")
        let deploy = TestPaths.packageRoot.appendingPathComponent("deploy/mosquitto")
        try await run("/bin/bash", [deploy.appendingPathComponent("make-certs.sh").path, directory.path("tls"), "localhost"], in: directory)
        let passwords = directory.path("passwd")
        for (user, password) in [("carehub", "hub-secret"), ("home-a", "a-secret"), ("home-b", "b-secret")] {
            let create = FileManager.default.fileExists(atPath: passwords) ? [] : ["-c"]
            try await run("/usr/bin/mosquitto_passwd", create + ["-b", passwords, user, password], in: directory)
        }
        try FileManager.default.createDirectory(atPath: directory.path("data"), withIntermediateDirectories: true)
        try await run("/bin/chmod", ["-R", "a+rwX", directory.url.path], in: directory)
        let port = try FreePort.find()
        var configuration = try String(contentsOf: deploy.appendingPathComponent("mosquitto.conf"), encoding: .utf8)
        let rewrites = [
            ("pid_file /run/mosquitto/mosquitto.pid", "pid_file \(directory.path("mosquitto.pid"))"),
            ("log_dest file /var/log/mosquitto/mosquitto.log", "log_dest file \(directory.path("mosquitto.log"))"),
            ("listener 8883", "listener \(port) 127.0.0.1"),
            ("/etc/mosquitto/certs/ca.crt", directory.path("tls/ca.crt")),
            ("/etc/mosquitto/certs/broker.crt", directory.path("tls/broker.crt")),
            ("/etc/mosquitto/certs/broker.key", directory.path("tls/broker.key")),
            ("password_file /etc/mosquitto/passwd", "password_file \(passwords)"),
            ("acl_file /etc/mosquitto/acl", "acl_file \(deploy.appendingPathComponent("acl").path)"),
            ("persistence_location /var/lib/mosquitto/", "persistence_location \(directory.path("data"))/"),
        ]
        for (shipped, local) in rewrites {
            guard configuration.contains(shipped) else { throw TestSupportError("deploy/mosquitto/mosquitto.conf no longer contains \"\(shipped)\".") }
            configuration = configuration.replacingOccurrences(of: shipped, with: local)
        }
        try configuration.write(toFile: directory.path("mosquitto.conf"), atomically: true, encoding: .utf8)
        let broker = try ChildProcess(executable: MosquittoBroker.executable, arguments: ["-c", directory.path("mosquitto.conf")],
                                      logURL: directory.url.appendingPathComponent("stdout.log"))
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while !FreePort.isAccepting(port) {
            guard broker.isRunning, ContinuousClock.now < deadline else {
                throw TestSupportError("The shipped broker configuration did not start: \(broker.log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return Site(broker: broker, directory: directory, port: port)
    }

    static func client(_ site: Site, user: String?, password: String?, subscriptions: [String] = []) throws -> (TestMQTTClient, StateLog) {
        var configuration = MosquittoConfiguration(clientID: "\(user ?? "anonymous")-\(UUID().uuidString.prefix(6))", host: "localhost", port: site.port)
        configuration.tls = .init(caFile: site.caFile)
        if let user { configuration.credentials = .init(username: user, password: password) }
        configuration.subscriptions = subscriptions
        let states = StateLog()
        return (try TestMQTTClient(configuration: configuration, onState: states.append), states)
    }

    @Test func gatewaysAreConfinedToTheirHomeAndStrangersAreRefused() async throws {
        let site = try await Self.start()
        let (hub, _) = try Self.client(site, user: "carehub", password: "hub-secret",
                                       subscriptions: ["carehub/v1/+/+/event", "carehub/v1/+/gateway/status"])
        try await hub.waitUntilReady()
        let (gateway, _) = try Self.client(site, user: "home-a", password: "a-secret")
        try await gateway.waitUntilReady()
        try await gateway.publish("carehub/v1/home-a/pir-1/event", #"{"id":"a1"}"#)
        try await gateway.publish("carehub/v1/home-b/pir-1/event", #"{"id":"spoof"}"#)
        try await gateway.publish("carehub/v1/home-a/receipt", #"{"id":"fake"}"#)
        try await gateway.publish("carehub/v1/home-a/pir-1/event", #"{"id":"a2"}"#)
        _ = try await hub.waitForMessage(topic: { $0 == "carehub/v1/home-a/pir-1/event" }, payload: { $0.contains("a2") }, timeout: .seconds(5))
        let seen = hub.messages().map(\.message.topic)
        #expect(seen.filter { $0 == "carehub/v1/home-a/pir-1/event" }.count == 2)
        #expect(!seen.contains("carehub/v1/home-b/pir-1/event"), "home A's gateway published for home B")

        for (user, password) in [(nil, nil), ("home-a", "wrong"), ("nobody", "x") as (String?, String?)] {
            let (stranger, states) = try Self.client(site, user: user, password: password)
            await #expect(throws: (any Error).self) { try await stranger.waitUntilReady(timeout: .seconds(2)) }
            #expect(states.description.contains("refused") || states.description.contains("disconnected"))
            stranger.stop()
        }
        gateway.stop()
        hub.stop()
        await site.stop()
    }
}
