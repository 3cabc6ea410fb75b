import CareHubTesting
import Foundation
import GRDB
import Mosquitto
import Testing

/// The hub down while many homes keep publishing (`make faults`: 10 minutes, 200 homes; `make test`: 16 s,
/// 20 homes): every event arrives after the restart, and no inactivity-type incident is raised because of the
/// hub's own outage, although the inactivity threshold is shorter than the outage.
@Suite(.serialized, .timeLimit(.minutes(20))) struct HubDowntimeTests {
    @Test func everyEventArrivesAndTheOutageIsNotTheResidentsInactivity() async throws {
        let seconds = Int(ProcessInfo.processInfo.environment["CAREHUB_DOWNTIME_SECONDS"] ?? "") ?? 16
        let homes = Int(ProcessInfo.processInfo.environment["CAREHUB_DOWNTIME_HOMES"] ?? "") ?? 20
        try await HubFixture.with { fixture in
            // Inactivity after half the outage, at any time of day: a hub that judged its own downtime would raise it.
            let hours = Double(seconds) / 2 / 3600
            let configuration = "rules:\n  inactivity_any_time_hours: \(hours)\n  bathroom_minutes: 6000\n  alive_within_hours: 100\n"
            let hub = try await fixture.startHub(configuration: configuration)
            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            let sent = Counter()
            @Sendable func round(_ label: String) async throws {
                // To the millisecond: a time stamp rounded down to the second would eat a quarter of the threshold.
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions.insert(.withFractionalSeconds)
                let timestamp = formatter.string(from: Date())
                for home in 0..<homes {
                    try await gateway.publish("carehub/v1/down-\(home)/pir-1/event",
                                              #"{"id":"\#(label)-\#(home)","ts":"\#(timestamp)","type":"motion","value":true,"room":"lounge"}"#)
                    sent.add()
                }
            }
            // The homes move every second until the rules have written their state and timers, and the hub is killed at
            // once: the restart then finds every timer overdue. (A fixed wait could outlast the threshold on a loaded machine.)
            let timersBy = ContinuousClock.now.advanced(by: .seconds(20))
            var beforeRounds = 0
            while try fixture.count("SELECT COUNT(*) FROM timers") < homes, ContinuousClock.now < timersBy {
                try await round("before-\(beforeRounds)")
                beforeRounds += 1
                _ = try await fixture.countAfterWaiting("SELECT COUNT(*) FROM timers", upTo: homes, timeout: .seconds(1))
            }
            #expect(try fixture.count("SELECT COUNT(*) FROM timers") == homes)
            await hub.child.kill()
            #expect(try fixture.count("SELECT COUNT(*) FROM incidents") == 0, "inactivity was raised before the outage began")
            // Every home keeps moving every second (as 0.1 event/s homes would, spread over ten seconds) through the outage,
            // the restart, the drain of the backlog and three seconds more, whatever the hub is doing meanwhile: only the
            // outage itself could then look like inactivity. (Pausing the homes while the hub restarts would make a slow
            // restart a real quiet period.)
            let drained = Flag()
            let moving = Task {
                var tick = 0
                var afterDrain = 0
                let deadline = ContinuousClock.now.advanced(by: .seconds(seconds + 180))
                while afterDrain < 3, ContinuousClock.now < deadline {
                    try await round("moving-\(tick)")
                    tick += 1
                    if drained.isSet { afterDrain += 1 }
                    try await Task.sleep(for: .seconds(1))
                }
            }
            try await Task.sleep(for: .seconds(seconds))
            try await fixture.startHub(configuration: configuration)
            let afterAt = Date()
            let drainedBy = ContinuousClock.now.advanced(by: .seconds(120))
            while ContinuousClock.now < drainedBy, try fixture.count("SELECT COUNT(*) FROM events WHERE home_id LIKE 'down-%'") < sent.value {
                try await Task.sleep(for: .milliseconds(200))
            }
            drained.set()
            try await moving.value
            try await fixture.waitUntil("SELECT COUNT(*) FROM events WHERE home_id LIKE 'down-%'", reaches: sent.value, timeout: .seconds(60))
            let stored = try fixture.count("SELECT COUNT(*) FROM events WHERE home_id LIKE 'down-%'")
            let inactivityType = try fixture.count("""
                SELECT COUNT(*) FROM incidents WHERE kind IN ('inactivity', 'not_up', 'out_of_bed', 'bathroom_long', 'fridge_unused', 'no_data')
                """)
            print("downtime: \(seconds) s down, \(homes) homes, \(sent.value) events sent, \(stored) stored, \(inactivityType) inactivity-type incidents")
            #expect(stored == sent.value)
            let raised = try fixture.strings("""
                SELECT kind || ' opened ' || (opened_at - \(Int64(afterAt.timeIntervalSince1970 * 1000))) || ' ms after the restart: ' || summary
                FROM incidents ORDER BY opened_at LIMIT 3
                """)
            #expect(inactivityType == 0, "the hub's own outage was reported as residents' inactivity: \(raised)")
            gateway.stop()
        }
    }
}
