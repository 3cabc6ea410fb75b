import CareHubTesting
import Foundation
import Mosquitto
import Testing

/// Recorded Zigbee2MQTT messages (../shared/data/payloads) published through a real mosquitto under a
/// per-home base topic, read by the built hub with the shipped mapping; care staff see the result through
/// the built CLI.
@Suite(.serialized, .timeLimit(.minutes(3))) struct Zigbee2MQTTEndToEndTests {
    /// The recorded examples of some device classes, on the plain `zigbee2mqtt` base topic.
    static func examples(_ classes: [String]) throws -> [(topic: String, payload: String)] {
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: try TestPaths.sharedData("payloads/zigbee2mqtt.json"))) as? [String: Any]
        let all = root?["device_classes"] as? [String: Any]
        return classes.flatMap { name -> [(topic: String, payload: String)] in
            let examples = ((all?[name] as? [String: Any])?["examples"] as? [[String: Any]]) ?? []
            return examples.compactMap { example in
                guard let topic = example["topic"] as? String, topic.hasPrefix("zigbee2mqtt/"), !topic.contains("FRIENDLY_NAME") else { return nil }
                if let raw = example["payload_raw"] as? String { return (topic, raw) }
                guard let payload = example["payload"], let data = try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]) else { return nil }
                return (topic, String(decoding: data, as: UTF8.self))
            }
        }
    }

    @Test func recordedMessagesRaiseTheRightIncidentsAndDeviceHealth() async throws {
        try await HubFixture.with { fixture in
            let mapping = TestPaths.packageRoot.appendingPathComponent("deploy/mappings/zigbee2mqtt.yaml").path
            let registered = try await fixture.carehub(["devices", "add", "anna-1", "door-front", "--name", "entry/front_door", "--type", "door",
                                                        "--room", "front_door", "--by", "Sam Patel"])
            #expect(registered.status == 0, "\(registered.standardError)")
            try await fixture.startHub(configuration: "gateways:\n  - mapping: \(mapping)\n")
            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            let messages = try Self.examples(["contact_door_window", "sos_pendant_button", "smoke"])
            #expect(messages.count > 40)
            for message in messages {
                try await gateway.publish(message.topic.replacingOccurrences(of: "zigbee2mqtt/", with: "z2m/anna-1/"), message.payload)
            }
            // A smoke alarm's self-test alone, in another home: recorded, never an emergency.
            try await gateway.publish("z2m/bob-2/kitchen/smoke", #"{"smoke":false,"test":false}"#)
            try await gateway.publish("z2m/bob-2/kitchen/smoke", #"{"smoke":true,"test":true}"#)
            try await gateway.publish("z2m/bob-2/kitchen/smoke", #"{"smoke":false,"test":false}"#)

            _ = try await fixture.watcher.waitForMessage(
                topic: { $0 == "carehub/v1/anna-1/alert" }, payload: { $0.contains(#""kind":"pendant""#) }, timeout: .seconds(20))
            _ = try await fixture.watcher.waitForMessage(
                topic: { $0 == "carehub/v1/anna-1/alert" }, payload: { $0.contains(#""kind":"smoke""#) }, timeout: .seconds(20))
            try await fixture.waitUntil("SELECT COUNT(*) FROM events WHERE home_id = 'bob-2' AND is_test = 1", reaches: 1, timeout: .seconds(20))
            // The pendant's last word: offline (Zigbee2MQTT's 25 h passive timeout).
            try await gateway.publish("z2m/anna-1/pendant_anna/availability", #"{"state":"offline"}"#)
            let offline = "SELECT COUNT(*) FROM incidents WHERE kind = 'device_offline' AND device_id = 'pendant_anna' AND state = 'open'"
            #expect(try await fixture.waitUntil(offline, reaches: 1, timeout: .seconds(20)) == 1)

            // contact: true is CLOSED: the registered front door's events follow the recording (first value a baseline).
            let door = try fixture.strings("SELECT value FROM events WHERE device_id = 'door-front' AND type = 'door' ORDER BY seq")
            #expect(door == ["\"closed\"", "\"open\"", "\"closed\"", "\"open\""], "door events \(door)")
            #expect(try fixture.count("SELECT COUNT(*) FROM events WHERE device_id = 'door-front' AND room = 'front_door'") >= 4)
            #expect(try fixture.count("SELECT COUNT(*) FROM incidents WHERE home_id = 'bob-2'") == 0, "a self-test raised an incident")
            #expect(try fixture.count("SELECT COUNT(*) FROM incidents WHERE home_id = 'anna-1' AND kind = 'pendant'") == 1,
                    "every press joins one pendant incident")
            #expect(try fixture.count("SELECT COUNT(*) FROM events WHERE type = 'pendant' AND device_id LIKE 'bedside_sos%' ") == 3,
                    "single, double and hold are presses; off is not")

            let unhealthy = try #require(try await fixture.carehubJSON(["devices", "list", "--unhealthy", "--home", "anna-1"]) as? [[String: Any]])
            let names = unhealthy.compactMap { $0["name"] as? String }
            #expect(names.contains("pendant_anna"), "the pendant Zigbee2MQTT reported offline is listed: \(names)")
            #expect(names.contains("kitchen/fridge"), "the fridge contact last at 15 % battery is listed: \(names)")
            #expect(names.contains("0xa4c13899607febd1"), "the SOS button with link quality 18 is listed: \(names)")
            #expect(!names.contains("entry/front_door"), "a healthy door is not listed: \(names)")
            let unknown = try await fixture.carehub(["devices", "unknown"])
            #expect(unknown.status == 0)
            #expect(unknown.standardOutput.contains("No unknown devices."))

            // On the plain base topic, a pendant in nobody's registry, and no home set for the gateway: warned of at
            // start, kept aside, and the press still raises an emergency (under the stand-in home) for staff to place.
            #expect(fixture.hub?.child.log.contains("carry no home and no home is set for it") == true)
            try await gateway.publish("zigbee2mqtt/visitor/pendant", #"{"action":"sos"}"#)
            let homeless = try await fixture.watcher.waitForMessage(
                topic: { $0 == "carehub/v1/_unassigned/alert" }, payload: { $0.contains(#""kind":"pendant""#) }, timeout: .seconds(20))
            let alert = String(decoding: homeless.message.payload, as: UTF8.self)
            #expect(alert.contains("no home is known"), "\(alert)")
            let listed = try await fixture.carehub(["devices", "unknown"])
            #expect(listed.standardOutput.contains("visitor/pendant"), "\(listed.standardOutput)")
            gateway.stop()
        }
    }

    @Test func aGatewayPublishingAlarmsAtQoSZeroIsWarnedOfAndListedByStatus() async throws {
        try await HubFixture.with { fixture in
            let mapping = TestPaths.packageRoot.appendingPathComponent("deploy/mappings/zigbee2mqtt.yaml").path
            // The test broker, like a broker not configured as deploy/ ships it, hands QoS 0 on at QoS 0.
            let hub = try await fixture.startHub(configuration: "gateways:\n  - mapping: \(mapping)\n")
            let gateway = try TestMQTTClient(port: fixture.broker.port)
            try await gateway.waitUntilReady()
            for press in 0..<2 {
                try gateway.client.enqueuePublish(topic: "z2m/qos0-home/pendant_\(press)", payload: Array(#"{"action":"sos"}"#.utf8), qos: 0)
            }
            try await gateway.publish("z2m/qos0-home/hall_motion", #"{"occupancy":true}"#)
            try await fixture.waitUntil("SELECT COUNT(*) FROM events WHERE home_id = 'qos0-home' AND type IN ('pendant', 'motion')", reaches: 3)
            let status = try #require(try await fixture.carehubJSON(["status"]) as? [String: Any])
            let gateways = (status["gateways"] as? [[String: Any]]) ?? []
            #expect(gateways.count == 1, "\(gateways)")
            #expect(gateways.first?["dialect"] as? String == "zigbee2mqtt")
            #expect(gateways.first?["home"] as? String == "qos0-home")
            #expect(gateways.first?["qos0_messages"] as? Int == 2)
            #expect(gateways.first?["qos0_alarms"] as? Int == 2)
            let warnings = hub.child.log.components(separatedBy: "A gateway publishes at QoS 0").count - 1
            #expect(warnings == 1, "warned once per gateway, not per message: \(warnings)")
            gateway.stop()
        }
    }
}
