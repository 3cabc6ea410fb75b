import CareHubTesting
import Foundation
import Mosquitto
import Testing

/// TLS with certificate verification, against mosquitto with certificates from `deploy/mosquitto/make-certs.sh`.
@Suite(.serialized, .timeLimit(.minutes(2))) struct MosquittoTLSTests {
    struct Site {
        let broker: MosquittoBroker
        let certificates: TemporaryDirectory
        let otherCA: TemporaryDirectory
        let port: Int
        /// A second TLS listener on 127.0.0.2, an address the broker's certificate does not name.
        let misnamedPort: Int

        func stop() async {
            await broker.stop()
            certificates.remove()
            otherCA.remove()
        }
    }

    static func makeSite() async throws -> Site {
        let certificates = try TemporaryDirectory(prefix: "carehub-certs")
        let otherCA = try TemporaryDirectory(prefix: "carehub-other-ca")
        for directory in [certificates, otherCA] {
            let script = try ChildProcess(
                executable: URL(fileURLWithPath: "/bin/bash"),
                arguments: [TestPaths.packageRoot.appendingPathComponent("deploy/mosquitto/make-certs.sh").path, directory.path("tls"), "localhost"],
                logURL: directory.url.appendingPathComponent("make-certs.log"))
            guard await script.waitForExit(timeout: .seconds(60)) == 0 else { throw TestSupportError("make-certs.sh failed: \(script.log)") }
        }
        // mosquitto started as root drops to its own user, which must be able to read its key and certificates.
        _ = try? await ChildProcess(executable: URL(fileURLWithPath: "/bin/chmod"), arguments: ["-R", "a+rX", certificates.url.path],
                                    logURL: certificates.url.appendingPathComponent("chmod.log")).waitForExit(timeout: .seconds(10))
        let port = try FreePort.find()
        let misnamedPort = try FreePort.find()
        let tls = certificates.path("tls")
        let listenerSettings = ["cafile \(tls)/ca.crt", "certfile \(tls)/broker.crt", "keyfile \(tls)/broker.key", "tls_version tlsv1.2"]
        let broker = try await MosquittoBroker.start(extraConfiguration:
            ["listener \(port) 127.0.0.1"] + listenerSettings + ["listener \(misnamedPort) 127.0.0.2"] + listenerSettings)
        return Site(broker: broker, certificates: certificates, otherCA: otherCA, port: port, misnamedPort: misnamedPort)
    }

    func connects(host: String, port: Int, caFile: String) async throws -> (Bool, String) {
        var configuration = MosquittoConfiguration(clientID: "tls-\(UUID().uuidString.prefix(6))", host: host, port: port)
        configuration.tls = .init(caFile: caFile)
        configuration.subscriptions = ["t/#"]
        let states = StateLog()
        let client = try TestMQTTClient(configuration: configuration, onState: states.append)
        defer { client.stop() }
        do {
            try await client.waitUntilReady(timeout: .seconds(3))
            return (true, "")
        } catch {
            return (false, states.description)
        }
    }

    @Test func verifiesTheBrokerCertificateAndItsName() async throws {
        let site = try await Self.makeSite()
        let goodCA = site.certificates.path("tls/ca.crt")
        let (trusted, _) = try await connects(host: "localhost", port: site.port, caFile: goodCA)
        #expect(trusted, "the hub could not connect over TLS with the site CA")
        let (wrongCA, wrongCAStates) = try await connects(host: "localhost", port: site.port, caFile: site.otherCA.path("tls/ca.crt"))
        #expect(!wrongCA, "a broker certificate from another CA was accepted")
        #expect(wrongCAStates.contains("disconnected"))
        let (wrongName, _) = try await connects(host: "127.0.0.2", port: site.misnamedPort, caFile: goodCA)
        #expect(!wrongName, "a broker certificate that does not name the host was accepted")
        await site.stop()
    }
}

extension StateLog: CustomStringConvertible {
    var description: String { "\(snapshot)" }
}
