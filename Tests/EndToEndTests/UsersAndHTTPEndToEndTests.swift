import CareHubTesting
import Foundation
import Mosquitto
import Testing

/// `carehub users …` and `carehub serve` with an HTTP listener, as built: accounts made on the command line sign in to
/// the API, and a pendant pressed at a gateway arrives on the open incident stream.
@Suite(.serialized, .timeLimit(.minutes(3))) struct UsersAndHTTPEndToEndTests {
    @Test func accountsAreMadeListedAndRevokedOnTheCommandLine() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let db = directory.path("new.sqlite")
        let passwordFile = directory.path("password")
        try "a long enough secret\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let added = try await CarehubCommand.run(["users", "add", "Sam Patel", "--role", "admin", "--password-file", passwordFile, "--db", db])
        #expect(added.status == 0, "\(added.standardError)")
        #expect(FileManager.default.fileExists(atPath: db), "users add creates the database like serve")
        let again = try await CarehubCommand.run(["users", "add", "Sam Patel", "--role", "carer", "--password-file", passwordFile, "--db", db])
        #expect(again.status != 0)
        #expect(again.standardError.hasPrefix("carehub: There is already an account named Sam Patel"))
        #expect(again.standardError.split(separator: "\n").count == 1)
        try "too short\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let short = try await CarehubCommand.run(["users", "add", "Jo Evans", "--role", "carer", "--password-file", passwordFile, "--db", db])
        #expect(short.status != 0)
        #expect(short.standardError.contains("at least 12 characters"))
        let badRole = try await CarehubCommand.run(["users", "add", "Jo Evans", "--role", "boss", "--password-file", passwordFile, "--db", db])
        #expect(badRole.status == 64)

        let token = try await CarehubCommand.run(["users", "token", "Sam Patel", "--db", db])
        #expect(token.status == 0)
        let lines = token.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "the token alone on one line")
        #expect(lines.first?.count == 43)
        let secondToken = try await CarehubCommand.run(["users", "token", "Sam Patel", "--db", db])
        #expect(secondToken.standardOutput != token.standardOutput, "a new token every time")

        let listed = try await CarehubCommand.run(["users", "list", "--format", "json", "--db", db])
        let accounts = try #require(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [[String: Any]])
        #expect(accounts.map { $0["name"] as? String } == ["Sam Patel"])
        #expect(accounts.first?["role"] as? String == "admin")
        #expect(accounts.first?["tokens"] as? Int == 2)
        #expect(!listed.standardOutput.contains(String(lines.first ?? "-")))
        #expect(!listed.standardOutput.contains("$2"), "no password hash")
        let stored = try DatabaseProbe(path: db).strings("SELECT hex(digest) FROM api_tokens")
        #expect(stored.count == 2 && !stored.contains(String(lines.first ?? "-")), "tokens are stored only as digests")

        let revoked = try await CarehubCommand.run(["users", "revoke", "Sam Patel", "--db", db])
        #expect(revoked.status == 0)
        let afterRevoke = try await CarehubCommand.run(["users", "list", "--format", "json", "--db", db])
        let revokedAccount = try #require((try JSONSerialization.jsonObject(with: Data(afterRevoke.standardOutput.utf8)) as? [[String: Any]])?.first)
        #expect(revokedAccount["revoked_at"] is String)
        #expect(revokedAccount["tokens"] as? Int == 0)
        let noToken = try await CarehubCommand.run(["users", "token", "Sam Patel", "--db", db])
        #expect(noToken.status == 5, "a revoked account gets no token")
        let unknown = try await CarehubCommand.run(["users", "revoke", "Nobody", "--db", db])
        #expect(unknown.status == 5)
        let audit = try DatabaseProbe(path: db).strings("SELECT action FROM data_audit ORDER BY seq")
        #expect(audit == ["account_added", "token_issued", "token_issued", "account_revoked"])
    }

    @Test func aPendantArrivesOnTheAPIsIncidentStreamAndIsAcknowledgedThroughIt() async throws {
        try await HubFixture.with { fixture in
            let passwordFile = fixture.directory.path("password")
            try "a long enough secret\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
            #expect(try await fixture.carehub(["users", "add", "Sam Patel", "--role", "carer", "--password-file", passwordFile]).status == 0)
            let token = try await fixture.carehub(["users", "token", "Sam Patel"]).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            let port = try FreePort.find()
            try await fixture.startHub(configuration: "http:\n  listen: \"\(port)\"\n")
            let deadline = ContinuousClock.now.advanced(by: .seconds(20))
            while !FreePort.isAccepting(port) {
                guard ContinuousClock.now < deadline else { throw TestSupportError("The HTTP listener did not open port \(port).") }
                try await Task.sleep(for: .milliseconds(50))
            }
            let anonymous = try PlainHTTPConnection(port: port, path: "/api/v1/incidents", headers: ["Connection": "close"])
            #expect(anonymous.read(until: "\r\n\r\n", timeout: .seconds(10)))
            #expect(anonymous.received.hasPrefix("HTTP/1.1 401"))

            let stream = try PlainHTTPConnection(port: port, path: "/api/v1/stream", headers: ["Authorization": "Bearer \(token)"])
            #expect(stream.read(until: "incidents after", timeout: .seconds(10)))
            let publisher = try TestMQTTClient(port: fixture.broker.port, subscriptions: [])
            try await publisher.waitUntilReady()
            defer { publisher.stop() }
            let pressed = ContinuousClock.now
            try await publisher.publish("carehub/v1/flat-12/pendant-1/event",
                                        #"{"id":"press-1","ts":"\#(RFC3339Now.text())","type":"pendant","room":"lounge"}"#)
            #expect(stream.read(until: "\"kind\":\"pendant\"", timeout: .seconds(20)), "the pendant's incident reaches the open stream")
            print("pendant publish → incident event on the stream: \(ContinuousClock.now - pressed)")

            // The operations endpoints of the same listener answer without credentials and name no home.
            let metrics = try PlainHTTPConnection(port: port, path: "/metrics", headers: ["Connection": "close"])
            #expect(metrics.read(until: "carehub_broker_connected", timeout: .seconds(10)), "\(metrics.received)")
            #expect(metrics.received.hasPrefix("HTTP/1.1 200"))
            #expect(metrics.received.contains("carehub_events_stored_total"))
            #expect(!metrics.received.contains("flat-12") && !metrics.received.contains("pendant-1"), "no home or device in the metrics")
            let ready = try PlainHTTPConnection(port: port, path: "/readyz", headers: ["Connection": "close"])
            #expect(ready.read(until: "\n\n", timeout: .seconds(10)) || ready.received.contains("caught up"))
            #expect(ready.received.hasPrefix("HTTP/1.1 200"), "\(ready.received)")
            let healthy = try PlainHTTPConnection(port: port, path: "/healthz", headers: ["Connection": "close"])
            #expect(healthy.read(until: "serving", timeout: .seconds(10)))
            #expect(healthy.received.hasPrefix("HTTP/1.1 200"))

            let ack = try PlainHTTPConnection(port: port, method: "POST", path: "/api/v1/incidents/1/ack",
                                              headers: ["Authorization": "Bearer \(token)", "Connection": "close", "Content-Type": "application/json"],
                                              body: #"{"note": "On my way"}"#)
            #expect(ack.read(until: "}", timeout: .seconds(10)))
            #expect(ack.received.hasPrefix("HTTP/1.1 200"), "\(ack.received)")
            #expect(stream.read(until: "\"acknowledged_by\":\"Sam Patel\"", timeout: .seconds(10)), "the acknowledgement reaches the stream too")
            let timeline = try fixture.strings("SELECT actor || ' ' || action FROM incident_timeline ORDER BY seq")
            #expect(timeline == ["carehub opened", "Sam Patel acknowledged"])
        }
    }
}
