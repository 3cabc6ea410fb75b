import CareHubTesting
import Foundation
import Testing

/// `carehub db check` and `carehub db backup`, and what a damaged database looks like to the command line.
@Suite(.serialized, .timeLimit(.minutes(2))) struct DatabaseMaintenanceTests {
    @Test func aBackupTakenWhileTheHubRunsIsSoundAndADamagedFileIsOneSentence() async throws {
        try await HubFixture.with { fixture in
            try await fixture.startHub()
            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            let now = ISO8601DateFormatter().string(from: Date())
            for index in 0..<50 {
                try await gateway.publish("carehub/v1/flat-1/pir-1/event", #"{"id":"m\#(index)","ts":"\#(now)","type":"motion","value":true}"#)
            }
            // The broker acknowledged the publishes; the hub may still be storing them. Back up what it has stored.
            #expect(try await fixture.waitUntil("SELECT COUNT(*) FROM events", reaches: 50) == 50)
            #expect(try await fixture.carehub(["db", "check"]).standardOutput.hasSuffix(": ok\n"))
            let backup = fixture.directory.path("backup.sqlite")
            let made = try await CarehubCommand.run(["db", "backup", backup, "--db", fixture.databasePath])
            #expect(made.status == 0, "\(made.standardError)")
            let permissions = try FileManager.default.attributesOfItem(atPath: backup)[.posixPermissions] as? Int
            #expect(permissions == 0o660)
            let status = try await CarehubCommand.run(["status", "--db", backup, "--format", "json"])
            let counts = try #require(try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any])
            #expect(counts["events_stored"] as? Int == 50)
            let again = try await CarehubCommand.run(["db", "backup", backup, "--db", fixture.databasePath])
            #expect(again.status != 0)
            #expect(again.standardError.contains("already exists"))

            // Damage the copy: every command says so in one sentence naming the way out, never a crash trace.
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: backup))
            try handle.seek(toOffset: 4096)
            handle.write(Data(repeating: 0xFF, count: 16_384))
            try handle.close()
            for arguments in [["db", "check"], ["incidents", "list"], ["status"]] {
                let result = try await CarehubCommand.run(arguments + ["--db", backup])
                #expect(result.status != 0, "\(arguments) succeeded on a damaged file")
                let lines = result.standardError.split(separator: "\n")
                #expect(lines.last?.hasPrefix("carehub: ") == true)
                #expect(lines.last?.contains("carehub db check") == true || lines.last?.contains("restore") == true, "\(result.standardError)")
                #expect(!result.standardError.contains("Fatal error"))
            }
            gateway.stop()
        }
    }
}
