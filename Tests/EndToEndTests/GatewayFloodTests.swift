import CareHubTesting
import Foundation
import Mosquitto
import Testing

/// One gateway credential must not stop every home. A gateway floods the hub with junk and new devices at 5,000
/// messages a second (10 s in `make test`, 60 s in `make faults`: `CAREHUB_FLOOD_SECONDS`), under the shipped
/// default limits, while ten other homes go on as usual. The hub must keep running, its database stay bounded,
/// every other home's events be stored, and a pendant pressed in another home after the flood be raised; how long
/// that pendant waits behind the flood is measured and printed (the live lane raises it ahead of the flood
/// still queued). `CAREHUB_FLOOD_NO_LIMITS=1` runs the same flood with the limits lifted, to see what they
/// prevent.
@Suite(.serialized, .timeLimit(.minutes(25))) struct GatewayFloodTests {
    static let seconds = Int(ProcessInfo.processInfo.environment["CAREHUB_FLOOD_SECONDS"] ?? "") ?? 10
    static let rate = 5_000
    static let limitsLifted = ProcessInfo.processInfo.environment["CAREHUB_FLOOD_NO_LIMITS"] == "1"
    static let otherHomes = 10

    static func databaseBytes(_ path: String) -> Int {
        ["", "-wal"].compactMap { (try? FileManager.default.attributesOfItem(atPath: path + $0))?[.size] as? Int }.reduce(0, +)
    }

    @Test func oneGatewayFloodingJunkAndNewDevicesStopsNoOtherHome() async throws {
        try await HubFixture.with { fixture in
            let configuration = Self.limitsLifted
                ? "limits:\n  devices_per_home: 1000000\n  messages_per_second: 1000000\n  burst: 1000000\n  refused_bytes_per_day: 100000000000\n  refused_records_per_day: 100000000\n"
                : ""
            let hub = try await fixture.startHub(configuration: configuration)
            let flooder = try TestMQTTClient(port: fixture.broker.port)
            let neighbours = try TestMQTTClient(port: fixture.broker.port)
            try await flooder.waitUntilReady()
            try await neighbours.waitUntilReady()
            let bytesBefore = Self.databaseBytes(fixture.databasePath)
            let junk = Array(("{\"junk\":\"" + String(repeating: "x", count: 1_500)).utf8)
            let started = ContinuousClock.now
            let total = Self.seconds * Self.rate

            // The flood: every 10 ms, 50 messages: junk, a valid event from a new device, a valid event from a known one.
            let neighbourEvents = try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    for index in 0..<total {
                        let topic: String
                        let payload: [UInt8]
                        switch index % 3 {
                        case 0: (topic, payload) = ("carehub/v1/flood-home/junk/event", junk)
                        case 1: (topic, payload) = ("carehub/v1/flood-home/dev-\(index)/event", Array(#"{"id":"n\#(index)","ts":"\#(RFC3339Now.text())","type":"motion","value":true}"#.utf8))
                        default: (topic, payload) = ("carehub/v1/flood-home/pir-1/event", Array(#"{"id":"k\#(index)","ts":"\#(RFC3339Now.text())","type":"motion","value":true}"#.utf8))
                        }
                        try flooder.client.enqueuePublish(topic: topic, payload: payload)
                        if index % 50 == 49 {
                            let due = started.advanced(by: .milliseconds((index + 1) / 5))
                            if due > ContinuousClock.now { try await Task.sleep(until: due) }
                        }
                    }
                    return 0
                }
                group.addTask {
                    var sent = 0
                    while ContinuousClock.now < started.advanced(by: .seconds(Self.seconds)) {
                        for home in 0..<Self.otherHomes {
                            try await neighbours.publish("carehub/v1/other-\(home)/pir-1/event",
                                                         #"{"id":"o\#(sent)","ts":"\#(RFC3339Now.text())","type":"motion","value":true}"#)
                            sent += 1
                        }
                        try await Task.sleep(for: .seconds(1))
                    }
                    return sent
                }
                return try await group.reduce(0, +)
            }
            let floodEnded = ContinuousClock.now
            // A resident presses the pendant in another home just after the flood.
            try await neighbours.publish("carehub/v1/other-0/pendant-1/event",
                                         #"{"id":"press-1","ts":"\#(RFC3339Now.text())","type":"pendant"}"#)
            let pressed = ContinuousClock.now
            let alert = try await fixture.watcher.waitForMessage(
                topic: { $0 == "carehub/v1/other-0/alert" }, payload: { $0.contains(#""kind":"pendant""#) }, timeout: .seconds(Self.seconds * 20 + 120))
            let pendantLatency = alert.at - pressed
            // The live lane raises the press ahead of the flood still queued in the persistent session: a later event
            // through that session, once stored, shows every flood message before it handled. It is sent by the flooder's
            // own client, behind the flood: on a busy machine that client's queue may still hold part of the flood when
            // the flood loop ends, and a barrier sent by another client overtook it (CI, 2026-12-05: 48,200 of 50,000
            // accounted for).
            try flooder.client.enqueuePublish(topic: "carehub/v1/other-0/pir-1/event",
                                              payload: Array(#"{"id":"after-flood","ts":"\#(RFC3339Now.text())","type":"motion","value":true}"#.utf8))
            try await fixture.waitUntil("SELECT COUNT(*) FROM events WHERE home_id = 'other-0' AND id = 'after-flood'", reaches: 1,
                                        timeout: .seconds(Self.seconds * 20 + 120))
            let stored = try await fixture.waitUntil("SELECT COUNT(*) FROM events WHERE home_id LIKE 'other-%' AND type = 'motion' AND id != 'after-flood'",
                                                     reaches: neighbourEvents, timeout: .seconds(120))
            let bytesAfter = Self.databaseBytes(fixture.databasePath)
            let growth = bytesAfter - bytesBefore
            let devices = try fixture.count("SELECT COUNT(*) FROM devices WHERE home_id = 'flood-home'")
            let kept = try fixture.count("SELECT COUNT(*) FROM refused_events")
            let counted = try fixture.count("SELECT COALESCE(SUM(quota_counted), 0) FROM gateway_traffic")
            let events = try fixture.count("SELECT COUNT(*) FROM events WHERE home_id = 'flood-home'")
            print("""
                gateway flood\(Self.limitsLifted ? " (limits lifted)" : ""): \(total) messages in \(floodEnded - started) from one gateway \
                (a third junk of 1.5 KB, a third new devices); the hub stored \(events) of its events, registered \(devices) devices, kept \(kept) \
                refused messages and counted \(counted) more; database grew \(growth / 1_048_576) MiB; \(stored) of \(neighbourEvents) other homes' \
                events stored; a pendant pressed after the flood alerted after \(pendantLatency)
                """)
            #expect(hub.child.isRunning, "the hub stopped: \(hub.child.log.suffix(1500))")
            // The persistent session runs far behind the flood; the live lane (started by the late lag probes) raises
            // the press at once instead of behind it (it waited 19 s to 200 s before the live lane).
            #expect(pendantLatency < .seconds(10), "the pendant waited behind the flood: \(pendantLatency)")
            #expect(stored == neighbourEvents, "other homes' events were lost")
            if !Self.limitsLifted {
                #expect(growth < 48 * 1_048_576, "the database grew by \(growth / 1_048_576) MiB")
                #expect(devices <= 250)
                #expect(try fixture.count("SELECT COUNT(*) FROM incidents WHERE kind = 'quota_exceeded' AND home_id = 'flood-home'") == 1)
                #expect(kept + counted + events == total, "every message is stored, kept or counted")
                let status = try #require(try await fixture.carehubJSON(["status"]) as? [String: Any])
                let gateways = (status["gateways"] as? [[String: Any]]) ?? []
                #expect(gateways.contains { $0["home"] as? String == "flood-home" && ($0["over_limit_counted"] as? Int ?? 0) == counted },
                        "carehub status shows what the limits held back: \(gateways)")
            }
            flooder.stop()
            neighbours.stop()
        }
    }
}
