import CareHubCore
import CareHubService
import CareHubTesting
import Foundation
import Testing

/// The worked examples of docs/gateways.md: Tasmota and Shelly through their mapping files, each recorded
/// example (Tests/Fixtures/<dialect>.json, with sources) with the outcome written down in <dialect>-expected.json.
@Suite struct WorkedMappingExampleTests {
    struct Fixture: Decodable {
        struct Example: Decodable {
            var topic: String
            var payload_raw: String
        }
        var examples: [Example]
    }

    @Test(arguments: ["tasmota", "shelly"])
    func everyExampleHasItsExpectedOutcome(dialect: String) throws {
        let root = TestPaths.packageRoot
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: root.appendingPathComponent("Tests/Fixtures/\(dialect).json")))
        let expected = try JSONDecoder().decode([Zigbee2MQTTMappingTests.Expected].self,
                                                from: Data(contentsOf: root.appendingPathComponent("Tests/Fixtures/\(dialect)-expected.json")))
        var mapping = try GatewayMapping.load(path: root.appendingPathComponent("deploy/mappings/\(dialect).yaml").path)
        mapping.defaultHome = "home-1"
        try #require(fixture.examples.count == expected.count)
        var memories: [String: DeviceMappingMemory] = [:]
        var now: Int64 = 1_800_000_000_000
        var events = 0
        for (example, expectation) in zip(fixture.examples, expected) {
            now += expectation.after_ms
            let label = "\(dialect)[\(expectation.index ?? -1)] \(example.topic) \(example.payload_raw) — expected: \(expectation.why ?? "")"
            guard let (route, match) = mapping.route(for: example.topic) else {
                #expect(expectation.outcome == "unmatched", "\(label)")
                continue
            }
            let device = match.device ?? ""
            let translated = mapping.translate(route: route, payload: Array(example.payload_raw.utf8), topic: example.topic, receivedAt: now,
                                               memory: memories[device] ?? DeviceMappingMemory())
            if route.message == .state { memories[device] = translated.memory }
            #expect(Zigbee2MQTTMappingTests.describe(translated.outcome).name == expectation.outcome, "\(label)")
            switch translated.outcome {
            case .events(let mapped):
                events += mapped.count
                #expect(mapped.map(Zigbee2MQTTMappingTests.expectedForm) == (expectation.events ?? []), "\(label)")
            case .gatewayStatus(let state), .deviceStatus(let state):
                #expect(state.rawValue == expectation.state, "\(label)")
            case .refused(let reason):
                #expect(reason.code == expectation.reason, "\(label)")
            case .heartbeat, .duplicate, .ignored:
                break
            }
        }
        #expect(events >= 4, "the worked example must produce events")
    }
}
