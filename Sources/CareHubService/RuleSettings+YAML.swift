import CareHubCore
import Foundation

/// The `rules:` section of the configuration (and each home's `rules:` override). Unknown keys are errors.
struct RulesSection: Decodable, Equatable {
    var fields: RulesFields

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        if let unknown = container.allKeys.first(where: { !RulesFields.keys.contains($0.stringValue) }) {
            throw DecodingError.dataCorruptedError(forKey: unknown, in: container, debugDescription: "unknown rule setting \"\(unknown.stringValue)\"")
        }
        fields = try RulesFields(from: decoder)
    }

    func apply(to settings: inout RuleSettings, place: String, source: String) throws {
        try fields.apply(to: &settings, place: place, source: source)
    }
}

/// The rule settings in the file's units (hours, minutes, "HH:MM").
struct RulesFields: Decodable, Equatable {
    var day_window: String?
    var inactivity_in_window_hours: Double?
    var inactivity_any_time_hours: Double?
    var not_up_check: String?
    var not_up_since: String?
    var night_window: String?
    var out_of_bed_minutes: Double?
    var bathroom_minutes: Double?
    var night_door_minutes: Double?
    var cold_below_celsius: Double?
    var cold_for_hours: Double?
    var hot_above_celsius: Double?
    var hot_for_hours: Double?
    var fridge_unused_hours: Double?
    var alive_within_hours: Double?
    var away_confirm_minutes: Double?
    var power_activity_watts: Double?
    var device_offline_hours: Double?
    var mains_powered_offline_minutes: Double?
    var mains_powered_devices: [String]?
    var device_offline_hours_by_type: [String: Double]?
    var gateway_offline_minutes: Double?
    var low_battery_percent: Double?
    var routine_mode: String?
    var learning_days: Int?
    var learned_floor_minutes: Double?
    var learned_entrance_floor_minutes: Double?
    var rooms: RoomsSection?

    struct RoomsSection: Decodable, Equatable {
        var bedroom: [String]?
        var bathroom: [String]?
        var exit_doors: [String]?
        var fridge: [String]?
        var kitchen: [String]?
        var lounge: [String]?
        var hall: [String]?
    }

    static let keys: Set<String> = [
        "day_window", "inactivity_in_window_hours", "inactivity_any_time_hours", "not_up_check", "not_up_since", "night_window",
        "out_of_bed_minutes", "bathroom_minutes", "night_door_minutes", "cold_below_celsius", "cold_for_hours", "hot_above_celsius",
        "hot_for_hours", "fridge_unused_hours", "alive_within_hours", "away_confirm_minutes", "power_activity_watts", "rooms",
        "device_offline_hours", "mains_powered_offline_minutes", "mains_powered_devices", "gateway_offline_minutes", "low_battery_percent",
        "device_offline_hours_by_type", "routine_mode", "learning_days", "learned_floor_minutes", "learned_entrance_floor_minutes",
    ]

    /// Applies the section on top of `settings`; `place` names it in errors ("rules", "homes.flat-12.rules").
    func apply(to settings: inout RuleSettings, place: String, source: String) throws {
        func fail(_ key: String, _ problem: String) -> ConfigurationError {
            ConfigurationError("In \(source), \(place).\(key) \(problem).",
                               path: place.split(separator: ".").map(String.init) + key.split(separator: ".").map(String.init))
        }
        func window(_ key: String, _ text: String?) throws -> LocalWindow? {
            guard let text else { return nil }
            guard let window = LocalWindow.parse(text) else { throw fail(key, "must be a window like \"07:00-23:00\"") }
            return window
        }
        func time(_ key: String, _ text: String?) throws -> Int? {
            guard let text else { return nil }
            guard let minute = LocalWindow.parseTime(text) else { throw fail(key, "must be a time like \"10:00\"") }
            return minute
        }
        func duration(_ key: String, _ value: Double?, unit: Double) throws -> TimeInterval? {
            guard let value else { return nil }
            guard value > 0, value.isFinite else { throw fail(key, "must be a positive number") }
            return value * unit
        }
        if let window = try window("day_window", day_window) {
            guard window.start < window.end else { throw fail("day_window", "must not cross midnight") }
            settings.dayWindow = window
        }
        settings.nightWindow = try window("night_window", night_window) ?? settings.nightWindow
        settings.notUpCheck = try time("not_up_check", not_up_check) ?? settings.notUpCheck
        settings.notUpSince = try time("not_up_since", not_up_since) ?? settings.notUpSince
        settings.inactivityInWindow = try duration("inactivity_in_window_hours", inactivity_in_window_hours, unit: 3600) ?? settings.inactivityInWindow
        settings.inactivityAnyTime = try duration("inactivity_any_time_hours", inactivity_any_time_hours, unit: 3600) ?? settings.inactivityAnyTime
        settings.outOfBedAfter = try duration("out_of_bed_minutes", out_of_bed_minutes, unit: 60) ?? settings.outOfBedAfter
        settings.bathroomAfter = try duration("bathroom_minutes", bathroom_minutes, unit: 60) ?? settings.bathroomAfter
        settings.nightDoorAfter = try duration("night_door_minutes", night_door_minutes, unit: 60) ?? settings.nightDoorAfter
        settings.coldFor = try duration("cold_for_hours", cold_for_hours, unit: 3600) ?? settings.coldFor
        settings.hotFor = try duration("hot_for_hours", hot_for_hours, unit: 3600) ?? settings.hotFor
        settings.fridgeUnusedAfter = try duration("fridge_unused_hours", fridge_unused_hours, unit: 3600) ?? settings.fridgeUnusedAfter
        settings.aliveWithin = try duration("alive_within_hours", alive_within_hours, unit: 3600) ?? settings.aliveWithin
        settings.awayConfirmAfter = try duration("away_confirm_minutes", away_confirm_minutes, unit: 60) ?? settings.awayConfirmAfter
        settings.powerActivityDelta = try duration("power_activity_watts", power_activity_watts, unit: 1) ?? settings.powerActivityDelta
        settings.deviceOfflineAfter = try duration("device_offline_hours", device_offline_hours, unit: 3600) ?? settings.deviceOfflineAfter
        settings.mainsPoweredOfflineAfter = try duration("mains_powered_offline_minutes", mains_powered_offline_minutes, unit: 60)
            ?? settings.mainsPoweredOfflineAfter
        settings.gatewayOfflineAfter = try duration("gateway_offline_minutes", gateway_offline_minutes, unit: 60) ?? settings.gatewayOfflineAfter
        if let devices = mains_powered_devices {
            guard devices.allSatisfy(Identifier.isValid) else { throw fail("mains_powered_devices", "must list device ids") }
            settings.mainsPoweredDevices = Set(devices)
        }
        if let byType = device_offline_hours_by_type {
            for (type, hours) in byType {
                guard EventType(rawValue: type) != nil else {
                    throw fail("device_offline_hours_by_type.\(type)", "is not an event type (motion, door, power, temperature, …)")
                }
                settings.deviceClassOfflineAfter[type] = try duration("device_offline_hours_by_type.\(type)", hours, unit: 3600)
            }
        }
        if let level = low_battery_percent {
            guard (0...100).contains(level) else { throw fail("low_battery_percent", "must be between 0 and 100") }
            settings.lowBatteryAt = level
        }
        if let mode = routine_mode {
            guard let parsed = RoutineMode(rawValue: mode) else { throw fail("routine_mode", "must be learned or fixed") }
            settings.routineMode = parsed
        }
        if let days = learning_days {
            guard (1...28).contains(days) else { throw fail("learning_days", "must be between 1 and 28") }
            settings.learningDays = days
        }
        settings.learnedFloor = try duration("learned_floor_minutes", learned_floor_minutes, unit: 60) ?? settings.learnedFloor
        settings.learnedEntranceFloor = try duration("learned_entrance_floor_minutes", learned_entrance_floor_minutes, unit: 60)
            ?? settings.learnedEntranceFloor
        if let cold = cold_below_celsius { settings.coldBelow = cold }
        if let hot = hot_above_celsius { settings.hotAbove = hot }
        guard settings.coldBelow < settings.hotAbove else { throw fail("cold_below_celsius", "must be below hot_above_celsius") }
        if let rooms {
            func names(_ key: String, _ list: [String]?) throws -> Set<String>? {
                guard let list else { return nil }
                guard !list.isEmpty, list.allSatisfy({ !$0.isEmpty }) else { throw fail("rooms.\(key)", "must list at least one room name") }
                return Set(list)
            }
            settings.bedroomRooms = try names("bedroom", rooms.bedroom) ?? settings.bedroomRooms
            settings.bathroomRooms = try names("bathroom", rooms.bathroom) ?? settings.bathroomRooms
            settings.exitDoorRooms = try names("exit_doors", rooms.exit_doors) ?? settings.exitDoorRooms
            settings.fridgeRooms = try names("fridge", rooms.fridge) ?? settings.fridgeRooms
            settings.kitchenRooms = try names("kitchen", rooms.kitchen) ?? settings.kitchenRooms
            settings.loungeRooms = try names("lounge", rooms.lounge) ?? settings.loungeRooms
            settings.hallRooms = try names("hall", rooms.hall) ?? settings.hallRooms
        }
    }
}

/// One home's entry under `homes:`.
struct HomeSection: Decodable, Equatable {
    var timezone: String?
    var rules: RulesSection?
}

extension RuleSettings {
    /// Every setting under its configuration key, in the file's units: what `carehub rules explain` prints.
    public var described: [(key: String, value: String)] {
        func hours(_ seconds: TimeInterval) -> String { JSONText.number((seconds / 3600 * 1000).rounded() / 1000) }
        func minutes(_ seconds: TimeInterval) -> String { JSONText.number((seconds / 60 * 1000).rounded() / 1000) }
        func rooms(_ names: Set<String>) -> String { "[" + names.sorted().joined(separator: ", ") + "]" }
        return [
            ("timezone", timeZone),
            ("day_window", "\(LocalWindow.format(dayWindow.start))-\(LocalWindow.format(dayWindow.end))"),
            ("inactivity_in_window_hours", hours(inactivityInWindow)),
            ("inactivity_any_time_hours", hours(inactivityAnyTime)),
            ("not_up_check", LocalWindow.format(notUpCheck)),
            ("not_up_since", LocalWindow.format(notUpSince)),
            ("night_window", "\(LocalWindow.format(nightWindow.start))-\(LocalWindow.format(nightWindow.end))"),
            ("out_of_bed_minutes", minutes(outOfBedAfter)),
            ("bathroom_minutes", minutes(bathroomAfter)),
            ("night_door_minutes", minutes(nightDoorAfter)),
            ("cold_below_celsius", JSONText.number(coldBelow)),
            ("cold_for_hours", hours(coldFor)),
            ("hot_above_celsius", JSONText.number(hotAbove)),
            ("hot_for_hours", hours(hotFor)),
            ("fridge_unused_hours", hours(fridgeUnusedAfter)),
            ("alive_within_hours", hours(aliveWithin)),
            ("away_confirm_minutes", minutes(awayConfirmAfter)),
            ("power_activity_watts", JSONText.number(powerActivityDelta)),
            ("device_offline_hours", hours(deviceOfflineAfter)),
            ("mains_powered_offline_minutes", minutes(mainsPoweredOfflineAfter)),
            ("mains_powered_devices", rooms(mainsPoweredDevices)),
            ("device_offline_hours_by_type", "{" + deviceClassOfflineAfter.sorted { $0.key < $1.key }.map { "\($0.key): \(hours($0.value))" }.joined(separator: ", ") + "}"),
            ("gateway_offline_minutes", minutes(gatewayOfflineAfter)),
            ("low_battery_percent", JSONText.number(lowBatteryAt)),
            ("routine_mode", routineMode.rawValue),
            ("learning_days", String(learningDays)),
            ("learned_floor_minutes", minutes(learnedFloor)),
            ("learned_entrance_floor_minutes", minutes(learnedEntranceFloor)),
            ("rooms.bedroom", rooms(bedroomRooms)),
            ("rooms.bathroom", rooms(bathroomRooms)),
            ("rooms.exit_doors", rooms(exitDoorRooms)),
            ("rooms.fridge", rooms(fridgeRooms)),
            ("rooms.kitchen", rooms(kitchenRooms)),
            ("rooms.lounge", rooms(loungeRooms)),
            ("rooms.hall", rooms(hallRooms)),
        ]
    }
}
