/// What an incident is about (contract section 3), with its default priority.
public enum IncidentKind: String, Sendable, CaseIterable, Codable {
    case pendant, fall, smoke, co, flood
    case inactivity, notUp = "not_up", outOfBed = "out_of_bed", bathroomLong = "bathroom_long", nightDoor = "night_door"
    case coldHome = "cold_home", hotHome = "hot_home", fridgeUnused = "fridge_unused"
    case deviceOffline = "device_offline", lowBattery = "low_battery", gatewayOffline = "gateway_offline"
    case noData = "no_data"
    /// An alarm arrived with a fault (unregistered device, clock far off, unreadable time): the alarm is raised
    /// anyway and this technical incident asks someone to fix the device or its registration.
    case dataFault = "data_fault"
    /// A notification (alert or webhook) has kept failing: someone must fix the channel, because people may
    /// not be hearing about incidents.
    case notificationFailed = "notification_failed"
    /// A gateway or home went past one of its limits (devices, message rate, refused bytes): its extra messages
    /// are only counted until someone finds out why. One per gateway (`device` is the dialect) while open.
    case quotaExceeded = "quota_exceeded"
    /// Trends of a learned routine (`RoutineTrend`): slow changes carers act on in days, each compared over the last week
    /// against the weeks before it. Appended last: a kind's place in `allCases` is its bit in the saved rule state.
    case nightVisitsRising = "night_visits_rising", activityFalling = "activity_falling", risingLater = "rising_later"
    case kitchenUseFalling = "kitchen_use_falling", timeInBedRising = "time_in_bed_rising", outingsFalling = "outings_falling"

    public var defaultPriority: Priority {
        switch self {
        case .pendant, .fall, .smoke, .co, .flood: .emergency
        case .inactivity, .notUp, .outOfBed, .bathroomLong, .nightDoor, .coldHome, .noData: .urgent
        case .hotHome, .fridgeUnused: .routine
        case .nightVisitsRising, .activityFalling, .risingLater, .kitchenUseFalling, .timeInBedRising, .outingsFalling: .routine
        case .deviceOffline, .lowBattery, .gatewayOffline, .dataFault, .notificationFailed, .quotaExceeded: .technical
        }
    }

    /// Kinds that are tracked per device: a repeat joins an open incident of the same home, kind and device.
    public var isPerDevice: Bool {
        switch self {
        case .deviceOffline, .lowBattery, .dataFault, .quotaExceeded: true
        default: false
        }
    }
}
