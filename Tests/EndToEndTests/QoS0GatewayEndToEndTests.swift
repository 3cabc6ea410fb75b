import CareHubTesting
import Foundation
import Testing

/// Zigbee2MQTT publishes at QoS 0 unless a device is set to `qos: 1`. Through the shipped broker configuration
/// (TLS, passwords, ACL: `DeployedSite`) and the built hub, such messages survive the hub's restarts and crashes:
/// the broker queues them for the hub's persistent session and delivers them at QoS 1, so the hub acknowledges
/// each only once it is committed.
@Suite(.serialized, .timeLimit(.minutes(5))) struct QoS0GatewayEndToEndTests {
    /// The shipped configuration without the upgrade to QoS 1 (QoS 0 still queued for the hub, but delivered at QoS 0):
    /// what the backlog test must tell apart from the shipped one.
    static let deliveredAtQoS0 = [("upgrade_outgoing_qos true\n", "")]

    @Test func aPendantPressAtQoS0WhileTheHubIsDownRaisesTheEmergencyWhenItIsBack() async throws {
        try await DeployedSite.with { site in
            // The first start creates the hub's persistent session; then the hub is stopped (an upgrade, a restart).
            try await site.startHub()
            try await site.stopHub()
            let gateway = try await site.gateway("home-a")
            try await gateway.publish("z2m/home-a/pendant_anna", #"{"action":"sos","battery":90,"linkquality":120}"#, qos: 0)
            // QoS 1 behind it on the same connection: once acknowledged, the broker has dealt with the press.
            try await gateway.publish("z2m/home-a/bridge/state", #"{"state":"online"}"#)
            try await site.startHub()
            let emergency = "SELECT COUNT(*) FROM incidents WHERE home_id = 'home-a' AND kind = 'pendant' AND priority = 'emergency'"
            let raised = try await site.database.waitUntil(emergency, reaches: 1, timeout: .seconds(30))
            #expect(raised == 1, "the press published at QoS 0 while the hub was down raised no emergency")
            gateway.stop()
        }
    }

    struct Report: CustomStringConvertible {
        var published = 0
        var stored = 0
        var distinct = 0
        var kills = 0
        var storedAtKills: [Int] = []
        var lost: Int { published - distinct }
        var description: String {
            "published \(published) at QoS 0, stored \(stored) (\(distinct) distinct), lost \(lost), SIGKILLs \(kills), "
                + "stored at each kill \(storedAtKills)"
        }
    }

    /// Hub down, a backlog of QoS 0 Zigbee2MQTT temperatures queued for it (each device's values distinct, so every
    /// message is one event), then the hub SIGKILLed three times while it drains, and finally left to finish.
    static func runBacklog(configurationEdits: [(String, String)]) async throws -> Report {
        try await DeployedSite.with(configurationEdits: configurationEdits) { site in
            var report = Report()
            try await site.startHub()
            try await site.stopHub()
            let gateway = try await site.gateway("home-a")
            let devices = 15
            for index in 0..<3_000 {
                // 10.00, 10.01, … °C: every value distinct per device and within the mapping's range.
                let temperature = String(format: "%.2f", 10 + Double(index / devices) / 100)
                try await gateway.publish("z2m/home-a/sensor-\(index % devices)", #"{"temperature":\#(temperature)}"#, qos: 0)
                report.published += 1
            }
            try await gateway.publish("z2m/home-a/bridge/state", #"{"state":"online"}"#)
            let stored = "SELECT COUNT(*) FROM events WHERE home_id = 'home-a' AND type = 'temperature'"
            for _ in 0..<3 {
                let before = try site.database.count(stored)
                let hub = try await site.startHub(waitUntilReady: false)
                // Kill once it has stored three hundred more (a burst is at most 256), mid-drain (or once it has stopped
                // getting any).
                try await Self.waitWhileStoring(stored, reaches: before + 300, in: site, while: { hub.child.isRunning })
                await hub.child.kill()
                report.kills += 1
                report.storedAtKills.append(try site.database.count(stored))
            }
            try await site.startHub()
            let distinct = "SELECT COUNT(*) FROM (SELECT DISTINCT device_id, value FROM events WHERE home_id = 'home-a' AND type = 'temperature')"
            try await Self.waitWhileStoring(distinct, reaches: report.published, in: site, patience: .seconds(20))
            try await site.stopHub()
            report.stored = try site.database.count(stored)
            report.distinct = try site.database.count(distinct)
            gateway.stop()
            return report
        }
    }

    /// Waits until `sql` counts `target`, or until it has not grown for `patience` (a hub that gets nothing more), or
    /// until `condition` fails; the count is polled every millisecond so that a kill lands close to the target.
    static func waitWhileStoring(
        _ sql: String, reaches target: Int, in site: DeployedSite, patience: Duration = .seconds(10), while condition: () -> Bool = { true }
    ) async throws {
        var last = try site.database.count(sql)
        var grewAt = ContinuousClock.now
        while last < target, ContinuousClock.now - grewAt < patience, condition() {
            try await Task.sleep(for: .milliseconds(1))
            let now = try site.database.count(sql)
            if now != last { (last, grewAt) = (now, ContinuousClock.now) }
        }
    }

    @Test func aQoS0BacklogLosesNothingWhenTheHubIsKilledWhileDraining() async throws {
        let report = try await Self.runBacklog(configurationEdits: [])
        print("QoS 0 backlog, shipped broker configuration: \(report)")
        #expect(report.kills == 3)
        #expect(report.storedAtKills.allSatisfy { $0 < report.published - 100 }, "a kill did not land mid-drain: \(report)")
        #expect(report.lost == 0, "\(report)")
    }

    @Test func theSameBacklogDeliveredAtQoS0IsLostWhenTheHubIsKilled() async throws {
        let report = try await Self.runBacklog(configurationEdits: Self.deliveredAtQoS0)
        print("QoS 0 backlog, delivered at QoS 0 (must lose): \(report)")
        #expect(report.lost > 0, "the backlog test cannot tell delivery at QoS 0 from delivery at QoS 1: \(report)")
    }
}
