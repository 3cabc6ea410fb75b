import Foundation

/// What the rules remember about one home between events: a few instants (milliseconds since 1970, UTC),
/// flags, and one small record per device. Persisted with the rules checkpoint; well under 2 KB a home.
public struct HomeRuleState: Sendable, Equatable, Codable {
    /// When the rules first heard of the home: the start of its first silence.
    public var firstSeenAt: Int64
    /// Event time of the last activity (contract section 3's definition), where, and from which device.
    public var lastActivityAt: Int64?
    public var lastActivityRoom: String?
    public var lastActivityDevice: String?
    public var lastActivityType: String?
    public var lastOutsideBedroomAt: Int64?
    /// Hub time of the last message of any kind from the home, and since when messages have kept coming
    /// without a gap longer than the "proved alive" window.
    public var lastMessageAt: Int64?
    public var continuousDataSince: Int64?
    public var gatewayOfflineSince: Int64?
    public var devices: [String: DeviceRuleState] = [:]

    /// Away (contract section 3): an exit door closed at this time and no motion followed elsewhere yet…
    public var exitDoorClosedAt: Int64?
    public var exitDoorDevice: String?
    /// …then away since the close, until the next activity other than that door.
    public var awaySince: Int64?
    public var awayEndedAt: Int64?
    /// Explicit settings: away on holiday until, a visit in progress until.
    public var holidayUntil: Int64?
    public var visitUntil: Int64?

    public var bedOccupied = false
    public var bedEmptySince: Int64?
    public var nightDoorOpenedAt: Int64?
    public var nightDoorDevice: String?
    public var lastFridgeOpenAt: Int64?
    /// The fridge check restarts from here after a pause or a stretch without data.
    public var fridgeWatchSince: Int64?
    public var hasFridgeSensor = false

    /// Kinds raised by the rules whose condition has not cleared yet (bit = `IncidentKind.ruleBit`).
    public var raised: UInt32 = 0
    /// The silence (its start) for which an inactivity-type or no_data incident was raised: one per silence.
    public var silenceRaisedFor: Int64?
    /// The last `not_up` check time evaluated.
    public var notUpCheckedThrough: Int64

    public init(firstSeenAt: Int64) {
        self.firstSeenAt = firstSeenAt
        notUpCheckedThrough = firstSeenAt
    }

    func isRaised(_ kind: IncidentKind) -> Bool { raised & kind.ruleBit != 0 }
    mutating func setRaised(_ kind: IncidentKind, _ value: Bool) {
        raised = value ? raised | kind.ruleBit : raised & ~kind.ruleBit
    }
}

/// What the rules remember about one device.
public struct DeviceRuleState: Sendable, Equatable, Codable {
    public var lastSeenAt: Int64
    public var room: String?
    public var lastPower: Double?
    public var coldSince: Int64?
    public var hotSince: Int64?
    public var lastTemperature: Double?

    public init(lastSeenAt: Int64, room: String?) {
        self.lastSeenAt = lastSeenAt
        self.room = room
    }
}

extension IncidentKind {
    var ruleBit: UInt32 {
        UInt32(1) << UInt32(IncidentKind.allCases.firstIndex(of: self) ?? 31)
    }

    /// The kinds that watch the resident's activity: paused while away, on holiday or during a visit, and
    /// raised as `no_data` when the home is not proved alive.
    public var isInactivityType: Bool {
        switch self {
        case .inactivity, .notUp, .bathroomLong, .outOfBed, .fridgeUnused: true
        default: false
        }
    }
}
