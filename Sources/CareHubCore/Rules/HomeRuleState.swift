import Foundation

/// What the rules remember about one home between events: a few instants (milliseconds since 1970, UTC),
/// flags, and one small record per device. Persisted with the rules checkpoint; well under 2 KB a home.
public struct HomeRuleState: Sendable, Equatable {
    /// When the rules first heard of the home: the start of its first silence.
    public var firstSeenAt: Int64
    /// Event time of the last activity (contract section 3's definition), where, and from which device.
    public var lastActivityAt: Int64?
    public var lastActivityRoom: String?
    public var lastActivityDevice: String?
    public var lastActivityType: String?
    /// `QuietContext.Place` of the last activity (its raw value): where the current quiet began.
    public var lastActivityPlace: UInt8?
    public var lastOutsideBedroomAt: Int64?
    /// Hub time of the last message of any kind from the home, and since when messages have kept coming
    /// without a gap longer than the "proved alive" window.
    public var lastMessageAt: Int64?
    public var continuousDataSince: Int64?
    public var gatewayOfflineSince: Int64?
    public var devices = DeviceTable()

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
    /// What the home has learned (`RoutineMode.learned`), behind one pointer: a home on the fixed rules pays 8 bytes for
    /// it (`routine` and `history` read and write it).
    var learned: CopyOnWriteBox<LearnedState>?
    /// The last `not_up` check time evaluated.
    public var notUpCheckedThrough: Int64
    /// The last learned "not in bed" check time evaluated (`UsualBedtime`); nil before the first.
    public var bedtimeCheckedThrough: Int64?

    public init(firstSeenAt: Int64) {
        self.firstSeenAt = firstSeenAt
        notUpCheckedThrough = firstSeenAt
    }

    /// Everything the home's next deadline depends on. When an event leaves it unchanged (most heartbeats and
    /// readings do), the deadline need not be recomputed.
    var scheduleKey: ScheduleKey {
        var coldest: Int64?
        var hottest: Int64?
        var quietestDevice: Int64?
        // By index, stored fields only: reading them in place copies no record (and retains none of its strings).
        for index in devices.values.indices {
            if let since = devices.coldSince(at: index) { coldest = min(coldest ?? since, since) }
            if let since = devices.hotSince(at: index) { hottest = min(hottest ?? since, since) }
            if !devices.values[index].offlineRaised {
                let seen = devices.values[index].lastSeenAt
                quietestDevice = min(quietestDevice ?? seen, seen)
            }
        }
        return ScheduleKey(
            quietestDevice: quietestDevice, coldest: coldest, hottest: hottest, gatewayOfflineSince: gatewayOfflineSince,
            lastActivityAt: lastActivityAt, lastActivityRoom: lastActivityRoom, lastActivityPlace: lastActivityPlace, continuousDataSince: continuousDataSince,
            exitDoorClosedAt: exitDoorClosedAt, awaySince: awaySince, awayEndedAt: awayEndedAt, holidayUntil: holidayUntil,
            visitUntil: visitUntil, bedEmptySince: bedEmptySince, nightDoorOpenedAt: nightDoorOpenedAt, lastFridgeOpenAt: lastFridgeOpenAt,
            fridgeWatchSince: fridgeWatchSince, hasFridgeSensor: hasFridgeSensor, raised: raised, silenceRaisedFor: silenceRaisedFor,
            notUpCheckedThrough: notUpCheckedThrough, bedtimeCheckedThrough: bedtimeCheckedThrough, routineReady: routine?.learnedDays ?? 0)
    }

    /// How long this home is normally quiet (`RoutineMode.learned`); nil until its first quiet is learned.
    public var routine: LearnedRoutine? {
        get { learned?.value.routine }
        _modify {
            // Taken out while written, so that the box is not shared and the routine's counts are changed in place.
            var box = learned.take() ?? CopyOnWriteBox(LearnedState())
            defer { learned = box.value.isEmpty ? nil : box }
            yield &box.value.routine
        }
    }

    /// The last weeks of days the trends compare (`RoutineMode.learned`); nil until the first activity is counted.
    public var history: DailyHistory? {
        get { learned?.value.history }
        _modify {
            var box = learned.take() ?? CopyOnWriteBox(LearnedState())
            defer { learned = box.value.isEmpty ? nil : box }
            yield &box.value.history
        }
    }

    func isRaised(_ kind: IncidentKind) -> Bool { raised & kind.ruleBit != 0 }
    mutating func setRaised(_ kind: IncidentKind, _ value: Bool) {
        raised = value ? raised | kind.ruleBit : raised & ~kind.ruleBit
    }
}

/// What a home in learned mode has learned: its quiets (`LearnedRoutine`) and its counted days (`DailyHistory`).
public struct LearnedState: Sendable, Equatable {
    public var routine: LearnedRoutine?
    public var history: DailyHistory?

    var isEmpty: Bool { routine == nil && history == nil }
}

/// What the rules remember about one device, packed to 64 bytes: a home has a dozen devices and rule state
/// must stay within 2 KB a home. A device is a meter or a thermometer, not both, and a thermometer is cold or
/// hot, not both, so one reading and one "since" serve.
public struct DeviceRuleState: Sendable, Equatable {
    public var id: String
    public var room: String?
    public var lastSeenAt: Int64
    private var reading = Double.nan
    fileprivate var extremeSince = Int64.min
    fileprivate var extreme = Extreme.none
    /// `device_offline` and `low_battery` raised for this device and not yet cleared.
    public var offlineRaised = false
    /// Offline while the whole home was silent: no incident of its own; looked at again when data returns.
    public var offlineDeferred = false
    public var lowBatteryRaised = false

    fileprivate enum Extreme: UInt8 { case none, cold, hot }

    /// Field by field, with no reading equal to no reading (NaN, which `==` on `Double` never finds equal to itself).
    public static func == (lhs: DeviceRuleState, rhs: DeviceRuleState) -> Bool {
        lhs.id == rhs.id && lhs.room == rhs.room && lhs.lastSeenAt == rhs.lastSeenAt && lhs.lastReading == rhs.lastReading
            && lhs.extremeSince == rhs.extremeSince && lhs.extreme == rhs.extreme && lhs.offlineRaised == rhs.offlineRaised
            && lhs.offlineDeferred == rhs.offlineDeferred && lhs.lowBatteryRaised == rhs.lowBatteryRaised
    }

    public init(id: String, lastSeenAt: Int64, room: String?) {
        self.id = id
        self.lastSeenAt = lastSeenAt
        self.room = room
    }

    /// The last power (W) or temperature (°C) reading.
    public var lastReading: Double? {
        get { reading.isNaN ? nil : reading }
        set { reading = newValue ?? .nan }
    }

    public var coldSince: Int64? {
        get { extreme == .cold ? extremeSince : nil }
        set { setExtreme(.cold, since: newValue) }
    }

    public var hotSince: Int64? {
        get { extreme == .hot ? extremeSince : nil }
        set { setExtreme(.hot, since: newValue) }
    }

    private mutating func setExtreme(_ kind: Extreme, since: Int64?) {
        if let since {
            extreme = kind
            extremeSince = since
        } else if extreme == kind {
            extreme = .none
            extremeSince = .min
        }
    }
}

/// Saved as a short array, `[id, lastSeenAt, room, lastReading, coldSince, hotSince, flags]` with trailing defaults
/// left out (`["pir-hall", 1796006000000, "hall"]`): a home's dozen devices were most of the time a large hub spends
/// decoding rule state at start-up, and an array decodes at a fraction of a keyed object's cost. The keyed object
/// earlier versions saved is still read.
extension DeviceRuleState: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, room, lastSeenAt, lastReading, coldSince, hotSince, offlineRaised, offlineDeferred, lowBatteryRaised
    }

    private enum Flag {
        static let offlineRaised = 1, offlineDeferred = 2, lowBatteryRaised = 4
    }

    public init(from decoder: any Decoder) throws {
        guard var fields = try? decoder.unkeyedContainer() else {
            try self.init(keyed: decoder.container(keyedBy: CodingKeys.self))
            return
        }
        self.init(id: try fields.decode(String.self), lastSeenAt: try fields.decode(Int64.self),
                  room: fields.isAtEnd ? nil : try fields.decodeIfPresent(String.self))
        if !fields.isAtEnd { lastReading = try fields.decodeIfPresent(Double.self) }
        if !fields.isAtEnd { coldSince = try fields.decodeIfPresent(Int64.self) }
        if !fields.isAtEnd { hotSince = try fields.decodeIfPresent(Int64.self) }
        let flags = fields.isAtEnd ? 0 : try fields.decode(Int.self)
        offlineRaised = flags & Flag.offlineRaised != 0
        offlineDeferred = flags & Flag.offlineDeferred != 0
        lowBatteryRaised = flags & Flag.lowBatteryRaised != 0
    }

    /// The keyed object of earlier versions.
    private init(keyed container: KeyedDecodingContainer<CodingKeys>) throws {
        self.init(id: try container.decode(String.self, forKey: .id), lastSeenAt: try container.decode(Int64.self, forKey: .lastSeenAt),
                  room: try container.decodeIfPresent(String.self, forKey: .room))
        lastReading = try container.decodeIfPresent(Double.self, forKey: .lastReading)
        coldSince = try container.decodeIfPresent(Int64.self, forKey: .coldSince)
        hotSince = try container.decodeIfPresent(Int64.self, forKey: .hotSince)
        offlineRaised = try container.decodeIfPresent(Bool.self, forKey: .offlineRaised) ?? false
        offlineDeferred = try container.decodeIfPresent(Bool.self, forKey: .offlineDeferred) ?? false
        lowBatteryRaised = try container.decodeIfPresent(Bool.self, forKey: .lowBatteryRaised) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = encoder.unkeyedContainer()
        try fields.encode(id)
        try fields.encode(lastSeenAt)
        let flags = (offlineRaised ? Flag.offlineRaised : 0) | (offlineDeferred ? Flag.offlineDeferred : 0)
            | (lowBatteryRaised ? Flag.lowBatteryRaised : 0)
        // Up to the last field that is not its default.
        let count = flags != 0 ? 7 : hotSince != nil ? 6 : coldSince != nil ? 5 : lastReading != nil ? 4 : room != nil ? 3 : 2
        if count > 2 { try fields.encodeOrNull(room) }
        if count > 3 { try fields.encodeOrNull(lastReading) }
        if count > 4 { try fields.encodeOrNull(coldSince) }
        if count > 5 { try fields.encodeOrNull(hotSince) }
        if count > 6 { try fields.encode(flags) }
    }
}

/// A home's devices: a small array searched by id. A home has a dozen or so devices, for which a linear
/// search is as fast as hashing and the table costs a fraction of a dictionary's memory (rule state must
/// stay within 2 KB a home).
public struct DeviceTable: Sendable, Equatable, Codable {
    public private(set) var values: [DeviceRuleState] = []

    public init() {}

    public init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([DeviceRuleState].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    public subscript(id: String) -> DeviceRuleState? {
        get { values.first { $0.id == id } }
        set {
            if let index = values.firstIndex(where: { $0.id == id }) {
                if let newValue { values[index] = newValue } else { values.remove(at: index) }
            } else if let newValue {
                // Grown by an eighth, not doubled: a home has a dozen devices, added once each, and a doubled table
                // would leave a third of its 64-byte records unused in every home.
                values.reserveCapacity(values.count + 1 + values.count / 8)
                values.append(newValue)
            }
        }
    }

    public var count: Int { values.count }

    /// `values[index].coldSince` and `hotSince` from the stored fields in place: a computed property of a record
    /// read through the array copies the whole record first (and retains its strings), and these run for every event.
    func coldSince(at index: Int) -> Int64? {
        values[index].extreme == .cold ? values[index].extremeSince : nil
    }

    func hotSince(at index: Int) -> Int64? {
        values[index].extreme == .hot ? values[index].extremeSince : nil
    }

    /// Changes the record of `id` in place (no copy of it, nor a second search), first adding `make()` when there is none.
    public mutating func update<T>(_ id: String, orAdd make: () -> DeviceRuleState, _ body: (inout DeviceRuleState) -> T) -> T {
        if let index = values.firstIndex(where: { $0.id == id }) { return body(&values[index]) }
        self[id] = make()
        return body(&values[values.count - 1])
    }
}

extension IncidentKind {
    var ruleBit: UInt32 {
        UInt32(1) << UInt32(Self.ruleOrder.firstIndex(of: self) ?? 31)
    }

    /// `allCases`, made once: the bit of a kind is looked up several times for every event.
    private static let ruleOrder = IncidentKind.allCases

    /// The kinds that watch the resident's activity: paused while away, on holiday or during a visit, and
    /// raised as `no_data` when the home is not proved alive.
    public var isInactivityType: Bool {
        switch self {
        case .inactivity, .notUp, .bathroomLong, .outOfBed, .fridgeUnused: true
        default: false
        }
    }
}
