import Foundation

/// One home's rule parameters (contract section 3 defaults), each overridable per home in the configuration.
/// Times of day are minutes after local midnight in `timeZone`; durations are seconds.
public struct RuleSettings: Sendable, Equatable {
    public var timeZone = "Europe/London"
    /// `inactivity`: no activity for `inactivityInWindow`, all of it inside the day window…
    public var dayWindow = LocalWindow(start: 7 * 60, end: 23 * 60)
    public var inactivityInWindow: TimeInterval = 4 * 3600
    /// …or no activity for this long at any time.
    public var inactivityAnyTime: TimeInterval = 12 * 3600
    /// `not_up`: at `notUpCheck`, no activity outside the bedroom since `notUpSince`.
    public var notUpCheck = 10 * 60
    public var notUpSince = 6 * 60
    /// `out_of_bed` and `night_door` watch this window.
    public var nightWindow = LocalWindow(start: 23 * 60, end: 6 * 60)
    public var outOfBedAfter: TimeInterval = 45 * 60
    public var bathroomAfter: TimeInterval = 45 * 60
    public var nightDoorAfter: TimeInterval = 15 * 60
    public var coldBelow = 16.0
    public var coldFor: TimeInterval = 2 * 3600
    public var hotAbove = 28.0
    public var hotFor: TimeInterval = 4 * 3600
    public var fridgeUnusedAfter: TimeInterval = 24 * 3600
    /// A home is proved alive when some device sent a message this recently (and the gateway is not offline).
    public var aliveWithin: TimeInterval = 2 * 3600
    /// Away starts when an exit door closes and no motion follows in another room for this long.
    public var awayConfirmAfter: TimeInterval = 10 * 60
    /// A power reading counts as activity when it moves at least this far from the previous one.
    public var powerActivityDelta = 10.0
    /// Device health: no message from a device for this long raises `device_offline`…
    public var deviceOfflineAfter: TimeInterval = 25 * 3600
    /// …or this long for a device configured as mains-powered.
    public var mainsPoweredOfflineAfter: TimeInterval = 30 * 60
    public var mainsPoweredDevices: Set<String> = []
    /// Expected reporting interval by device class (the device's first event type: `motion`, `power`, …),
    /// for classes that report more often than the 25 h default assumes.
    public var deviceClassOfflineAfter: [String: TimeInterval] = [:]
    /// Per-device allowances from the device registry (its own interval, mains power, its class), filled in by
    /// the rules service; they take precedence over everything above.
    public var deviceOfflineOverrides: [String: TimeInterval] = [:]
    /// `gateway_offline` once the gateway has reported offline for this long.
    public var gatewayOfflineAfter: TimeInterval = 5 * 60
    /// `low_battery` at or below this level.
    public var lowBatteryAt = 15.0
    public var bedroomRooms: Set<String> = ["bedroom"]
    public var bathroomRooms: Set<String> = ["bathroom", "toilet"]
    public var exitDoorRooms: Set<String> = ["front_door", "back_door"]
    public var fridgeRooms: Set<String> = ["fridge"]
    /// Rooms a learned routine tells apart besides those above (`QuietContext.Place`).
    public var kitchenRooms: Set<String> = ["kitchen", "cupboard", "cabinet"]
    public var loungeRooms: Set<String> = ["lounge", "living", "living_room", "sitting_room"]
    public var hallRooms: Set<String> = ["hall", "entrance", "hallway"]

    /// Whether the inactivity-type rules use the home's learned routine once it has one (`learned`, the default) or
    /// the fixed thresholds alone (`fixed`).
    public var routineMode = RoutineMode.learned
    /// Days of the home's own activity learned before its routine is used; the fixed thresholds until then.
    public var learningDays = 7
    /// A learned rule never raises a quiet shorter than this.
    public var learnedFloor: TimeInterval = 60 * 60
    /// Nor one that began with activity by the front door shorter than this: the resident may have gone out unseen
    /// (a door contact that missed, another way out), which how quickly the home usually moves on from the hall says
    /// nothing about. At or above the fixed thresholds, those alone judge such a quiet.
    public var learnedEntranceFloor: TimeInterval = 2 * 3600

    public init() {}

    /// How long `device` may be silent before `device_offline`.
    public func offlineAfter(device: String) -> TimeInterval {
        // Empty tables (the usual case) are not hashed into: this runs for every device whenever a deadline moves.
        if !deviceOfflineOverrides.isEmpty, let allowance = deviceOfflineOverrides[device] { return allowance }
        return !mainsPoweredDevices.isEmpty && mainsPoweredDevices.contains(device) ? mainsPoweredOfflineAfter : deviceOfflineAfter
    }

    /// The allowance every device has when none has one of its own (no registry allowances, no mains-powered
    /// devices: the usual case), else nil and `offlineAfter(device:)` must be asked device by device.
    var uniformOfflineAfter: TimeInterval? {
        deviceOfflineOverrides.isEmpty && mainsPoweredDevices.isEmpty ? deviceOfflineAfter : nil
    }

    /// The allowance a registry entry sets, or nil when it only takes the defaults: its own interval first,
    /// then mains power, then its class.
    public func registryAllowance(type: String?, mains: Bool, interval: TimeInterval?) -> TimeInterval? {
        interval ?? (mains ? mainsPoweredOfflineAfter : nil) ?? type.flatMap { deviceClassOfflineAfter[$0] }
    }

    public init(timeZone: String) {
        self.timeZone = timeZone
    }
}

/// Whether a home's inactivity-type rules follow its learned routine or the fixed thresholds alone.
public enum RoutineMode: String, Sendable, Equatable, CaseIterable {
    case learned, fixed
}

/// A span of local time of day, in minutes after midnight; it wraps past midnight when `end < start`
/// (23:00–06:00).
public struct LocalWindow: Sendable, Equatable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    public func contains(minuteOfDay minute: Int) -> Bool {
        start <= end ? (minute >= start && minute < end) : (minute >= start || minute < end)
    }

    public var description: String { "\(LocalWindow.format(start))–\(LocalWindow.format(end))" }

    public static func format(_ minute: Int) -> String {
        String(format: "%02d:%02d", minute / 60, minute % 60)
    }

    /// Parses "HH:MM-HH:MM" (spaces around the times allowed); nil for anything else, or a window that starts where it ends.
    public static func parse(_ text: String) -> LocalWindow? {
        let parts = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let start = parseTime(parts[0]), let end = parseTime(parts[1]), start != end else { return nil }
        return LocalWindow(start: start, end: end)
    }

    /// Parses "HH:MM".
    public static func parseTime(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        return hour * 60 + minute
    }
}
