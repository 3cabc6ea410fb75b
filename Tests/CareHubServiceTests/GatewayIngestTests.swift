import CareHubCore
import CareHubService
import CareHubStore
import CareHubTesting
import Foundation
import GRDB
import Testing

/// Mapped-dialect ingest on real SQLite files with the shipped Zigbee2MQTT mapping: the registry maps
/// friendly names to devices and rooms, the mapping's memory survives a restart, unknown and spoofed devices
/// are kept aside and reported, and alarms are never lost to either.
@Suite struct GatewayIngestTests {
    struct Fixture {
        let directory: TemporaryDirectory
        let database: HubDatabase
        var now = RFC3339.parse("2026-11-29T10:00:00Z")!
        var mapping: GatewayMapping

        init() throws {
            directory = try TemporaryDirectory(prefix: "carehub-gateway")
            database = try HubDatabase.openForHub(path: directory.path("carehub.sqlite"), synchronous: .normal)
            mapping = try GatewayMapping.load(path: TestPaths.packageRoot.appendingPathComponent("deploy/mappings/zigbee2mqtt.yaml").path)
        }

        @discardableResult
        mutating func receive(_ topic: String, _ payload: String, registration: RegistrationMode = .automatic, retained: Bool = false,
                              after seconds: TimeInterval = 60) throws -> IngestOutcome {
            now += seconds
            guard let input = MappedInput(mappings: [mapping], topic: topic, payload: Array(payload.utf8), retained: retained) else {
                throw TestSupportError("no route for \(topic)")
            }
            let ingestor = Ingestor(store: IngestStore(database: database), registration: registration, defaultTimeZone: "Europe/London")
            return try ingestor.ingest(.mapped(input), topic: input.topic, payload: input.payload, receivedAt: now)
        }

        func rows(_ sql: String) throws -> [Row] { try database.writer.read { try Row.fetchAll($0, sql: sql) } }
        func count(_ sql: String) throws -> Int { try database.writer.read { try Int.fetchOne($0, sql: sql) ?? -1 } }
    }

    @Test func aRegisteredFriendlyNameBecomesItsDeviceAndRoom() throws {
        var fixture = try Fixture()
        defer { fixture.directory.remove() }
        try DeviceRegistry(database: fixture.database).add(
            [.init(home: "anna-1", device: "door-front", name: "entry/front_door", type: .door, room: "front_door")],
            timeZone: "Europe/London", by: "Sam", at: fixture.now)
        try fixture.receive("z2m/anna-1/entry/front_door", #"{"battery":100,"contact":true,"linkquality":96}"#)
        try fixture.receive("z2m/anna-1/entry/front_door", #"{"battery":100,"contact":false,"linkquality":90}"#)
        let events = try fixture.rows("SELECT device_id, type, value, room, battery FROM events ORDER BY seq")
        #expect(events.count == 2)
        #expect(events.map { $0["type"] as String } == ["heartbeat", "door"], "the first contact value is a baseline")
        #expect(events.last?["value"] as String? == "\"open\"")
        #expect(events.allSatisfy { $0["device_id"] as String == "door-front" && $0["room"] as String? == "front_door" })
        #expect(try fixture.count("SELECT link_quality FROM devices WHERE id = 'door-front'") == 90)
    }

    @Test func theMappingsMemorySurvivesARestartSoARepeatedStateIsNoNewEvent() throws {
        var fixture = try Fixture()
        defer { fixture.directory.remove() }
        try fixture.receive("zigbee2mqtt/kitchen/fridge", #"{"contact":true}"#, after: 0)
        fixture.mapping.defaultHome = "anna-1"
        try fixture.receive("zigbee2mqtt/kitchen/fridge", #"{"contact":true}"#)
        try fixture.receive("zigbee2mqtt/kitchen/fridge", #"{"contact":false}"#)
        // A new Ingestor (as after a restart) reads the memory back from the database.
        try fixture.receive("zigbee2mqtt/kitchen/fridge", #"{"contact":false,"battery":"99.00"}"#)
        let types = try fixture.rows("SELECT type, value, battery FROM events WHERE home_id = 'anna-1' ORDER BY seq")
        #expect(types.map { $0["type"] as String } == ["heartbeat", "door", "heartbeat"])
        #expect(types.last?["battery"] as Double? == 99)
        #expect(try fixture.count("SELECT COUNT(*) FROM refused_events WHERE reason_code = 'unregistered' AND home_id IS NULL") == 1,
                "before a home was configured the message was kept aside, not lost")
    }

    @Test func strictRegistrationKeepsUnknownDevicesAsideListsThemAndStillRaisesAlarms() throws {
        var fixture = try Fixture()
        defer { fixture.directory.remove() }
        try DeviceRegistry(database: fixture.database).add([.init(home: "anna-1", device: "pir-hall", name: "hall/motion")],
                                                            timeZone: "Europe/London", by: "Sam", at: fixture.now)
        let motion = try fixture.receive("z2m/anna-1/lounge/motion", #"{"occupancy":true}"#, registration: .strict)
        #expect(motion == .refused(code: "unregistered"))
        let alarm = try fixture.receive("z2m/anna-1/pendant_anna", #"{"action":"emergency","battery":90}"#, registration: .strict)
        #expect(alarm == .mapped(events: 1, receiptQueued: true))
        let stored = try fixture.rows("SELECT type, flags FROM events")
        #expect(stored.map { $0["flags"] as String? } == ["unregistered"])
        let unknown = try DeviceQueries(database: fixture.database).unknown(since: nil)
        #expect(unknown.map(\.device) == ["lounge/motion"])
        try fixture.receive("z2m/anna-1/hall/motion", #"{"occupancy":true}"#, registration: .strict)
        #expect(try fixture.count("SELECT COUNT(*) FROM events WHERE device_id = 'pir-hall' AND type = 'motion'") == 1)
    }

    @Test func aMessageWithNoKnownHomeIsKeptAsideAndAnAlarmInItIsStillRaised() throws {
        var fixture = try Fixture()
        defer { fixture.directory.remove() }
        // Plain base topic, a device in nobody's registry, and no home configured for the gateway.
        let motion = try fixture.receive("zigbee2mqtt/carol/hall_motion", #"{"occupancy":true}"#)
        #expect(motion == .refused(code: "unregistered"))
        #expect(try fixture.count("SELECT COUNT(*) FROM events") == 0)
        let alarm = try fixture.receive("zigbee2mqtt/carol/pendant", #"{"action":"sos","battery":80}"#)
        #expect(alarm == .mapped(events: 1, receiptQueued: true))
        let stored = try fixture.rows("SELECT home_id, device_id, type, flags FROM events")
        #expect(stored.map { $0["home_id"] as String } == [SensorEvent.unassignedHome])
        #expect(stored.map { $0["type"] as String } == ["pendant"], "only the alarm: the battery reading has no home to belong to")
        #expect(stored.map { $0["flags"] as String? } == ["no_home"])
        #expect(stored.first?["device_id"] as String? == DeviceName.identifier(for: "carol/pendant"))
        let unknown = try DeviceQueries(database: fixture.database).unknown(since: nil)
        #expect(unknown.map(\.device) == ["carol/pendant", "carol/hall_motion"], "both are listed with their gateway names, to be registered")
        #expect(try fixture.count("SELECT COUNT(*) FROM devices") == 0, "nothing is registered under the stand-in home")
        #expect(throws: StoreError.self, "the stand-in home is not a home staff can register devices in") {
            try DeviceRegistry(database: fixture.database).add([.init(home: SensorEvent.unassignedHome, device: "pendant")],
                                                                timeZone: "Europe/London", by: "Sam", at: fixture.now)
        }
        // A smoke alarm's self-test is kept like any alarm reading, and raises nothing (the rules see is_test).
        let selfTest = try fixture.receive("zigbee2mqtt/carol/smoke", #"{"smoke":true,"test":true}"#)
        #expect(selfTest == .mapped(events: 1, receiptQueued: true))
        #expect(try fixture.count("SELECT COUNT(*) FROM events WHERE type = 'smoke' AND is_test = 1") == 1)
    }

    @Test func aDeviceMovedToAnotherHomeIsRefusedWhereItWasAsAPossibleSpoofAndReported() throws {
        var fixture = try Fixture()
        defer { fixture.directory.remove() }
        let registry = DeviceRegistry(database: fixture.database)
        try registry.add(
            [.init(home: "anna-1", device: "pendant-bob", name: "pendant_bob"), .init(home: "anna-1", device: "pir-bob", name: "pir_bob")],
            timeZone: "Europe/London", by: "Sam", at: fixture.now)
        try registry.add([.init(home: "bob-2", device: "pir-hall")], timeZone: "Europe/London", by: "Sam", at: fixture.now)
        // Staff move both devices to Bob's: messages that still claim them in Anna's home contradict the registry.
        try registry.assign(.init(home: "bob-2", device: "pendant-bob"), by: "Sam", at: fixture.now)
        try registry.assign(.init(home: "bob-2", device: "pir-bob"), by: "Sam", at: fixture.now)
        let motion = try fixture.receive("z2m/anna-1/pir_bob", #"{"occupancy":true}"#)
        #expect(motion == .refused(code: "registered_elsewhere"))
        #expect(try fixture.count("SELECT COUNT(*) FROM devices WHERE home_id = 'anna-1' AND removed_at IS NULL") == 0, "never registered automatically")
        let incidents = try fixture.rows("SELECT home_id, kind, device_id, summary FROM incidents")
        #expect(incidents.map { $0["kind"] as String } == ["data_fault"])
        #expect((incidents.first?["summary"] as String?)?.contains("registered to home bob-2") == true)
        // An alarm is never lost to the refusal: stored, flagged, so the rules raise it with a technical incident.
        let alarm = try fixture.receive("z2m/anna-1/pendant_bob", #"{"action":"sos"}"#)
        #expect(alarm == .mapped(events: 1, receiptQueued: true))
        #expect(try fixture.rows("SELECT flags FROM events").map { $0["flags"] as String? } == ["registered_elsewhere"])
        // The native contract topics get the same check.
        let decoded = EventDecoder().decode(topic: "carehub/v1/anna-1/pir-bob/event",
                                            payload: Array(#"{"id":"x1","ts":"2026-11-29T10:05:00Z","type":"motion","value":true}"#.utf8),
                                            receivedAt: fixture.now)
        let native = try Ingestor(store: IngestStore(database: fixture.database), registration: .automatic, defaultTimeZone: "Europe/London")
            .ingest(.contract(decoded), topic: "carehub/v1/anna-1/pir-bob/event", payload: [], receivedAt: fixture.now)
        #expect(native == .refused(code: "registered_elsewhere"))
        let unknown = try DeviceQueries(database: fixture.database).unknown(since: nil)
        #expect(Set(unknown.map(\.reason)) == ["registered_elsewhere"])
    }

    @Test func theSameDeviceIdOrNameInAnotherHomeIsAnotherDevice() throws {
        var fixture = try Fixture()
        defer { fixture.directory.remove() }
        // Device ids are unique within a home, gateway names within a gateway: staff registering Bob's kitchen
        // fridge says nothing about Anna's.
        try DeviceRegistry(database: fixture.database).add(
            [.init(home: "bob-2", device: "pir-1", type: .motion, room: "hall"), .init(home: "bob-2", device: "fridge-bob", name: "kitchen/fridge")],
            timeZone: "Europe/London", by: "Sam", at: fixture.now)
        try fixture.receive("z2m/anna-1/kitchen/fridge", #"{"contact":true}"#)
        #expect(try fixture.receive("z2m/anna-1/kitchen/fridge", #"{"contact":false}"#) == .mapped(events: 1, receiptQueued: false))
        let decoded = EventDecoder().decode(topic: "carehub/v1/anna-1/pir-1/event",
                                            payload: Array(#"{"id":"x1","ts":"2026-11-29T10:05:00Z","type":"motion","value":true}"#.utf8),
                                            receivedAt: fixture.now)
        let native = try Ingestor(store: IngestStore(database: fixture.database), registration: .automatic, defaultTimeZone: "Europe/London")
            .ingest(.contract(decoded), topic: "carehub/v1/anna-1/pir-1/event", payload: [], receivedAt: fixture.now)
        #expect(native == .stored(seq: 3, receiptQueued: false))
        #expect(try fixture.count("SELECT COUNT(*) FROM incidents") == 0, "no spoof was reported")
        #expect(try fixture.count("SELECT COUNT(*) FROM refused_events") == 0)
    }

    @Test func aGatewayWithoutHomesInItsTopicsWritesOnlyIntoItsConfiguredHome() throws {
        var fixture = try Fixture()
        defer { fixture.directory.remove() }
        // The registry names the device's gateway name in Bob's home; the gateway on the plain topic serves Anna's.
        try DeviceRegistry(database: fixture.database).add([.init(home: "bob-2", device: "door-bob", name: "entry/front_door", type: .door)],
                                                            timeZone: "Europe/London", by: "Sam", at: fixture.now)
        try fixture.receive("zigbee2mqtt/entry/front_door", #"{"contact":true}"#)
        #expect(try fixture.count("SELECT COUNT(*) FROM events WHERE home_id = 'bob-2'") == 0, "with no home set, the registry placed a message")
        fixture.mapping.defaultHome = "anna-1"
        try fixture.receive("zigbee2mqtt/entry/front_door", #"{"contact":false}"#)
        #expect(try fixture.count("SELECT COUNT(*) FROM events WHERE home_id = 'bob-2'") == 0, "a message was written into the home the registry names")
        #expect(try fixture.count("SELECT COUNT(*) FROM events WHERE home_id = 'anna-1'") == 1)
    }

    @Test func reservedHomesAreRefusedInEveryTopic() throws {
        var fixture = try Fixture()
        defer { fixture.directory.remove() }
        for home in ["hub", "carehub", SensorEvent.unassignedHome] {
            #expect(try fixture.receive("z2m/\(home)/hall/motion", #"{"occupancy":true}"#) == .refused(code: "invalid_topic"), "z2m/\(home)")
            let topic = "carehub/v1/\(home)/pir-1/event"
            let decoded = EventDecoder().decode(topic: topic, payload: Array(#"{"id":"x1","ts":"2026-11-29T10:05:00Z","type":"motion","value":true}"#.utf8),
                                                receivedAt: fixture.now)
            let native = try Ingestor(store: IngestStore(database: fixture.database), registration: .automatic, defaultTimeZone: "Europe/London")
                .ingest(.contract(decoded), topic: topic, payload: [], receivedAt: fixture.now)
            #expect(native == .refused(code: "invalid_topic"), "\(topic)")
            #expect(throws: StoreError.self, "the registry accepted the reserved home \(home)") {
                try DeviceRegistry(database: fixture.database).add([.init(home: home, device: "pir-1")], timeZone: "Europe/London", by: "Sam", at: fixture.now)
            }
        }
        #expect(try fixture.count("SELECT COUNT(*) FROM events") == 0)
        #expect(try fixture.count("SELECT COUNT(*) FROM homes") == 0)
    }

    @Test func availabilityIsLoggedForTheRulesAndRetainedStatesOnlyMoveBaselines() throws {
        var fixture = try Fixture()
        defer { fixture.directory.remove() }
        try fixture.receive("z2m/anna-1/hall/motion", #"{"occupancy":false}"#)
        #expect(try fixture.receive("z2m/anna-1/hall/motion/availability", #"{"state":"offline"}"#) == .deviceStatus(.offline))
        #expect(try fixture.receive("z2m/anna-1/hall/motion/availability", "online") == .deviceStatus(.online))
        #expect(try fixture.rows("SELECT device_id, state FROM gateway_status_log ORDER BY seq").map { $0["state"] as String } == ["offline", "online"])
        #expect(try fixture.receive("z2m/anna-1/bridge/state", #"{"state":"online"}"#) == .gatewayStatus(.online))
        // A retained state replayed on subscribe is not movement, nor a heartbeat.
        #expect(try fixture.receive("z2m/anna-1/hall/motion", #"{"occupancy":true}"#, retained: true) == .ignored)
        // ...but a retained leak the hub has not seen is still an alarm.
        try fixture.receive("z2m/anna-1/kitchen/leak", #"{"water_leak":false}"#)
        #expect(try fixture.receive("z2m/anna-1/kitchen/leak", #"{"water_leak":true}"#, retained: true) == .mapped(events: 1, receiptQueued: true))
        #expect(try fixture.receive("z2m/anna-1/bridge/logging", #"{"level":"info"}"#) == .ignored)
        #expect(try fixture.receive("z2m/anna-1/hall/motion", "not json") == .refused(code: "invalid_json"))
        #expect(try fixture.count("SELECT COUNT(*) FROM refused_events WHERE reason_code = 'invalid_json'") == 1)
    }
}
