import CareHubCore
import CareHubService
import CareHubStore
import CareHubTesting
import Foundation
import GRDB
import Testing

/// Bad input on the mapped-dialect path: the recorded Zigbee2MQTT, Tasmota and Shelly messages, mutated in
/// payload and topic, through the shipped mappings and the real store, with automatic and strict
/// registration, registered, spoofed and homeless devices. Nothing may crash; every refusal is kept with a
/// reason; no alarm is ever lost to a refusal; every stored event names a valid home and device.
/// `CAREHUB_FUZZ_COUNT` sets the size (`make faults` runs 100,000; `make test` 12,000).
@Suite(.serialized) struct MappedFuzzTests {
    static var count: Int { Int(ProcessInfo.processInfo.environment["CAREHUB_FUZZ_COUNT"] ?? "") ?? 12_000 }

    struct Seed {
        var topic: String
        var payload: [UInt8]
    }

    static func seeds() throws -> [Seed] {
        var seeds = try Zigbee2MQTTMappingTests.messages().map { Seed(topic: $0.topic, payload: $0.payload) }
        for dialect in ["tasmota", "shelly"] {
            let url = TestPaths.packageRoot.appendingPathComponent("Tests/Fixtures/\(dialect).json")
            let fixture = try JSONDecoder().decode(WorkedMappingExampleTests.Fixture.self, from: Data(contentsOf: url))
            seeds += fixture.examples.map { Seed(topic: $0.topic, payload: Array($0.payload_raw.utf8)) }
        }
        return seeds
    }

    /// The shipped mappings as a hub would load them: Zigbee2MQTT and Shelly with no home set (only topics with
    /// a home place their messages), Tasmota with one.
    static func mappings() throws -> [GatewayMapping] {
        try ["zigbee2mqtt", "tasmota", "shelly"].map { dialect in
            var mapping = try GatewayMapping.load(path: TestPaths.packageRoot.appendingPathComponent("deploy/mappings/\(dialect).yaml").path)
            if dialect == "tasmota" { mapping.defaultHome = "home-tasmota" }
            return mapping
        }
    }

    /// Topic variants a broker will deliver: the plain base topic, a per-home one, an invalid or reserved home,
    /// hostile friendly names, and devices registered here and moved to another home.
    static func mutateTopic(_ topic: String, _ random: inout PayloadMutator.Generator) -> String {
        guard topic.hasPrefix("zigbee2mqtt/") else { return topic }
        let rest = topic.dropFirst("zigbee2mqtt/".count)
        let homes = ["anna-1", "anna-1", "bob-2", "bad home", SensorEvent.unassignedHome, "hub", String(repeating: "h", count: 65), "ünïcode"]
        switch Int.random(in: 0..<8, using: &random) {
        case 0, 1, 2: return "z2m/\(homes.randomElement(using: &random) ?? "anna-1")/\(rest)"
        case 3: return "z2m/anna-1/pendant_bob"
        case 4: return "zigbee2mqtt/pendant_bob"
        case 5:
            let names = ["a/b/c/d/e/f/g", String(repeating: "n", count: 300), "nul\u{0}name", "tab\tname", "é/ß/漢字", " ", "."]
            return "zigbee2mqtt/\(names.randomElement(using: &random) ?? "x")"
        default: return topic
        }
    }

    /// Foreign-dialect traps on top of the generic mutations: values of the wrong type, strange button actions,
    /// impossible numbers, missing or doubled keys.
    static func mutatePayload(_ seed: [UInt8], _ random: inout PayloadMutator.Generator) -> [UInt8] {
        let text = String(decoding: seed, as: UTF8.self)
        func any(_ choices: [String]) -> String { choices.randomElement(using: &random) ?? "" }
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return Array(text.replacingOccurrences(of: "true", with: any(["\"true\"", "1", "null", "\"ON\"", "{}"])).utf8)
        case 1: return Array(text.replacingOccurrences(of: "false", with: any(["\"false\"", "0", "null", "\"OFF\"", "[]"])).utf8)
        case 2: return Array(text.replacingOccurrences(of: "\"action\":\"", with: "\"action\":\"" + any(["", "SOS", "\u{0}", "emergency_", "sos\""])).utf8)
        case 3: return Array(text.replacingOccurrences(of: "\"battery\":", with: "\"battery\":" + any(["-5,\"x\":", "1e999,\"x\":", "\"abc\",\"x\":", "null,\"x\":"])).utf8)
        case 4: return Array(text.replacingOccurrences(of: "\"linkquality\":", with: "\"linkquality\":" + any(["-1,\"x\":", "1e308,\"x\":", "\"18\",\"x\":"])).utf8)
        case 5: return Array(text.replacingOccurrences(of: "\"last_seen\":", with: "\"last_seen\":" + any(["-1e300,\"x\":", "\"yesterday\",\"x\":", "99999999999999,\"x\":"])).utf8)
        default: return PayloadMutator.mutate(seed, &random)
        }
    }

    @Test func everyMutatedGatewayMessageIsHandledAndNoAlarmIsLostToARefusal() async throws {
        let directory = try TemporaryDirectory(prefix: "carehub-mapped-fuzz")
        defer { directory.remove() }
        let database = try HubDatabase.openForHub(path: directory.path("carehub.sqlite"), synchronous: .normal)
        let start = try #require(RFC3339.parse("2026-11-29T10:00:00Z"))
        let registry = DeviceRegistry(database: database)
        try registry.add(
            [.init(home: "anna-1", device: "pendant-bob", name: "pendant_bob", type: .pendant, room: "bedroom"),
             .init(home: "anna-1", device: "door-front", name: "entry/front_door", type: .door, room: "front_door"),
             .init(home: "bob-2", device: "pir-bob", type: .motion, room: "hall")],
            timeZone: "Europe/London", by: "Sam", at: start)
        // Moved to Bob's home: messages still claiming it in Anna's are a possible spoof.
        try registry.assign(.init(home: "bob-2", device: "pendant-bob"), by: "Sam", at: start)
        let seeds = try Self.seeds()
        #expect(seeds.count > 200, "the recorded payload files gave too few seeds")
        let mappings = try Self.mappings()
        let stores = [RegistrationMode.automatic, .strict].map { Ingestor(store: IngestStore(database: database), registration: $0, defaultTimeZone: "Europe/London") }
        func count(_ sql: String) throws -> Int { try database.writer.unsafeReentrantRead { try Int.fetchOne($0, sql: sql) ?? -1 } }
        var random = PayloadMutator.Generator(state: 20_261_130)
        var outcomes: [String: Int] = [:]
        var alarmsKeptDespiteARefusal = 0
        var homelessAlarmMessages = 0
        let memoryBefore = PayloadMutator.residentBytes()
        var elapsed: TimeInterval = 0
        for index in 0..<Self.count {
            // Seconds of synchronous work: let the other tests' tasks have the (two-thread) cooperative pool now and then.
            if index % 500 == 0 { await Task.yield() }
            let seed = seeds.randomElement(using: &random) ?? seeds[0]
            let topic = Self.mutateTopic(seed.topic, &random)
            let payload = Self.mutatePayload(seed.payload, &random)
            let retained = Int.random(in: 0..<10, using: &random) == 0
            let store = stores[Int.random(in: 0..<4, using: &random) == 0 ? 1 : 0]
            // Gaps of 0 to 20 s: some repeats fall inside a mapping's duplicate window.
            elapsed += Double(Int.random(in: 0...20, using: &random))
            let receivedAt = start.addingTimeInterval(elapsed)
            guard let input = MappedInput(mappings: mappings, topic: topic, payload: payload, retained: retained) else {
                outcomes["unmatched", default: 0] += 1
                continue
            }
            let keptBefore = try count("SELECT COUNT(*) FROM refused_events")
            let outcome = try store.ingest(.mapped(input), topic: input.topic, payload: input.payload, receivedAt: receivedAt)
            // What the message says on its own, with no memory of the device: does it hold an alarm?
            let alone = input.mapping.translate(route: input.route, payload: payload, topic: topic, retained: retained,
                                                receivedAt: receivedAt.millisecondsSince1970, memory: DeviceMappingMemory())
            let holdsAlarm = if case .events(let events) = alone.outcome { events.contains { $0.type.isAlarm } } else { false }
            switch outcome {
            case .refused(let code):
                outcomes["refused:" + code, default: 0] += 1
                #expect(!holdsAlarm, "an alarm was lost to the refusal \(code): \(topic) \(String(decoding: payload.prefix(120), as: UTF8.self))")
            case .mapped(let events, _):
                outcomes[events > 0 ? "events" : "no change", default: 0] += 1
                if holdsAlarm, events > 0,
                   try count("SELECT COUNT(*) FROM events WHERE seq = (SELECT MAX(seq) FROM events) AND flags IS NOT NULL") == 1 {
                    alarmsKeptDespiteARefusal += 1
                }
                // Kept aside as well as raised under the stand-in home (even when its alarm met an earlier identical copy).
                if try count("SELECT COUNT(*) FROM refused_events") > keptBefore {
                    homelessAlarmMessages += 1
                    #expect(holdsAlarm, "a message with no alarm was both kept aside and stored: \(topic)")
                }
            case .duplicate: outcomes["duplicate", default: 0] += 1
            case .deviceStatus: outcomes["device_status", default: 0] += 1
            case .gatewayStatus: outcomes["gateway_status", default: 0] += 1
            case .ignored: outcomes["ignored", default: 0] += 1
            case .stored: Issue.record("a gateway message went down the contract path: \(topic)")
            case .liveCopy: Issue.record("a message stored without a live lane was taken for a live lane's copy: \(topic)")
            }
        }
        let growth = PayloadMutator.residentBytes() - memoryBefore
        print("mapped fuzz: \(Self.count) messages: \(outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")); "
              + "\(alarmsKeptDespiteARefusal) alarms kept with a flag; RSS growth \(growth / 1_048_576) MiB")
        #expect(outcomes.values.reduce(0, +) == Self.count)
        let refused = outcomes.filter { $0.key.hasPrefix("refused:") }.values.reduce(0, +)
        #expect(try count("SELECT COUNT(*) FROM refused_events") == refused + homelessAlarmMessages,
                "every refusal is kept, and so is every message whose alarm was raised under the stand-in home")
        #expect(try count("SELECT COUNT(*) FROM refused_events WHERE reason = '' OR reason_code = ''") == 0)
        #expect(try count("SELECT MAX(LENGTH(payload)) FROM refused_events") <= 16 * 1024)
        let homesAndDevices = try await database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT DISTINCT home_id, device_id FROM events").map { ($0["home_id"] as String, $0["device_id"] as String) }
        }
        #expect(homesAndDevices.allSatisfy { Identifier.isValid($0.0) && Identifier.isValid($0.1) }, "an event names a home or device a topic cannot carry")
        #expect(try count("""
            SELECT COUNT(*) FROM events WHERE home_id = '\(SensorEvent.unassignedHome)'
            AND (flags IS NOT 'no_home' OR type NOT IN ('pendant', 'pullcord', 'fall', 'smoke', 'co', 'water'))
            """) == 0, "only flagged alarms are stored under the stand-in home")
        #expect(try count("SELECT COUNT(*) FROM events WHERE home_id = '\(SensorEvent.unassignedHome)'") > 0, "the fuzz never reached a homeless alarm")
        #expect(alarmsKeptDespiteARefusal > 0, "the fuzz never reached an alarm kept despite a refusal")
        for code in ["invalid_json", "unregistered", "registered_elsewhere", "invalid_topic"] {
            #expect(outcomes["refused:" + code, default: 0] > 0, "the fuzz never produced \(code): \(outcomes)")
        }
        #expect(growth < 200 * 1_048_576, "memory grew by \(growth / 1_048_576) MiB")
    }
}
