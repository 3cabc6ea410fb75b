import CareHubTesting
import Foundation
import GRDB
import Testing

/// A long purge runs beside the hub without taking it down or holding its alarms back (issue 11, item 5): it
/// deletes in short transactions, so the hub's writes never wait anywhere near its 10 s busy timeout.
@Suite(.serialized, .timeLimit(.minutes(5))) struct PurgeUnderLoadTests {
    /// How many old events the purge deletes: `CAREHUB_PURGE_EVENTS` (a million under `make faults`). The default
    /// is enough for a single-transaction purge to hold alarms back by more than a second here.
    static let oldEvents = ProcessInfo.processInfo.environment["CAREHUB_PURGE_EVENTS"].flatMap(Int.init) ?? 500_000

    @Test func aPurgeOfManyOldEventsNeitherStopsTheHubNorDelaysAlarms() async throws {
        try await HubFixture.with { fixture in
            // The hub makes its database, then stops while the old events are written (quickly, in SQL), already
            // evaluated by the rules so that the restarted hub has nothing to catch up on.
            let first = try await fixture.startHub()
            first.child.signal(SIGTERM)
            #expect(await first.child.waitForExit(timeout: .seconds(10)) == 0)
            let filling = ContinuousClock.now
            try Self.fillWithOldEvents(fixture.databasePath, count: Self.oldEvents)
            print("purge: \(Self.oldEvents) old events written in \(ContinuousClock.now - filling)")
            let hub = try await fixture.startHub()

            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            let purgeStarted = ContinuousClock.now
            let purge = PurgeRun(databasePath: fixture.databasePath)
            // Motion all the time, and a pendant in a home of its own every fifth of a second, until the purge is over.
            var presses: [(home: String, at: ContinuousClock.Instant)] = []
            var tick = 0
            while !purge.isFinished, tick < 1_200 {
                let now = RFC3339Now.text()
                try await gateway.publish("carehub/v1/busy/pir-1/event", #"{"id":"m\#(tick)","ts":"\#(now)","type":"motion","value":true,"room":"hall"}"#)
                if tick % 2 == 0 {
                    let home = "live-\(presses.count)"
                    presses.append((home, ContinuousClock.now))
                    try await gateway.publish("carehub/v1/\(home)/pendant-1/event", #"{"id":"p1","ts":"\#(now)","type":"pendant"}"#)
                }
                tick += 1
                try await Task.sleep(for: .milliseconds(100))
            }
            let result = try await purge.result()
            let purgeTime = ContinuousClock.now - purgeStarted
            #expect(result.status == 0, "\(result.standardError)")
            #expect(presses.count >= 3, "the purge ended before three pendants could be pressed during it")

            var latencies: [Duration] = []
            for press in presses {
                let alert = try await fixture.watcher.waitForMessage(topic: { $0 == "carehub/v1/\(press.home)/alert" }, timeout: .seconds(30))
                latencies.append(alert.at - press.at)
            }
            let worst = latencies.max() ?? .zero
            print("purge: \(Self.oldEvents) rows in \(purgeTime); \(presses.count) pendants pressed during it, slowest alert \(worst)")
            #expect(hub.child.isRunning, "the hub exited during the purge (status \(hub.child.status ?? -1)): \(hub.child.log.suffix(2000))")
            #expect(worst <= .seconds(1), "a pendant pressed during the purge alerted only after \(worst): \(latencies)")
            #expect(try fixture.count("SELECT COUNT(*) FROM events WHERE home_id LIKE 'old-%'") == 0)
            #expect(try fixture.count("SELECT COUNT(*) FROM events WHERE home_id = 'busy'") == tick)
            #expect(try fixture.count("""
                SELECT COUNT(*) FROM data_audit WHERE action = 'purge' AND in_progress = 0 AND details LIKE '%"rows":\(Self.oldEvents)%'
                """) == 1)
            gateway.stop()
        }
    }

    /// `count` motion events received 30 days ago, across 50 homes, marked as already evaluated by the rules.
    static func fillWithOldEvents(_ path: String, count: Int) throws {
        let queue = try DatabaseQueue(path: path)
        let old = Int64(Date().addingTimeInterval(-30 * 86_400).timeIntervalSince1970 * 1000)
        try queue.write { db in
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                INSERT INTO events (home_id, id, device_id, type, value, ts, received_at, room)
                SELECT 'old-' || (i % 50), 'e' || i, 'pir-1', 'motion', 'true', ? + i, ? + i, 'hall' FROM n
                """, arguments: [count, old, old])
            try db.execute(sql: "UPDATE rules_checkpoint SET last_event_seq = (SELECT MAX(seq) FROM events) WHERE id = 1")
        }
        _ = try queue.writeWithoutTransaction { try $0.checkpoint(.truncate) }
    }
}

/// `carehub purge --events-older-than 1` running in the background.
private struct PurgeRun {
    private let flag = Flag()
    private let task: Task<CommandResult, any Error>

    init(databasePath: String) {
        let flag = flag
        task = Task {
            defer { flag.set() }
            return try await CarehubCommand.run(["purge", "--events-older-than", "1", "--by", "DPO", "--db", databasePath], timeout: .seconds(240))
        }
    }

    var isFinished: Bool { flag.isSet }

    func result() async throws -> CommandResult { try await task.value }
}
