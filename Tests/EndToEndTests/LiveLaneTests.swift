import CareHubTesting
import Foundation
import Testing

/// Alarms never wait behind a backlog (issue 13, item 2). While the hub was down, tens of thousands of events queued
/// for its persistent session; the hub starts, and a second later a pendant is pressed. One MQTT session delivers
/// in order, so on that session alone the press would wait behind the whole backlog. The live lane (a second,
/// clean-session connection that only sees what is published now) stores and raises it at once; later its copy
/// arrives through the persistent session and changes nothing: one press, one incident, no repeat. For a
/// Zigbee2MQTT press (no id of its own) the copy is recognised by its digest (`LiveDeliveries`). The same run with
/// the live lane switched off (`broker.live_lane: false`) must show the press raised only once the backlog has
/// drained, or this test proves nothing.
@Suite(.serialized, .timeLimit(.minutes(5))) struct LiveLaneTests {
    /// Enough to take seconds to drain in a debug build; the mapped path drains more slowly, so a smaller backlog does.
    static func backlog(mapped: Bool) -> Int { mapped ? 10_000 : 30_000 }

    struct Report: CustomStringConvertible {
        var backlog = 0
        /// Backlog events already stored when the press was published: if it is the whole backlog, the run cannot tell.
        var storedWhenPublished = 0
        /// Backlog events stored before the press (by the store's own order, whatever the test's polling saw).
        var storedBeforePress = 0
        var storedWhenRaised = 0
        /// From starting the hub to publishing the press.
        var secondsToPress = 0.0
        var secondsToIncident = 0.0
        var presses = 0
        var incidents = 0
        var repeats = 0
        var waitingLiveDeliveries = 0
        var description: String {
            "backlog \(backlog), press published " + String(format: "%.2f s", secondsToPress) + " after the hub started, "
                + "backlog events stored then \(storedWhenPublished), before the press "
                + "\(storedBeforePress), when its incident was seen \(storedWhenRaised), press to incident "
                + String(format: "%.2f s", secondsToIncident) + ", presses stored \(presses), incidents \(incidents), repeats \(repeats), "
                + "live deliveries left waiting \(waitingLiveDeliveries)"
        }
    }

    /// Queues the backlog with mosquitto_pub (fast, QoS 1), one message per line on one topic.
    static func queue(_ lines: [String], topic: String, port: Int) async throws {
        let file = try TemporaryDirectory(prefix: "carehub-live-lane")
        let path = file.path("backlog.txt")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let command = "/usr/bin/mosquitto_pub -h 127.0.0.1 -p \(port) -q 1 -t '\(topic)' -l < '\(path)'"
        let publisher = try ChildProcess(executable: URL(fileURLWithPath: "/bin/bash"), arguments: ["-c", command],
                                         logURL: file.url.appendingPathComponent("pub.log"))
        guard await publisher.waitForExit(timeout: .seconds(120)) == 0 else {
            throw TestSupportError("mosquitto_pub could not queue the backlog:\n\(publisher.log.suffix(1000))")
        }
    }

    static func run(liveLane: Bool, mapped: Bool) async throws -> Report {
        try await HubFixture.with { fixture in
            var configuration = "broker:\n  live_lane: \(liveLane)\n"
            if mapped {
                let mapping = TestPaths.packageRoot.appendingPathComponent("deploy/mappings/zigbee2mqtt.yaml").path
                configuration += "gateways:\n  - mapping: \(mapping)\n"
            }
            let backlog = backlog(mapped: mapped)
            var report = Report(backlog: backlog)
            let first = try await fixture.startHub(configuration: configuration)
            await first.child.kill()
            let timestamp = ISO8601DateFormatter().string(from: Date())
            let backlogTopic = mapped ? "z2m/backlog-home/sensor-1" : "carehub/v1/backlog-home/pir-1/event"
            let lines = (0..<backlog).map { index in
                mapped ? #"{"temperature":\#(String(format: "%.3f", 10 + Double(index) / 1000)),"linkquality":1}"#
                    : #"{"id":"backlog-\#(index)","ts":"\#(timestamp)","type":"motion","value":\#(index % 2 == 0)}"#
            }
            try await queue(lines, topic: backlogTopic, port: fixture.broker.port)
            let backlogStored = mapped ? "SELECT COUNT(*) FROM events WHERE home_id = 'backlog-home' AND type = 'temperature'"
                : "SELECT COUNT(*) FROM events WHERE home_id = 'backlog-home'"

            // The gateway is connected before the hub starts: connecting it after the live lane was ready took seconds
            // on a loaded machine, long enough for the backlog to drain first.
            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            let hub = try await fixture.startHub(configuration: configuration, waitUntilReady: false)
            let started = ContinuousClock.now
            if liveLane {
                // The live lane sees only what is published once it has subscribed: press as soon as it has, while the
                // backlog is still draining (a fixed wait let a loaded machine drain it first).
                let subscribed = started.advanced(by: .seconds(30))
                while !hub.child.log.contains("Live lane ready"), ContinuousClock.now < subscribed { try await Task.sleep(for: .milliseconds(10)) }
            } else {
                try await Task.sleep(for: .seconds(1))
            }
            report.secondsToPress = (ContinuousClock.now - started).inSeconds
            report.storedWhenPublished = try fixture.count(backlogStored)
            let pressedAt = ContinuousClock.now
            if mapped {
                try await gateway.publish("z2m/pressed-home/pendant", #"{"action":"sos"}"#)
            } else {
                try await gateway.publish("carehub/v1/pressed-home/pendant-1/event",
                                          #"{"id":"press-1","ts":"\#(ISO8601DateFormatter().string(from: Date()))","type":"pendant"}"#)
            }
            let raised = "SELECT COUNT(*) FROM incidents WHERE home_id = 'pressed-home'"
            let deadline = ContinuousClock.now.advanced(by: .seconds(120))
            while try fixture.count(raised) == 0 {
                guard ContinuousClock.now < deadline, hub.child.isRunning else {
                    throw TestSupportError("The press was never raised:\n\(hub.child.log.suffix(2000))")
                }
                try await Task.sleep(for: .milliseconds(2))
            }
            report.secondsToIncident = (ContinuousClock.now - pressedAt).inSeconds
            report.storedWhenRaised = try fixture.count(backlogStored)
            try await fixture.waitUntil(backlogStored, reaches: backlog, timeout: .seconds(120))
            report.storedBeforePress = try fixture.count(
                backlogStored + " AND seq < (SELECT MIN(seq) FROM events WHERE home_id = 'pressed-home' AND type = 'pendant')")
            // Barrier: a later event through the persistent session, stored after the press's copy.
            try await gateway.publish("carehub/v1/barrier-home/pir-1/event",
                                      #"{"id":"barrier","ts":"\#(ISO8601DateFormatter().string(from: Date()))","type":"motion","value":true}"#)
            try await fixture.waitUntil("SELECT COUNT(*) FROM events WHERE home_id = 'barrier-home'", reaches: 1, timeout: .seconds(60))
            try await fixture.waitUntilRulesEvaluated(home: "barrier-home", event: "barrier", timeout: .seconds(60))
            report.presses = try fixture.count("SELECT COUNT(*) FROM events WHERE home_id = 'pressed-home' AND type = 'pendant'")
            report.incidents = try fixture.count(raised)
            report.repeats = try fixture.count("SELECT COUNT(*) FROM incident_timeline WHERE action = 'repeat'")
            report.waitingLiveDeliveries = try fixture.count("SELECT COUNT(*) FROM live_deliveries")
            gateway.stop()
            return report
        }
    }

    @Test(arguments: [false, true]) func aPendantOvertakesTheBacklogAndIsRaisedOnce(mapped: Bool) async throws {
        let report = try await Self.run(liveLane: true, mapped: mapped)
        print("live lane (\(mapped ? "Zigbee2MQTT" : "contract") press behind a backlog): \(report)")
        // The press must be published while the backlog is still draining, or the run cannot tell the lanes apart.
        try #require(report.storedWhenPublished < report.backlog, "the backlog had drained before the press was published: \(report)")
        #expect(report.storedBeforePress < report.backlog, "the press waited for the whole backlog: \(report)")
        #expect(report.presses == 1, "\(report)")
        #expect(report.incidents == 1, "\(report)")
        #expect(report.repeats == 0, "\(report)")
        #expect(report.waitingLiveDeliveries == 0, "\(report)")
    }

    @Test func withoutTheLiveLaneThePressWaitsForTheWholeBacklog() async throws {
        let report = try await Self.run(liveLane: false, mapped: false)
        print("live lane off (must wait for the backlog): \(report)")
        try #require(report.storedWhenPublished < report.backlog, "the backlog had drained before the press was published: \(report)")
        #expect(report.storedBeforePress == report.backlog, "the test cannot tell the live lane from the persistent session: \(report)")
        #expect(report.presses == 1 && report.incidents == 1)
    }
}
