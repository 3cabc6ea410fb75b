import CareHubTesting
import Foundation
import GRDB
import Testing

/// When the database cannot commit, the hub must not acknowledge: it exits, and what the broker kept is
/// stored after a restart once there is room again. A small tmpfs plays the full disk (needs root, as CI is).
@Suite(.serialized, .timeLimit(.minutes(3)), .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
struct DiskFullTests {
    @Test func theHubExitsWithoutAcknowledgingWhenTheDiskIsFullAndLosesNothing() async throws {
        try await HubFixture.with { fixture in
            let mountPoint = fixture.directory.url.appendingPathComponent("small-disk").path
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
            try await Self.shell("mount -t tmpfs -o size=1m tmpfs '\(mountPoint)'")
            defer { _ = try? Self.shellSync("umount -l '\(mountPoint)'") }
            let databasePath = mountPoint + "/carehub.sqlite"
            func startHub(_ name: String) throws -> ChildProcess {
                try ChildProcess(executable: TestPaths.carehubBinary,
                                 arguments: ["serve", "--db", databasePath, "--broker", fixture.broker.url],
                                 logURL: fixture.directory.url.appendingPathComponent(name))
            }
            let hub = try startHub("hub-1.log")
            try await hub.waitForLog("CareHub ready", timeout: .seconds(30))

            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            let timestamp = ISO8601DateFormatter().string(from: Date())
            let garbage = String(repeating: "not json ", count: 1_700)
            var eventIDs: [String] = []
            var garbageSent = 0
            // Fill the disk: each unreadable payload is kept (16 KiB), each event is stored; until the hub stops.
            for index in 0..<400 where hub.isRunning {
                let id = "full-\(index)"
                try await gateway.publish("carehub/v1/full-home/pir-1/event", #"{"id":"\#(id)","ts":"\#(timestamp)","type":"motion","value":true}"#)
                eventIDs.append(id)
                try await gateway.publish("carehub/v1/full-home/pir-1/event", garbage)
                garbageSent += 1
                try await Task.sleep(for: .milliseconds(2))
            }
            let status = await hub.waitForExit(timeout: .seconds(10))
            #expect(status == 75 || status == 1, "the hub kept running on a full disk (status \(String(describing: status)))")
            let fatalLines = hub.log.split(separator: "\n").filter { $0.contains("fatal") || $0.contains("not writable") || $0.contains("stopped") }
            #expect(!fatalLines.isEmpty, "the hub said nothing about why it stopped:\n\(hub.log.suffix(1500))")

            // Still full: a new hub refuses to start (it checks the database is writable before subscribing).
            let refused = try startHub("hub-2.log")
            let refusedStatus = await refused.waitForExit(timeout: .seconds(20))
            #expect(refusedStatus == 3, "a hub started on a full disk:\n\(refused.log.suffix(1500))")
            #expect(refused.log.contains("not writable"))
            #expect(!refused.log.contains("CareHub ready"))

            // Room again: everything the broker kept is stored, nothing refused that should not be.
            try await Self.shell("mount -o remount,size=64m '\(mountPoint)'")
            let recovered = try startHub("hub-3.log")
            try await recovered.waitForLog("CareHub ready", timeout: .seconds(30))
            let queue = try DatabaseQueue(path: databasePath)
            let deadline = ContinuousClock.now.advanced(by: .seconds(30))
            var stored: Set<String> = []
            var kept = 0
            while ContinuousClock.now < deadline {
                stored = Set(try await queue.read { try String.fetchAll($0, sql: "SELECT id FROM events WHERE home_id = 'full-home'") })
                kept = try await queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM refused_events") ?? 0 }
                if stored.count == eventIDs.count, kept >= garbageSent { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            print("disk full: hub exit status \(String(describing: status)), refused start \(String(describing: refusedStatus)); \(fatalLines.last ?? "")")
            print("disk full: \(eventIDs.count) events and \(garbageSent) unreadable payloads sent; \(stored.count) stored, \(kept) kept as refused")
            #expect(stored == Set(eventIDs))
            // Nothing lost. A refused payload has no id to deduplicate on, so one committed just before the crash whose
            // acknowledgement had not left yet is stored again when the broker redelivers it (at least once).
            #expect(kept >= garbageSent && kept <= garbageSent + 1, "kept \(kept) of \(garbageSent) unreadable payloads")
            recovered.signal(SIGTERM)
            #expect(await recovered.waitForExit(timeout: .seconds(5)) == 0)
            gateway.stop()
        }
    }

    static func shell(_ command: String) async throws {
        let child = try ChildProcess(executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", command],
                                     logURL: FileManager.default.temporaryDirectory.appendingPathComponent("carehub-shell.log"))
        guard await child.waitForExit(timeout: .seconds(20)) == 0 else { throw TestSupportError("`\(command)` failed: \(child.log.suffix(500))") }
    }

    static func shellSync(_ command: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
