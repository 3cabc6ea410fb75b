import CareHubCore
import CareHubService
import CareHubTesting
import Foundation
import Testing

/// Every message in `../shared/data/payloads/zigbee2mqtt.json` through the shipped mapping, one stream with
/// per-device memory, each with the outcome written down independently in `Tests/Fixtures/zigbee2mqtt-expected.json`
/// (from the semantics in `docs/gateways.md`, not from this code's output).
@Suite struct Zigbee2MQTTMappingTests {
    struct Expected: Decodable {
        var `class`: String?
        var index: Int?
        var topic: String
        var after_ms: Int64
        var outcome: String
        var events: [ExpectedEvent]?
        var battery: Double?
        var state: String?
        var reason: String?
        var why: String?
    }

    struct ExpectedEvent: Decodable, Equatable, CustomStringConvertible {
        var type: String
        var value: JSONAny?
        var test: Bool?
        var description: String { "\(type)=\(value.map { "\($0)" } ?? "-")\(test == true ? "(test)" : "")" }
    }

    /// A JSON scalar read by `Decodable`.
    enum JSONAny: Decodable, Equatable, CustomStringConvertible {
        case bool(Bool), number(Double), text(String)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) { self = .bool(flag) } else if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else { self = .text(try container.decode(String.self)) }
        }
        var description: String {
            switch self {
            case .bool(let flag): "\(flag)"
            case .number(let number): JSONText.number(number)
            case .text(let text): text
            }
        }
    }

    static let mappingPath = TestPaths.packageRoot.appendingPathComponent("deploy/mappings/zigbee2mqtt.yaml").path

    /// The messages in the order the expectations list them, with their payload bytes as published.
    static func messages() throws -> [(topic: String, payload: [UInt8])] {
        let url = try TestPaths.sharedData("payloads/zigbee2mqtt.json")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var lists: [[[String: Any]]] = []
        lists.append(((root["bridge_and_availability"] as? [String: Any])?["examples"] as? [[String: Any]]) ?? [])
        let classes = try #require(root["device_classes"] as? [String: Any])
        // JSONSerialization loses key order: take the classes in the order the expectations name them.
        let expected = try Self.expected()
        var classOrder: [String] = []
        for entry in expected {
            guard let name = entry.class, name != "bridge_and_availability", name != "home_assistant_discovery", !classOrder.contains(name) else { continue }
            classOrder.append(name)
        }
        for name in classOrder {
            lists.append(((classes[name] as? [String: Any])?["examples"] as? [[String: Any]]) ?? [])
        }
        lists.append((root["home_assistant_discovery_examples"] as? [[String: Any]]) ?? [])
        return try lists.flatMap { $0 }.map { example in
            let topic = try #require(example["topic"] as? String)
            if let raw = example["payload_raw"] as? String { return (topic, Array(raw.utf8)) }
            let payload = try #require(example["payload"])
            if let text = payload as? String { return (topic, Array(text.utf8)) }
            return (topic, Array(try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])))
        }
    }

    static func expected() throws -> [Expected] {
        let url = TestPaths.packageRoot.appendingPathComponent("Tests/Fixtures/zigbee2mqtt-expected.json")
        return try JSONDecoder().decode([Expected].self, from: Data(contentsOf: url))
    }

    /// The shipped mapping with its plain base topic renamed: another base topic is configuration, not code.
    static func mapping(base: String) throws -> GatewayMapping {
        let text = try String(contentsOfFile: mappingPath, encoding: .utf8)
        var mapping = try GatewayMapping.parse(yaml: text.replacingOccurrences(of: "\"zigbee2mqtt/", with: "\"\(base)/"), source: mappingPath)
        mapping.defaultHome = "home-1"
        return mapping
    }

    @Test func everyRecordedMessageHasItsExpectedOutcome() throws {
        let messages = try Self.messages()
        let expected = try Self.expected()
        try #require(messages.count == expected.count, "the expectations must cover every message")
        var mappings: [String: GatewayMapping] = [:]
        var memories: [String: DeviceMappingMemory] = [:]
        var now: Int64 = 1_736_899_200_000
        var counts: [String: Int] = [:]
        for (message, expectation) in zip(messages, expected) {
            #expect(message.topic == expectation.topic)
            now += expectation.after_ms
            let base = String(message.topic.prefix { $0 != "/" })
            let mapping = try mappings[base] ?? Self.mapping(base: ["zigbee", "base", "DOMZIGSMJ"].contains(base) ? base : "zigbee2mqtt")
            mappings[base] = mapping
            let label = "\(expectation.class ?? "")[\(expectation.index ?? -1)] \(message.topic) \(String(decoding: message.payload, as: UTF8.self)) — expected: \(expectation.why ?? "")"
            guard let (route, match) = mapping.route(for: message.topic) else {
                #expect(expectation.outcome == "unmatched", "\(label)")
                counts["unmatched", default: 0] += 1
                continue
            }
            let device = match.device ?? ""
            let translated = mapping.translate(route: route, payload: message.payload, topic: message.topic, receivedAt: now,
                                               memory: memories[device] ?? DeviceMappingMemory())
            if route.message == .state { memories[device] = translated.memory }
            let outcome = Self.describe(translated.outcome)
            counts[outcome.name, default: 0] += 1
            #expect(outcome.name == expectation.outcome, "\(label)")
            switch translated.outcome {
            case .events(let events):
                let actual = events.map(Self.expectedForm)
                #expect(actual == (expectation.events ?? []), "\(label): got \(actual)")
                #expect(events.allSatisfy { $0.battery == expectation.battery }, "\(label): battery")
            case .heartbeat(let battery):
                #expect(battery == expectation.battery, "\(label): battery")
            case .gatewayStatus(let state), .deviceStatus(let state):
                #expect(state.rawValue == expectation.state, "\(label)")
            case .refused(let reason):
                #expect(reason.code == expectation.reason, "\(label)")
            case .duplicate, .ignored:
                break
            }
        }
        // The recordings' safety-relevant cases, named so that a change in the file cannot hollow the test out.
        #expect(counts["events", default: 0] >= 100)
        #expect(counts["duplicate", default: 0] >= 4)
        #expect(counts["heartbeat", default: 0] >= 50)
    }

    static func describe(_ outcome: MappedOutcome) -> (name: String, detail: String) {
        switch outcome {
        case .events(let events): ("events", "\(events)")
        case .heartbeat: ("heartbeat", "")
        case .duplicate: ("duplicate", "")
        case .ignored: ("ignored", "")
        case .gatewayStatus: ("gateway_status", "")
        case .deviceStatus: ("device_status", "")
        case .refused(let reason): ("refused", reason.code)
        }
    }

    static func expectedForm(_ event: MappedEvent) -> ExpectedEvent {
        let value: JSONAny? = switch event.value {
        case .none: nil
        case .boolean(let flag): .bool(flag)
        case .number(let number): .number(number)
        case .text(let text): .text(text)
        }
        return ExpectedEvent(type: event.type.rawValue, value: value, test: event.isTest ? true : nil)
    }

    /// A new device class needs only a mapping file: a bed or chair vibration sensor, not mapped by default,
    /// becomes movement with one more line.
    @Test func aDeviceClassIsAddedByEditingOnlyTheMappingFile() throws {
        let shipped = try String(contentsOfFile: Self.mappingPath, encoding: .utf8)
        let edited = shipped + "  - {key: /vibration, type: motion, every_time: [true]}\n"
        let topic = "z2m/anna-1/bedroom/bed_vibration"
        let payloads = [#"{"action":"vibration","battery":100,"strength":5,"vibration":true}"#,
                        #"{"battery":100,"strength":5,"vibration":false}"#,
                        #"{"action":"vibration","battery":100,"strength":9,"vibration":true}"#]
        func outcomes(_ yaml: String) throws -> [MappedOutcome] {
            let mapping = try GatewayMapping.parse(yaml: yaml, source: "test")
            let (route, _) = try #require(mapping.route(for: topic))
            var memory = DeviceMappingMemory()
            return payloads.enumerated().map { index, payload in
                let translated = mapping.translate(route: route, payload: Array(payload.utf8), topic: topic, receivedAt: Int64(index) * 60_000, memory: memory)
                memory = translated.memory
                return translated.outcome
            }
        }
        #expect(try outcomes(shipped) == [.heartbeat(battery: 100), .heartbeat(battery: 100), .heartbeat(battery: 100)])
        #expect(try outcomes(edited) == [
            .events([MappedEvent(type: .motion, value: .boolean(true), battery: 100)]),
            .events([MappedEvent(type: .motion, value: .boolean(false), battery: 100)]),
            .events([MappedEvent(type: .motion, value: .boolean(true), battery: 100)]),
        ])
    }
}
