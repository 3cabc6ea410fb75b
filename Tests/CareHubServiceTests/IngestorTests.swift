import CareHubCore
import CareHubService
import CareHubStore
import CareHubTesting
import Foundation
import GRDB
import Testing

/// The `Ingestor` decides alike for contract and mapped (Zigbee2MQTT) messages, on a real SQLite file and a
/// manual clock: a device registered to another home, an unknown device, a home's device limit, a gateway's rate,
/// a home-less alarm and a clock out of line, each message taken the way the hub takes it (`read`, then `ingest`).
@Suite struct IngestorTests {
    /// Which of the two ways in a message takes.
    enum Kind: String, CaseIterable, Sendable {
        case native, mapped
    }

    final class Fixture {
        let directory: TemporaryDirectory
        let database: HubDatabase
        let clock = ManualClock(RFC3339.parse("2026-11-29T10:00:00Z")!)
        let mapping: GatewayMapping
        var ingestor: Ingestor
        private var nextID = 0

        init(registration: RegistrationMode = .automatic, limits: GatewayLimits = GatewayLimits(), limited: Bool = false,
             defaultHome: String? = nil) throws {
            directory = try TemporaryDirectory(prefix: "carehub-ingestor")
            database = try HubDatabase.openForHub(path: directory.path("carehub.sqlite"), synchronous: .normal)
            var mapping = try GatewayMapping.load(path: TestPaths.packageRoot.appendingPathComponent("deploy/mappings/zigbee2mqtt.yaml").path)
            mapping.defaultHome = defaultHome
            self.mapping = mapping
            ingestor = Ingestor(store: IngestStore(database: database), registration: registration, defaultTimeZone: "Europe/London",
                                limits: limits, mappings: [mapping], limiter: limited ? TrafficLimiter(limits: limits) : nil)
        }

        deinit { directory.remove() }

        /// A motion report (or, with `alarm`, a pendant press) from `device` of `home`, a second after the last message.
        @discardableResult
        func send(_ kind: Kind, alarm: Bool = false, home: String, device: String) throws -> IngestOutcome {
            nextID += 1
            let ts = RFC3339.format(clock.now)
            switch kind {
            case .native:
                let type = alarm ? #""type":"pendant""# : #""type":"motion","value":true"#
                return try receive("carehub/v1/\(home)/\(device)/event", #"{"id":"e\#(nextID)","ts":"\#(ts)",\#(type)}"#)
            case .mapped:
                return try receive("z2m/\(home)/\(device)", alarm ? #"{"action":"sos"}"# : #"{"occupancy":true}"#)
            }
        }

        /// One message, as the hub reads and ingests it, with a delivery of its own.
        func receive(_ topic: String, _ text: String) throws -> IngestOutcome {
            clock.advance(by: 1)
            let payload = Array(text.utf8)
            let message = ingestor.read(topic: topic, payload: payload, retained: false, receivedAt: clock.now)
            return try ingestor.ingest(message, topic: topic, payload: payload, delivery: IngestStore.Delivery(), receivedAt: clock.now)
        }

        func rows(_ sql: String) throws -> [Row] { try database.writer.read { try Row.fetchAll($0, sql: sql) } }
        func count(_ sql: String) throws -> Int { try database.writer.read { try Int.fetchOne($0, sql: sql) ?? -1 } }

        /// The flags of every stored event, oldest first.
        func eventFlags() throws -> [String?] { try rows("SELECT flags FROM events ORDER BY seq").map { $0["flags"] } }
    }

    @Test(arguments: Kind.allCases)
    func aDeviceRegisteredToAnotherHomeIsRefusedAsAPossibleSpoofAndItsAlarmIsStoredFlagged(kind: Kind) throws {
        let fixture = try Fixture()
        let registry = DeviceRegistry(database: fixture.database)
        let devices: [DeviceRegistry.Entry] = [
            .init(home: "anna-1", device: "pir-bob"), .init(home: "anna-1", device: "pendant-bob"), .init(home: "bob-2", device: "pir-hall"),
        ]
        try registry.add(devices, timeZone: "Europe/London", by: "Sam", at: fixture.clock.now)
        try registry.assign(.init(home: "bob-2", device: "pir-bob"), by: "Sam", at: fixture.clock.now)
        try registry.assign(.init(home: "bob-2", device: "pendant-bob"), by: "Sam", at: fixture.clock.now)

        #expect(try fixture.send(kind, home: "anna-1", device: "pir-bob") == .refused(code: "registered_elsewhere"))
        let refused = try fixture.rows("SELECT reason_code, home_id, device_id FROM refused_events")
        #expect(refused.map { [$0["reason_code"], $0["home_id"], $0["device_id"]] as [String?] } == [["registered_elsewhere", "anna-1", "pir-bob"]])
        let incidents = try fixture.rows("SELECT home_id, kind, device_id, flags FROM incidents")
        #expect(incidents.map { [$0["home_id"], $0["kind"], $0["device_id"]] as [String?] } == [["anna-1", "data_fault", "pir-bob"]])
        #expect(try fixture.count("SELECT COUNT(*) FROM devices WHERE home_id = 'anna-1' AND removed_at IS NULL") == 0, "never registered automatically")

        let alarm = try fixture.send(kind, alarm: true, home: "anna-1", device: "pendant-bob")
        #expect(alarm.carriedAlarm)
        #expect(try fixture.eventFlags() == ["registered_elsewhere"])
        #expect(try fixture.count("SELECT COUNT(*) FROM outbox WHERE notification = 'receipt'") == 1)
    }

    @Test(arguments: Kind.allCases)
    func anUnknownDeviceUnderStrictRegistrationIsKeptAsideButItsAlarmIsStoredFlagged(kind: Kind) throws {
        let fixture = try Fixture(registration: .strict)
        try DeviceRegistry(database: fixture.database).add([.init(home: "anna-1", device: "pir-hall")], timeZone: "Europe/London", by: "Sam",
                                                            at: fixture.clock.now)
        #expect(try fixture.send(kind, home: "anna-1", device: "pir-new") == .refused(code: "unregistered"))
        #expect(try fixture.rows("SELECT reason_code FROM refused_events").map { $0["reason_code"] as String } == ["unregistered"])
        #expect(try fixture.send(kind, alarm: true, home: "anna-1", device: "pendant-new").carriedAlarm)
        #expect(try fixture.eventFlags() == ["unregistered"])
        #expect(try fixture.count("SELECT COUNT(*) FROM devices") == 1, "strict registration registered a device")
        #expect(try fixture.count("SELECT COUNT(*) FROM incidents") == 0)
    }

    @Test(arguments: Kind.allCases)
    func aNewDevicePastItsHomesLimitIsKeptAsADigestAndReportedButItsAlarmIsStored(kind: Kind) throws {
        var limits = GatewayLimits()
        limits.devicesPerHome = 1
        let fixture = try Fixture(limits: limits)
        #expect(try fixture.send(kind, home: "anna-1", device: "pir-a") != .refused(code: "quota"))
        #expect(try fixture.send(kind, home: "anna-1", device: "pir-b") == .refused(code: "quota"))
        let refused = try fixture.rows("SELECT reason_code, reason, LENGTH(payload) AS kept, payload_length FROM refused_events")
        #expect(refused.count == 1)
        #expect(refused.first?["reason_code"] as String? == "quota")
        #expect((refused.first?["reason"] as String?)?.contains("already has 1 devices") == true)
        #expect(refused.first?["kept"] as Int? == 0, "only the length and SHA-256 are kept")
        #expect((refused.first?["payload_length"] as Int? ?? 0) > 0)
        #expect(try fixture.rows("SELECT kind FROM incidents").map { $0["kind"] as String } == ["quota_exceeded"])
        #expect(try fixture.send(kind, alarm: true, home: "anna-1", device: "pendant-c").carriedAlarm)
        #expect(try fixture.rows("SELECT flags FROM events WHERE device_id = 'pendant-c'").map { $0["flags"] as String? } == ["unregistered"])
        #expect(try fixture.count("SELECT COUNT(*) FROM devices WHERE home_id = 'anna-1'") == 1)
    }

    @Test(arguments: Kind.allCases)
    func aGatewayOverItsRateHasItsMessagesKeptAsDigestsButAlarmsPass(kind: Kind) throws {
        var limits = GatewayLimits()
        limits.messagesPerSecond = 0.001
        limits.burst = 1
        let fixture = try Fixture(limits: limits, limited: true)
        #expect(try fixture.send(kind, home: "anna-1", device: "pir-a") != .refused(code: "quota"))
        #expect(try fixture.send(kind, home: "anna-1", device: "pir-a") == .refused(code: "quota"))
        #expect((try fixture.rows("SELECT reason FROM refused_events").first?["reason"] as String?)?.contains("messages a second") == true)
        #expect(try fixture.send(kind, alarm: true, home: "anna-1", device: "pendant-a").carriedAlarm)
        #expect(try fixture.rows("SELECT kind FROM incidents").map { $0["kind"] as String } == ["quota_exceeded"])
    }

    @Test func aMappedAlarmWithoutAHomeIsKeptAsideAndStoredUnderTheUnassignedHome() throws {
        let fixture = try Fixture()
        let outcome = try fixture.receive("zigbee2mqtt/pendant_anna", #"{"action":"sos"}"#)
        #expect(outcome == .mapped(events: 1, receiptQueued: true))
        let noHome = RefusalReason.noHome(device: "pendant_anna").code
        #expect(try fixture.rows("SELECT reason_code, home_id FROM refused_events").map { [$0["reason_code"], $0["home_id"]] as [String?] }
                == [[noHome, nil]])
        let events = try fixture.rows("SELECT home_id, type, flags FROM events")
        #expect(events.map { [$0["home_id"], $0["type"], $0["flags"]] as [String?] } == [[SensorEvent.unassignedHome, "pendant", "no_home"]])
        // A message without a home and without an alarm is only kept aside.
        #expect(try fixture.receive("zigbee2mqtt/hall_motion", #"{"occupancy":true}"#) == .refused(code: noHome))
        #expect(try fixture.count("SELECT COUNT(*) FROM events") == 1)
        #expect(try fixture.count("SELECT COUNT(*) FROM homes") == 0)
    }

    @Test func aClockOutOfLineRefusesAContractReadingAndGivesWayToTheReceiveTimeInAMappedOne() throws {
        let fixture = try Fixture()
        let ahead = RFC3339.format(fixture.clock.now.addingTimeInterval(2 * 86_400))
        let native = try fixture.receive("carehub/v1/anna-1/pir-a/event", #"{"id":"e1","ts":"\#(ahead)","type":"motion","value":true}"#)
        #expect(native == .refused(code: "clock_ahead"))
        let mapped = try fixture.receive("z2m/anna-1/pir-b", #"{"occupancy":true,"last_seen":"\#(ahead)"}"#)
        #expect(mapped == .mapped(events: 1, receiptQueued: false))
        let stored = try fixture.rows("SELECT ts, received_at FROM events")
        #expect(stored.map { $0["ts"] as Int64 } == stored.map { $0["received_at"] as Int64 }, "the gateway's clock was believed")
    }
}
