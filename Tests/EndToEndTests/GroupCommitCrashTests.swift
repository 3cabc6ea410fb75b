import CareHubTesting
import Foundation
import Testing

/// Group commit moves the crash that matters: the hub now reads a burst of messages and commits them in one
/// transaction before any PUBACK leaves. Here the hub ends itself (a debug-only switch) inside that transaction,
/// before it commits, each time it has a backlog of hundreds to drain: a crash that must lose nothing, because
/// nothing of the burst was acknowledged. The same crash in a build that writes the burst's PUBACKs before its
/// commit (another debug-only switch) must lose the burst every time, or this test proves nothing. A random
/// SIGKILL lands in a commit only now and then; this lands there on every restart.
@Suite(.serialized, .timeLimit(.minutes(5))) struct GroupCommitCrashTests {
    static let eventCount = 3_000
    static let crashes = 4

    struct Report: CustomStringConvertible {
        var published = 0
        var stored = 0
        var distinct = 0
        var crashes = 0
        var storedAtCrashes: [Int] = []
        var lost: Int { published - distinct }
        var description: String {
            "published \(published), stored \(stored) (\(distinct) distinct), lost \(lost), crashes inside a commit \(crashes), "
                + "stored at each crash \(storedAtCrashes)"
        }
    }

    static func run(acknowledgeBeforeCommit: Bool) async throws -> Report {
        try await HubFixture.with { fixture in
            var environment = ["CAREHUB_TEST_DIE_BEFORE_COMMIT": "\(eventCount / (crashes + 2))"]
            if acknowledgeBeforeCommit { environment["CAREHUB_TEST_ACK_BEFORE_BATCH_COMMIT"] = "1" }
            var report = Report()
            // The first start creates the hub's persistent session; then the whole backlog queues while it is down.
            let first = try await fixture.startHub()
            await first.child.kill()
            let publisher = try TestMQTTClient(port: fixture.broker.port)
            try await publisher.waitUntilReady()
            let timestamp = ISO8601DateFormatter().string(from: Date())
            for index in 0..<eventCount {
                try await publisher.publish("carehub/v1/commit-home/pir-\(index % 5)/event",
                                            #"{"id":"commit-\#(index)","ts":"\#(timestamp)","type":"motion","value":true}"#)
                report.published += 1
            }
            for _ in 0..<crashes {
                let hub = try await fixture.startHub(environment: environment, waitUntilReady: false)
                guard await hub.child.waitForExit(timeout: .seconds(60)) == 137 else {
                    throw TestSupportError("The hub did not end itself inside a commit:\n\(hub.child.log.suffix(2000))")
                }
                report.crashes += 1
                report.storedAtCrashes.append(try fixture.count("SELECT COUNT(*) FROM events"))
            }
            let hub = try await fixture.startHub()
            // Barrier: one more event, published after the backlog, stored after everything the broker kept.
            try await publisher.publish("carehub/v1/commit-barrier/pir-1/event",
                                        #"{"id":"barrier","ts":"\#(timestamp)","type":"motion","value":true}"#)
            try await fixture.waitUntil("SELECT COUNT(*) FROM events WHERE home_id = 'commit-barrier'", reaches: 1, timeout: .seconds(60))
            hub.child.signal(SIGTERM)
            #expect(await hub.child.waitForExit(timeout: .seconds(10)) == 0, "the hub did not stop cleanly on SIGTERM")
            report.stored = try fixture.count("SELECT COUNT(*) FROM events WHERE home_id = 'commit-home'")
            report.distinct = try fixture.count("SELECT COUNT(DISTINCT id) FROM events WHERE home_id = 'commit-home'")
            publisher.stop()
            return report
        }
    }

    @Test func nothingIsLostWhenTheHubDiesInsideABurstsCommit() async throws {
        let report = try await Self.run(acknowledgeBeforeCommit: false)
        print("group commit crash test (commit, then acknowledge): \(report)")
        #expect(report.crashes == Self.crashes)
        #expect(report.storedAtCrashes.allSatisfy { $0 < Self.eventCount - 100 }, "a crash did not land mid-drain: \(report)")
        #expect(report.lost == 0, "\(report)")
        #expect(report.stored == report.distinct, "\(report)")
    }

    @Test func aBuildThatAcknowledgesBeforeTheBatchCommitsLosesEvents() async throws {
        let report = try await Self.run(acknowledgeBeforeCommit: true)
        print("group commit crash test (acknowledge, then commit: must lose): \(report)")
        #expect(report.crashes == Self.crashes)
        #expect(report.lost >= Self.crashes, "the group commit test cannot tell a hub that acknowledges a burst before storing it: \(report)")
    }
}
