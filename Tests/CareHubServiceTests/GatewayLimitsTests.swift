import CareHubCore
import CareHubService
import CareHubStore
import CareHubTesting
import Foundation
import GRDB
import Logging
import Mosquitto
import Testing

/// One gateway credential must not be able to stop every home: past its limits a gateway's messages are kept as
/// length and SHA-256 (reason `quota`), then only counted, and a technical incident says so; alarms pass every
/// limit. Real SQLite, the ingest handler the hub runs.
@Suite struct GatewayLimitsTests {
    struct Fixture {
        let directory: TemporaryDirectory
        let database: HubDatabase
        let clock = ManualClock(RFC3339.parse("2026-11-29T10:00:00Z") ?? Date())
        let handler: IngestHandler
        var limits = GatewayLimits()

        init(limits: GatewayLimits, caughtUp: Bool = true) throws {
            directory = try TemporaryDirectory(prefix: "carehub-limits")
            database = try HubDatabase.openForHub(path: directory.path("carehub.sqlite"), synchronous: .normal)
            self.limits = limits
            handler = IngestHandler(
                ingestor: Ingestor(store: IngestStore(database: database), registration: .automatic, defaultTimeZone: "Europe/London",
                                   limits: limits, limiter: TrafficLimiter(limits: limits, caughtUp: { caughtUp })),
                clock: clock, logger: Logger(label: "test"), newEvents: Doorbell(), newOutbox: Doorbell(),
                onStoreFailure: { Issue.record("store failed: \($0)") })
        }

        func send(home: String = "flood-1", device: String, _ payload: String, qos: Int32 = 1) {
            handler.handle(MosquittoMessage(topic: "carehub/v1/\(home)/\(device)/event", payload: Array(payload.utf8), qos: qos))
        }

        func event(_ id: String, type: String = "motion", value: String? = "true") -> String {
            let value = value.map { #","value":\#($0)"# } ?? ""
            return #"{"id":"\#(id)","ts":"2026-11-29T10:00:00Z","type":"\#(type)"\#(value)}"#
        }

        func count(_ sql: String) throws -> Int { try database.writer.read { try Int.fetchOne($0, sql: sql) ?? -1 } }
    }

    @Test func aHomePastItsDeviceLimitKeepsNewDevicesAsDigestsAndStillRaisesTheirAlarms() throws {
        var limits = GatewayLimits()
        limits.devicesPerHome = 3
        let fixture = try Fixture(limits: limits)
        defer { fixture.directory.remove() }
        for index in 0..<5 { fixture.send(device: "new-\(index)", fixture.event("m\(index)")) }
        #expect(try fixture.count("SELECT COUNT(*) FROM devices WHERE home_id = 'flood-1'") == 3)
        #expect(try fixture.count("SELECT COUNT(*) FROM events") == 3)
        #expect(try fixture.count("SELECT COUNT(*) FROM refused_events WHERE reason_code = 'quota' AND LENGTH(payload) = 0 AND payload_length > 0") == 2,
                "the two extra devices' messages are kept as length and SHA-256")
        #expect(try fixture.count("SELECT COUNT(*) FROM incidents WHERE kind = 'quota_exceeded' AND home_id = 'flood-1' AND device_id = 'carehub'") == 1)
        fixture.send(device: "new-pendant", fixture.event("p1", type: "pendant", value: nil))
        #expect(try fixture.count("SELECT COUNT(*) FROM events WHERE type = 'pendant' AND flags = 'unregistered'") == 1, "an alarm is raised past any limit")
    }

    @Test func refusedPayloadsPastTheDailyBytesAreDigestsAndPastTheDailyRecordsOnlyCounted() throws {
        var limits = GatewayLimits()
        limits.refusedBytesPerDay = 1_000
        limits.refusedRecordsPerDay = 6
        let fixture = try Fixture(limits: limits)
        defer { fixture.directory.remove() }
        let junk = "{" + String(repeating: "x", count: 299)
        for _ in 0..<10 { fixture.send(device: "pir-1", junk) }
        #expect(try fixture.count("SELECT COUNT(*) FROM refused_events WHERE reason_code = 'invalid_json' AND LENGTH(payload) = 300") == 3)
        #expect(try fixture.count("SELECT COUNT(*) FROM refused_events WHERE reason_code = 'quota' AND LENGTH(payload) = 0 AND payload_length = 300") == 3)
        #expect(try fixture.count("SELECT COUNT(*) FROM refused_events") == 6, "at most the day's records are kept one by one")
        let traffic = try GatewayTraffic(database: fixture.database).recent(since: fixture.clock.now.addingTimeInterval(-86_400))
        #expect(traffic.map(\.quotaCounted) == [4], "the rest are counted: none is silently dropped")
        #expect(traffic.map(\.quotaKept) == [3])
        #expect(try fixture.count("SELECT COUNT(*) FROM incidents WHERE kind = 'quota_exceeded'") == 1, "one incident, joined by the second limit")
        // Another home's gateway has its own allowance.
        fixture.send(home: "other-2", device: "pir-1", junk)
        #expect(try fixture.count("SELECT COUNT(*) FROM refused_events WHERE home_id = 'other-2' AND LENGTH(payload) = 300") == 1)
    }

    @Test func aGatewayOverItsRateIsHeldOnceCaughtUpButNeverItsAlarms() throws {
        var limits = GatewayLimits()
        limits.messagesPerSecond = 1
        limits.burst = 5
        let fixture = try Fixture(limits: limits)
        defer { fixture.directory.remove() }
        for index in 0..<20 { fixture.send(device: "pir-1", fixture.event("m\(index)")) }
        fixture.send(device: "pendant-1", fixture.event("p1", type: "pendant", value: nil))
        #expect(try fixture.count("SELECT COUNT(*) FROM events WHERE type = 'motion'") == 5, "the burst, then the rate")
        #expect(try fixture.count("SELECT COUNT(*) FROM refused_events WHERE reason_code = 'quota' AND LENGTH(payload) = 0") == 15)
        #expect(try fixture.count("SELECT COUNT(*) FROM events WHERE type = 'pendant'") == 1)
        // A quiet home is never held by another home's flood.
        fixture.send(home: "quiet-3", device: "pir-1", fixture.event("q1"))
        #expect(try fixture.count("SELECT COUNT(*) FROM events WHERE home_id = 'quiet-3'") == 1)
    }

    @Test func whileTheHubDrainsABacklogNoRateIsHeld() throws {
        var limits = GatewayLimits()
        limits.messagesPerSecond = 1
        limits.burst = 5
        let fixture = try Fixture(limits: limits, caughtUp: false)
        defer { fixture.directory.remove() }
        for index in 0..<20 { fixture.send(device: "pir-1", fixture.event("m\(index)")) }
        #expect(try fixture.count("SELECT COUNT(*) FROM events") == 20, "a backlog drained at the hub's speed is no gateway's fault")
    }

    @Test func gatewaysSendingAtQoSZeroAreCountedWithTheirAlarms() throws {
        let fixture = try Fixture(limits: GatewayLimits())
        defer { fixture.directory.remove() }
        fixture.send(device: "pir-1", fixture.event("m1"), qos: 0)
        fixture.send(device: "pendant-1", fixture.event("p1", type: "pendant", value: nil), qos: 0)
        fixture.send(home: "careful-2", device: "pir-1", fixture.event("m1"), qos: 1)
        let traffic = try GatewayTraffic(database: fixture.database).recent(since: fixture.clock.now.addingTimeInterval(-86_400))
        #expect(traffic.map(\.sender) == [GatewaySender(dialect: "carehub", home: "flood-1")])
        #expect(traffic.first?.qos0Messages == 2)
        #expect(traffic.first?.qos0Alarms == 1)
    }
}
