import CareHubTesting
import Foundation
import GRDB
import Testing

/// Architecture invariant 1, guarded forever: an event is durably stored before the broker gets its
/// acknowledgement. The hub is SIGKILLed while hundreds of events are queued for it; afterwards every
/// published event is stored exactly once. The same scenario against a build that acknowledges first
/// (a debug-only switch) must show the loss, or this test proves nothing.
@Suite(.serialized, .timeLimit(.minutes(5))) struct CrashTests {
    /// `make faults` runs 25,000 events and 10 kills (`CAREHUB_CRASH_EVENTS`, `CAREHUB_CRASH_KILLS`). Each restart's
    /// batch must be several group-commit bursts (up to 256 each) deep, or the hub drains it before a kill lands.
    static let eventCount = Int(ProcessInfo.processInfo.environment["CAREHUB_CRASH_EVENTS"] ?? "") ?? 12_000
    static let batches = (Int(ProcessInfo.processInfo.environment["CAREHUB_CRASH_KILLS"] ?? "") ?? 5) + 1

    struct Report: CustomStringConvertible {
        var published = 0
        var stored = 0
        var distinct = 0
        var refused = 0
        var missing = 0
        var kills = 0
        var pendingAtKills: [Int] = []
        var lost: Int { published - distinct }
        var description: String {
            "published \(published), stored \(stored) (\(distinct) distinct), refused \(refused), lost \(lost), "
                + "SIGKILLs \(kills), events not yet stored at each kill \(pendingAtKills)"
        }
    }

    static func run(acknowledgeBeforeCommit: Bool) async throws -> Report {
        try await HubFixture.with { fixture in
            let environment = acknowledgeBeforeCommit ? ["CAREHUB_TEST_ACK_BEFORE_COMMIT": "1"] : [:]
            var report = Report()
            // The first start creates the hub's persistent session, so the broker queues for it from now on.
            try await fixture.startHub(environment: environment)
            let publisher = try TestMQTTClient(port: fixture.broker.port)
            try await publisher.waitUntilReady()
            let ids = (0..<eventCount).map { "crash-\($0)" }
            let batchSize = (eventCount + batches - 1) / batches
            let timestamp = ISO8601DateFormatter().string(from: Date())
            for (index, start) in stride(from: 0, to: eventCount, by: batchSize).enumerated() {
                if let hub = fixture.hub { await hub.child.kill() }
                // Queue a batch at the broker while the hub is down.
                for id in ids[start..<min(start + batchSize, eventCount)] {
                    let device = "pir-\(report.published % 7)"
                    try await publisher.publish("carehub/v1/crash-home/\(device)/event",
                                                #"{"id":"\#(id)","ts":"\#(timestamp)","type":"motion","value":true}"#)
                    report.published += 1
                }
                guard index < batches - 1 else { break }
                // Restart, and kill again once the hub has stored a hundred more: mid-drain, with hundreds still queued.
                let before = try fixture.count("SELECT COUNT(*) FROM events")
                let hub = try await fixture.startHub(environment: environment, waitUntilReady: false)
                let deadline = ContinuousClock.now.advanced(by: .seconds(30))
                while try fixture.count("SELECT COUNT(*) FROM events") < before + 100 {
                    guard ContinuousClock.now < deadline, hub.child.isRunning else {
                        throw TestSupportError("The hub stored nothing after restart \(index + 1):\n\(hub.child.log.suffix(2000))")
                    }
                    try await Task.sleep(for: .milliseconds(1))
                }
                await hub.child.kill()
                report.kills += 1
                report.pendingAtKills.append(report.published - (try fixture.count("SELECT COUNT(*) FROM events")))
            }
            // Final start: let it drain everything the broker kept.
            let hub = try await fixture.startHub(environment: environment)
            var last = -1
            var stableSince = ContinuousClock.now
            let deadline = ContinuousClock.now.advanced(by: .seconds(60))
            while ContinuousClock.now < deadline {
                let stored = try fixture.count("SELECT COUNT(*) FROM events")
                if stored == eventCount { break }
                if stored != last {
                    last = stored
                    stableSince = ContinuousClock.now
                } else if ContinuousClock.now - stableSince > .seconds(3) {
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            hub.child.signal(SIGTERM)
            #expect(await hub.child.waitForExit(timeout: .seconds(5)) == 0, "the hub did not stop cleanly on SIGTERM")
            report.stored = try fixture.count("SELECT COUNT(*) FROM events")
            report.distinct = try fixture.count("SELECT COUNT(DISTINCT id) FROM events WHERE home_id = 'crash-home' AND id LIKE 'crash-%'")
            report.refused = try fixture.count("SELECT COUNT(*) FROM refused_events")
            publisher.stop()
            return report
        }
    }

    @Test func noEventIsLostOrDuplicatedWhenTheHubIsKilledMidStream() async throws {
        let report = try await Self.run(acknowledgeBeforeCommit: false)
        print("crash test (commit before acknowledge): \(report)")
        #expect(report.published == Self.eventCount)
        #expect(report.kills >= Self.batches - 1)
        #expect(report.pendingAtKills.allSatisfy { $0 >= 100 }, "a kill did not land while hundreds were queued: \(report)")
        #expect(report.stored == Self.eventCount, "\(report)")
        #expect(report.distinct == Self.eventCount, "\(report)")
        #expect(report.refused == 0)
    }

    @Test func theSameScenarioDetectsLossWhenTheHubAcknowledgesBeforeCommitting() async throws {
        let report = try await Self.run(acknowledgeBeforeCommit: true)
        print("crash test (acknowledge before commit, must lose): \(report)")
        #expect(report.kills >= 5)
        #expect(report.lost > 0, "the crash test cannot tell a hub that acknowledges first from a correct one: \(report)")
    }
}
