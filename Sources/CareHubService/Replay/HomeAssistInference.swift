import CareHubCore
import Foundation

/// How a HomeAssist export reads without a mapping file, by the platform's sensor names: `MotionD_<place>` PIRs,
/// `ContactS_<place>` contacts and `EMeter_<appliance>` power meters, with `.BatteryLevel` lines for their batteries and
/// `.CommFailure`, `.Status` and `.Tripped` lines that carry no event. Places as the HomeAssist papers name them (K kitchen,
/// E entrance, L living room, Ba bathroom, T toilet, B bedroom), else by the words in them ("Fridge", "Coffeemaker");
/// device ids and rooms as `deploy/mappings/homeassist-home1.yaml` gives them, so a home reads the same either way.
enum HomeAssistInference {
    /// The mapping an export without a mapping file is read through: no sensors of its own, the platform's values.
    static func mapping(home: String, timeZone: String) -> SensorMapping {
        SensorMapping(home: home, timeZone: timeZone, sensors: [:], ignoredSuffixes: [".CommFailure", ".Status", ".Tripped"],
                      batterySuffix: ".BatteryLevel", values: ["motion": ["1": "true", "0": "false"], "door": ["1": "open", "0": "closed"]])
    }

    /// HomeAssist homes are in and around Bordeaux.
    static let timeZone = "Europe/Paris"

    /// The places the platform's codes name: (code, word in device ids, PIR's room, contact's room).
    private static let places: [String: (word: String, room: String, contactRoom: String)] = [
        "K": ("kitchen", "kitchen", "kitchen"), "E": ("entrance", "hall", "front_door"), "L": ("living", "lounge", "lounge"),
        "Ba": ("bathroom", "bathroom", "bathroom"), "T": ("toilet", "toilet", "toilet"), "B": ("bedroom", "bedroom", "bedroom"),
    ]

    /// Appliances and furniture found after a contact's or meter's underscore, and their rooms.
    private static let things: [(word: String, room: String)] = [
        ("fridge", "fridge"), ("cupboard", "cupboard"), ("coffee", "kitchen"), ("kettle", "kitchen"), ("microwave", "kitchen"),
        ("oven", "kitchen"), ("toaster", "kitchen"), ("tv", "lounge"), ("television", "lounge"),
    ]

    /// The sensor `name` is, by the platform's naming, or nil for a name that does not follow it.
    static func sensor(named name: String) -> SensorMapping.Sensor? {
        guard let underscore = name.firstIndex(of: "_") else { return nil }
        let kind = name[..<underscore].lowercased()
        let code = String(name[name.index(after: underscore)...])
        let place = places[code]
        let thing = things.first { code.lowercased().contains($0.word) }
        let word = place?.word ?? code.lowercased()
        let sensor: SensorMapping.Sensor
        if kind.hasPrefix("motion") {
            sensor = .init(device: "pir-\(word)", type: .motion, room: place?.room ?? thing?.room ?? "other")
        } else if kind.hasPrefix("contact") {
            // The entrance contact is "door-entrance"; a fridge's "fridge-door".
            sensor = .init(device: place == nil ? "\(word)-door" : "door-\(word)", type: .door, room: place?.contactRoom ?? thing?.room ?? "other")
        } else if kind.hasSuffix("meter") {
            sensor = .init(device: "plug-\(word)", type: .power, room: place?.room ?? thing?.room ?? "other")
        } else {
            return nil
        }
        return Identifier.isValid(sensor.device) ? sensor : nil
    }
}
