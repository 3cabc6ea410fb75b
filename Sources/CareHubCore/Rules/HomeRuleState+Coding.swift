import Foundation

/// Saved as one array of its fields in declaration order, nulls for those not set: start-up decodes every home's state,
/// and an array decodes at a fraction of a keyed object's cost (a keyed container hashes every key of its object). A field
/// added later goes at the end, where a state saved before it reads as nil. The keyed object that versions before
/// 2026-12-06 saved is still read.
extension HomeRuleState: Codable {
    private enum CodingKeys: String, CodingKey {
        case firstSeenAt, lastActivityAt, lastActivityRoom, lastActivityDevice, lastActivityType, lastActivityPlace
        case lastOutsideBedroomAt, lastMessageAt, continuousDataSince, gatewayOfflineSince, devices
        case exitDoorClosedAt, exitDoorDevice, awaySince, awayEndedAt, holidayUntil, visitUntil
        case bedOccupied, bedEmptySince, nightDoorOpenedAt, nightDoorDevice, lastFridgeOpenAt, fridgeWatchSince, hasFridgeSensor
        case raised, silenceRaisedFor, learned, notUpCheckedThrough
    }

    public init(from decoder: any Decoder) throws {
        guard var fields = try? decoder.unkeyedContainer() else {
            try self.init(keyed: decoder.container(keyedBy: CodingKeys.self))
            return
        }
        self.init(firstSeenAt: try fields.decode(Int64.self))
        lastActivityAt = try fields.decodeIfPresent(Int64.self)
        lastActivityRoom = try fields.decodeIfPresent(String.self)
        lastActivityDevice = try fields.decodeIfPresent(String.self)
        lastActivityType = try fields.decodeIfPresent(String.self)
        lastActivityPlace = try fields.decodeIfPresent(UInt8.self)
        lastOutsideBedroomAt = try fields.decodeIfPresent(Int64.self)
        lastMessageAt = try fields.decodeIfPresent(Int64.self)
        continuousDataSince = try fields.decodeIfPresent(Int64.self)
        gatewayOfflineSince = try fields.decodeIfPresent(Int64.self)
        devices = try fields.decode(DeviceTable.self)
        exitDoorClosedAt = try fields.decodeIfPresent(Int64.self)
        exitDoorDevice = try fields.decodeIfPresent(String.self)
        awaySince = try fields.decodeIfPresent(Int64.self)
        awayEndedAt = try fields.decodeIfPresent(Int64.self)
        holidayUntil = try fields.decodeIfPresent(Int64.self)
        visitUntil = try fields.decodeIfPresent(Int64.self)
        bedOccupied = try fields.decode(Bool.self)
        bedEmptySince = try fields.decodeIfPresent(Int64.self)
        nightDoorOpenedAt = try fields.decodeIfPresent(Int64.self)
        nightDoorDevice = try fields.decodeIfPresent(String.self)
        lastFridgeOpenAt = try fields.decodeIfPresent(Int64.self)
        fridgeWatchSince = try fields.decodeIfPresent(Int64.self)
        hasFridgeSensor = try fields.decode(Bool.self)
        raised = try fields.decode(UInt32.self)
        silenceRaisedFor = try fields.decodeIfPresent(Int64.self)
        learned = try fields.decodeIfPresent(CopyOnWriteBox<LearnedState>.self)
        notUpCheckedThrough = try fields.decode(Int64.self)
        bedtimeCheckedThrough = try fields.decodeIfPresent(Int64.self)
    }

    /// The keyed object of earlier versions.
    private init(keyed container: KeyedDecodingContainer<CodingKeys>) throws {
        self.init(firstSeenAt: try container.decode(Int64.self, forKey: .firstSeenAt))
        lastActivityAt = try container.decodeIfPresent(Int64.self, forKey: .lastActivityAt)
        lastActivityRoom = try container.decodeIfPresent(String.self, forKey: .lastActivityRoom)
        lastActivityDevice = try container.decodeIfPresent(String.self, forKey: .lastActivityDevice)
        lastActivityType = try container.decodeIfPresent(String.self, forKey: .lastActivityType)
        lastActivityPlace = try container.decodeIfPresent(UInt8.self, forKey: .lastActivityPlace)
        lastOutsideBedroomAt = try container.decodeIfPresent(Int64.self, forKey: .lastOutsideBedroomAt)
        lastMessageAt = try container.decodeIfPresent(Int64.self, forKey: .lastMessageAt)
        continuousDataSince = try container.decodeIfPresent(Int64.self, forKey: .continuousDataSince)
        gatewayOfflineSince = try container.decodeIfPresent(Int64.self, forKey: .gatewayOfflineSince)
        devices = try container.decode(DeviceTable.self, forKey: .devices)
        exitDoorClosedAt = try container.decodeIfPresent(Int64.self, forKey: .exitDoorClosedAt)
        exitDoorDevice = try container.decodeIfPresent(String.self, forKey: .exitDoorDevice)
        awaySince = try container.decodeIfPresent(Int64.self, forKey: .awaySince)
        awayEndedAt = try container.decodeIfPresent(Int64.self, forKey: .awayEndedAt)
        holidayUntil = try container.decodeIfPresent(Int64.self, forKey: .holidayUntil)
        visitUntil = try container.decodeIfPresent(Int64.self, forKey: .visitUntil)
        bedOccupied = try container.decode(Bool.self, forKey: .bedOccupied)
        bedEmptySince = try container.decodeIfPresent(Int64.self, forKey: .bedEmptySince)
        nightDoorOpenedAt = try container.decodeIfPresent(Int64.self, forKey: .nightDoorOpenedAt)
        nightDoorDevice = try container.decodeIfPresent(String.self, forKey: .nightDoorDevice)
        lastFridgeOpenAt = try container.decodeIfPresent(Int64.self, forKey: .lastFridgeOpenAt)
        fridgeWatchSince = try container.decodeIfPresent(Int64.self, forKey: .fridgeWatchSince)
        hasFridgeSensor = try container.decode(Bool.self, forKey: .hasFridgeSensor)
        raised = try container.decode(UInt32.self, forKey: .raised)
        silenceRaisedFor = try container.decodeIfPresent(Int64.self, forKey: .silenceRaisedFor)
        learned = try container.decodeIfPresent(CopyOnWriteBox<LearnedState>.self, forKey: .learned)
        notUpCheckedThrough = try container.decode(Int64.self, forKey: .notUpCheckedThrough)
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = encoder.unkeyedContainer()
        try fields.encode(firstSeenAt)
        try fields.encodeOrNull(lastActivityAt)
        try fields.encodeOrNull(lastActivityRoom)
        try fields.encodeOrNull(lastActivityDevice)
        try fields.encodeOrNull(lastActivityType)
        try fields.encodeOrNull(lastActivityPlace)
        try fields.encodeOrNull(lastOutsideBedroomAt)
        try fields.encodeOrNull(lastMessageAt)
        try fields.encodeOrNull(continuousDataSince)
        try fields.encodeOrNull(gatewayOfflineSince)
        try fields.encode(devices)
        try fields.encodeOrNull(exitDoorClosedAt)
        try fields.encodeOrNull(exitDoorDevice)
        try fields.encodeOrNull(awaySince)
        try fields.encodeOrNull(awayEndedAt)
        try fields.encodeOrNull(holidayUntil)
        try fields.encodeOrNull(visitUntil)
        try fields.encode(bedOccupied)
        try fields.encodeOrNull(bedEmptySince)
        try fields.encodeOrNull(nightDoorOpenedAt)
        try fields.encodeOrNull(nightDoorDevice)
        try fields.encodeOrNull(lastFridgeOpenAt)
        try fields.encodeOrNull(fridgeWatchSince)
        try fields.encode(hasFridgeSensor)
        try fields.encode(raised)
        try fields.encodeOrNull(silenceRaisedFor)
        try fields.encodeOrNull(learned)
        try fields.encode(notUpCheckedThrough)
        try fields.encodeOrNull(bedtimeCheckedThrough)
    }
}

/// What a home has learned, as `[routine, history]` (nulls for those not learned yet); the keyed object of earlier versions
/// is still read.
extension LearnedState: Codable {
    private enum CodingKeys: String, CodingKey { case routine, history }

    public init(from decoder: any Decoder) throws {
        if var fields = try? decoder.unkeyedContainer() {
            routine = try fields.decodeIfPresent(LearnedRoutine.self)
            history = try fields.decodeIfPresent(DailyHistory.self)
        } else {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            routine = try container.decodeIfPresent(LearnedRoutine.self, forKey: .routine)
            history = try container.decodeIfPresent(DailyHistory.self, forKey: .history)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = encoder.unkeyedContainer()
        try fields.encodeOrNull(routine)
        try fields.encodeOrNull(history)
    }
}

extension UnkeyedEncodingContainer {
    /// `value`, or null in its place: an array's fields are known by their position.
    mutating func encodeOrNull<T: Encodable>(_ value: T?) throws {
        if let value { try encode(value) } else { try encodeNil() }
    }
}

extension HomeRuleState {
    /// The encoder a home's state is saved with. Slashes are written as they are: the packed days are base64, full of
    /// them, and a JSON string with escapes takes the decoder's slow path, which start-up takes for every home.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return encoder
    }
}
