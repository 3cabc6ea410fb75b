import CareHubCore
import Foundation

/// How a CASAS recording reads without a mapping file: each sensor's kind from its type column (or, in the forms without
/// one, from its id's prefix, M motion and D door, as CASAS names them), its room from its location words, device ids as
/// `deploy/mappings/casas-hh109.yaml` names them (M012 → `pir-m012`, D002 → `door-d002`).
///
/// Motion-area sensors (MA…, Control4-MotionArea) are motion. Sensors of other kinds are skipped and reported:
/// temperatures (CASAS homes mix °F and °C without saying which), light levels, items, radios.
enum CASASInference {
    /// The mapping a recording without a mapping file is read through: no sensors of its own, CASAS's values.
    static func mapping(home: String, timeZone: String) -> SensorMapping {
        SensorMapping(home: home, timeZone: timeZone, sensors: [:], ignoredSuffixes: [], batterySuffix: nil,
                      values: ["motion": ["ON": "true", "OFF": "false"], "door": ["OPEN": "open", "CLOSE": "closed", "CLOSED": "closed"]])
    }

    /// CASAS homes are in Pullman, Washington: their recordings' local time.
    static let timeZone = "America/Los_Angeles"

    /// The sensor `line` is from, as far as its fields tell, or nil for a kind the hub does not read.
    static func sensor(for line: CASASLine) -> SensorMapping.Sensor? {
        let id = line.sensor.lowercased()
        let type: EventType
        if let declared = line.sensorType?.lowercased() {
            if declared.contains("motion") {
                type = .motion
            } else if declared.contains("door") {
                type = .door
            } else if declared.contains("batterypercent") {
                type = .battery
            } else {
                return nil
            }
        } else if Self.hasPrefix(id, "ma") || Self.hasPrefix(id, "m") {
            type = .motion
        } else if Self.hasPrefix(id, "d") {
            type = .door
        } else {
            return nil
        }
        let device = switch type {
        case .motion: "pir-\(id)"
        case .door: "door-\(id)"
        default: id
        }
        guard Identifier.isValid(device) else { return nil }
        return SensorMapping.Sensor(device: device, type: type, room: type == .battery ? nil : room(line.locations))
    }

    /// Words in a CASAS location ("Bathroom", "OutsideDoor FrontDoor", "LivingRoom") and the room each means, first match
    /// first; a location none of them names is "other" (activity there counts, room-specific rules do not apply).
    static let roomWords: [(word: String, room: String)] = [
        ("frontdoor", "front_door"), ("backdoor", "back_door"), ("bathroom", "bathroom"), ("toilet", "toilet"), ("shower", "bathroom"),
        ("bedroom", "bedroom"), ("kitchen", "kitchen"), ("fridge", "fridge"), ("living", "lounge"), ("lounge", "lounge"),
        ("dining", "lounge"), ("entry", "hall"), ("hall", "hall"),
    ]

    static func room(_ locations: [String]) -> String {
        for location in locations {
            let lower = location.lowercased()
            if let match = roomWords.first(where: { lower.contains($0.word) }) { return match.room }
        }
        return "other"
    }

    /// Whether `id` is `prefix` followed by a digit ("m012", not "mains").
    private static func hasPrefix(_ id: String, _ prefix: String) -> Bool {
        id.hasPrefix(prefix) && id.dropFirst(prefix.count).first?.isNumber == true
    }
}
