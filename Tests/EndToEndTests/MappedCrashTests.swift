import CareHubTesting
import Foundation
import Testing

/// Zigbee2MQTT presses carry no id, so the crash test on the mapped path asks more than "nothing lost": a press
/// the hub stored but could not acknowledge before it was killed comes back from the broker, and must neither
/// become a second press nor announce a repeat emergency. The hub is SIGKILLed several times while a backlog of
/// presses (one home each, so any second press in a home can only be a duplicate; a share queued before each
/// restart) drains, and restarted after 6 s,
/// as systemd would (RestartSec=5), past the mapping's own 5 s duplicate window. Every other crash is a SIGKILL at
/// a random moment; the others end the hub just after a commit and before its PUBACK (a debug-only switch), the
/// moment a SIGKILL hits only now and then, so that each of them surely leaves a redelivery. The same run without
/// the redelivery guard (another debug-only switch) must show a duplicate for each of those, or this test proves
/// nothing.
@Suite(.serialized, .timeLimit(.minutes(5))) struct MappedCrashTests {
    static let pressCount = Int(ProcessInfo.processInfo.environment["CAREHUB_MAPPED_CRASH_EVENTS"] ?? "") ?? 1_200
    static let kills = Int(ProcessInfo.processInfo.environment["CAREHUB_MAPPED_CRASH_KILLS"] ?? "") ?? 4

    struct Report: CustomStringConvertible {
        var published = 0
        var presses = 0
        var homesWithAPress = 0
        var repeats = 0
        var redeliveriesRecognised = 0
        /// Delivery log entries before the clean stop, and those among them without the broker's packet identifier.
        var logged = 0
        var loggedWithoutPacketID = 0
        var kills = 0
        /// Of the kills, those that ended the hub right after a commit, before its acknowledgement left.
        var crashesAfterACommit = 0
        /// What each run's redelivery guard logged when its check ended (the hubs' log lines, for a failure's message).
        var guardLines: [String] = []
        var duplicates: Int { presses - homesWithAPress }
        var lost: Int { published - homesWithAPress }
        mutating func noteGuard(_ log: String) {
            guardLines += log.split(separator: "\n").filter { $0.contains("Redelivery check ended") }.map(String.init)
        }
        var description: String {
            "published \(published) presses, stored \(presses) in \(homesWithAPress) homes: lost \(lost), duplicated \(duplicates), "
                + "repeat announcements \(repeats), redeliveries recognised \(redeliveriesRecognised), crashes \(kills) "
                + "(\(crashesAfterACommit) of them just after a commit, before its PUBACK)"
                + (guardLines.isEmpty ? "" : "; redelivery guard:\n" + guardLines.joined(separator: "\n"))
        }
    }

    static func run(guarded: Bool) async throws -> Report {
        try await HubFixture.with { fixture in
            let mapping = TestPaths.packageRoot.appendingPathComponent("deploy/mappings/zigbee2mqtt.yaml").path
            let configuration = "gateways:\n  - mapping: \(mapping)\n"
            let environment = guarded ? [:] : ["CAREHUB_TEST_NO_REDELIVERY_GUARD": "1"]
            let pressed = "SELECT COUNT(*) FROM events WHERE type = 'pendant'"
            var report = Report()
            // The first start creates the hub's persistent session; then the whole backlog queues while it is down.
            let first = try await fixture.startHub(environment: environment, configuration: configuration)
            await first.child.kill()
            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            for cycle in 0..<kills {
                // A share of the presses queues before each restart, so that every crash lands mid-drain however fast
                // the hub drains (while behind, it reads bursts of up to 1,024).
                let share = pressCount / kills + (cycle < pressCount % kills ? 1 : 0)
                for _ in 0..<share {
                    let index = report.published
                    try await gateway.publish("z2m/crash-\(index)/pendant", #"{"action":"sos","linkquality":\#(index % 200)}"#)
                    report.published += 1
                }
                try await Task.sleep(for: .seconds(6))
                let before = try fixture.count(pressed)
                if cycle % 2 == 1 {
                    // Every other crash lands at the worst moment every time: just after a commit, before its PUBACK.
                    let hub = try await fixture.startHub(environment: environment.merging(["CAREHUB_TEST_DIE_AFTER_COMMITS": "100"]) { $1 },
                                                         configuration: configuration, waitUntilReady: false)
                    guard await hub.child.waitForExit(timeout: .seconds(60)) == 137 else {
                        throw TestSupportError("The hub did not end itself after 100 commits:\n\(hub.child.log.suffix(2000))")
                    }
                    report.crashesAfterACommit += 1
                    report.noteGuard(hub.child.log)
                } else {
                    let hub = try await fixture.startHub(environment: environment, configuration: configuration, waitUntilReady: false)
                    let deadline = ContinuousClock.now.advanced(by: .seconds(60))
                    while try fixture.count(pressed) < before + 100 {
                        guard ContinuousClock.now < deadline, hub.child.isRunning else {
                            throw TestSupportError("The hub stored no presses after a restart:\n\(hub.child.log.suffix(2000))")
                        }
                        try await Task.sleep(for: .milliseconds(1))
                    }
                    await hub.child.kill()
                    report.noteGuard(hub.child.log)
                }
                report.kills += 1
            }
            try await Task.sleep(for: .seconds(6))
            let hub = try await fixture.startHub(environment: environment, configuration: configuration)
            let homes = "SELECT COUNT(DISTINCT home_id) FROM events WHERE type = 'pendant'"
            try await fixture.waitUntil(homes, reaches: pressCount, timeout: .seconds(90))
            // Barrier: one more press, in a home of its own, stored after everything the broker kept.
            try await gateway.publish("z2m/crash-barrier/pendant", #"{"action":"sos"}"#)
            try await fixture.waitUntil("SELECT COUNT(*) FROM events WHERE home_id = 'crash-barrier'", reaches: 1, timeout: .seconds(30))
            // Let the rules catch up with every stored press before counting what they announced.
            try await fixture.waitUntil("SELECT COUNT(*) FROM incidents WHERE home_id = 'crash-barrier'", reaches: 1, timeout: .seconds(60))
            report.logged = try fixture.count("SELECT COUNT(*) FROM recent_deliveries")
            report.loggedWithoutPacketID = try fixture.count("SELECT COUNT(*) FROM recent_deliveries WHERE packet_id IS NULL")
            hub.child.signal(SIGTERM)
            #expect(await hub.child.waitForExit(timeout: .seconds(10)) == 0, "the hub did not stop cleanly on SIGTERM")
            report.presses = try fixture.count(pressed + " AND home_id LIKE 'crash-%' AND home_id != 'crash-barrier'")
            report.homesWithAPress = try fixture.count(homes + " AND home_id LIKE 'crash-%' AND home_id != 'crash-barrier'")
            report.repeats = try fixture.count("SELECT COUNT(*) FROM incident_timeline WHERE action = 'repeat'")
            report.redeliveriesRecognised = try fixture.count("SELECT value FROM counters WHERE name = 'redeliveries'")
            report.noteGuard(hub.child.log)
            gateway.stop()
            return report
        }
    }

    @Test func noPressIsLostDuplicatedOrAnnouncedTwiceWhenTheHubIsKilledMidStream() async throws {
        let report = try await Self.run(guarded: true)
        print("mapped crash test (redelivery guard): \(report)")
        #expect(report.kills == Self.kills)
        #expect(report.lost == 0, "\(report)")
        #expect(report.duplicates == 0, "\(report)")
        #expect(report.repeats == 0, "\(report)")
        #expect(report.redeliveriesRecognised >= report.crashesAfterACommit, "a crash after a commit was not followed by its redelivery: \(report)")
        // Recognised by digest and packet identifier: the broker resent each with the identifier it first had.
        #expect(report.logged > 0 && report.loggedWithoutPacketID == 0, "\(report.loggedWithoutPacketID) of \(report.logged) logged without one")
    }

    @Test func theSameScenarioShowsDuplicatesWithoutTheRedeliveryGuard() async throws {
        let report = try await Self.run(guarded: false)
        print("mapped crash test (no redelivery guard, must duplicate): \(report)")
        #expect(report.lost == 0, "\(report)")
        #expect(report.duplicates >= report.crashesAfterACommit, "the mapped crash test cannot tell a hub that stores redeliveries again: \(report)")
        #expect(report.crashesAfterACommit > 0)
    }
}
