import CareHubCore
import Foundation

extension PayloadMutator {
    /// Payloads to mutate: valid contract events of several shapes, and every `payload` in the real Zigbee2MQTT
    /// file (`../shared/data/payloads/zigbee2mqtt.json`; a foreign dialect on a contract topic is refused).
    public static func seeds() throws -> [[UInt8]] {
        var seeds: [String] = [
            #"{"id":"e1","ts":"2026-11-29T10:15:00Z","type":"motion","value":true,"room":"hall","battery":80,"seq":12}"#,
            #"{"id":"e2","ts":"2026-11-29T10:15:00.123+01:00","type":"door","value":"open","room":"front_door"}"#,
            #"{"id":"e3","ts":"2026-11-29T10:15:00Z","type":"pendant","room":"lounge"}"#,
            #"{"id":"e4","ts":"2026-11-29T10:15:00Z","type":"smoke","value":true,"test":true}"#,
            #"{"id":"e5","ts":"2026-11-29T10:15:00Z","type":"temperature","value":18.5}"#,
            #"{"id":"e6","ts":"2026-11-29T10:15:00Z","type":"bed","value":"occupied"}"#,
        ]
        let file = try JSONValue.parse(Array(try Data(contentsOf: TestPaths.sharedData("payloads/zigbee2mqtt.json"))))
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let members):
                for (key, member) in members {
                    if key == "payload" {
                        if case .string(let text) = member { seeds.append(text) } else { seeds.append(JSONText.encode(member)) }
                    }
                    collect(member)
                }
            case .array(let items): items.forEach(collect)
            default: break
            }
        }
        collect(file)
        return seeds.map { Array($0.utf8) }
    }
}
