import CareHubCore
import Foundation
import Yams

/// How a recording's sensor names become contract events: which device, type and room each sensor is, and
/// how its raw values read. Shipped for the recordings in `deploy/mappings/`.
public struct SensorMapping: Sendable, Equatable {
    public var home: String
    /// The recording's local time zone (its time stamps carry no offset).
    public var timeZone: String
    public var sensors: [String: Sensor]
    /// Sensor-name suffixes whose lines carry no event (communication counters, relay states).
    public var ignoredSuffixes: [String]
    /// The suffix of battery-level lines (`MotionD_K.BatteryLevel`): a battery report for that sensor's device.
    public var batterySuffix: String?
    /// Raw value → contract value, per event type (`"1": true` for motion, `"1": open` for doors).
    public var values: [String: [String: String]]

    public struct Sensor: Sendable, Equatable {
        public var device: String
        public var type: EventType
        public var room: String?
    }

    public static func load(path: String) throws -> SensorMapping {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ReplayInputError("Cannot read the mapping file \(path).")
        }
        let file: MappingFile
        do {
            file = try YAMLDecoder().decode(MappingFile.self, from: text)
        } catch {
            throw ReplayInputError("The mapping file \(path) is invalid: \(error).")
        }
        var sensors: [String: Sensor] = [:]
        for (name, entry) in file.sensors {
            guard let type = EventType(rawValue: entry.type) else {
                throw ReplayInputError("In \(path), sensor \(name) has an unknown type \"\(entry.type)\".")
            }
            guard Identifier.isValid(entry.device) else {
                throw ReplayInputError("In \(path), sensor \(name)'s device \"\(entry.device)\" is not 1 to 64 characters of A-Z a-z 0-9 _ . -.")
            }
            sensors[name] = Sensor(device: entry.device, type: type, room: entry.room)
        }
        guard Identifier.isValid(file.home), TimeZone(identifier: file.timezone) != nil else {
            throw ReplayInputError("In \(path), home must be a home id and timezone an IANA time zone.")
        }
        return SensorMapping(home: file.home, timeZone: file.timezone, sensors: sensors, ignoredSuffixes: file.ignore_suffixes ?? [],
                             batterySuffix: file.battery_suffix, values: file.values ?? [:])
    }

    private struct MappingFile: Decodable {
        var home: String
        var timezone: String
        var sensors: [String: SensorEntry]
        var ignore_suffixes: [String]?
        var battery_suffix: String?
        var values: [String: [String: String]]?
    }

    private struct SensorEntry: Decodable {
        var device: String
        var type: String
        var room: String?
    }

    /// The contract payload for one raw line, or nil when the line carries no event. A sensor the mapping does not name
    /// is read as `infer` says of its name (for a battery line, of the name of the sensor whose battery it is), when the
    /// recording's own fields or names tell what it is (`CASASInference`, `HomeAssistInference`).
    func payload(sensor name: String, raw: String, id: String, timestamp: Int64, infer: (String) -> Sensor? = { _ in nil })
        -> (device: String, json: String)? {
        if ignoredSuffixes.contains(where: name.hasSuffix) { return nil }
        if let suffix = batterySuffix, name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            guard let sensor = sensors[base] ?? infer(base), let level = Double(raw), (0...100).contains(level) else { return nil }
            return (sensor.device, event(id: id, timestamp: timestamp, type: .battery, value: JSONText.number(level), room: sensor.room))
        }
        guard let sensor = sensors[name] ?? infer(name) else { return nil }
        let value: String?
        switch sensor.type.expectedValue {
        case .none:
            value = nil
        case .number:
            guard let number = Double(raw) else { return nil }
            value = JSONText.number(number)
        case .boolean:
            guard let mapped = values[sensor.type.rawValue]?[raw] else { return nil }
            value = mapped == "true" ? "true" : "false"
        case .oneOf(let words):
            guard let mapped = values[sensor.type.rawValue]?[raw], words.contains(mapped) else { return nil }
            value = JSONText.quoted(mapped)
        }
        return (sensor.device, event(id: id, timestamp: timestamp, type: sensor.type, value: value, room: sensor.room))
    }

    private func event(id: String, timestamp: Int64, type: EventType, value: String?, room: String?) -> String {
        var members: [(String, String)] = [
            ("id", JSONText.quoted(id)), ("ts", JSONText.quoted(RFC3339.formatMilliseconds(timestamp))), ("type", JSONText.quoted(type.rawValue)),
        ]
        if let value { members.append(("value", value)) }
        if let room { members.append(("room", JSONText.quoted(room))) }
        return JSONText.object(members)
    }
}
