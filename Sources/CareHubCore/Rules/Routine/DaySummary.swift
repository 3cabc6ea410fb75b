import Foundation

/// One local day of a home's activity as the trends compare them: a few counts, 12 bytes.
public struct DaySummary: Sendable, Equatable {
    /// The local day (days since 1970-01-01 in the home's time zone).
    public var day: Int32
    /// Activity events (contract section 3's definition).
    public var activity: UInt16 = 0
    /// Visits to the bathroom or toilet in the night that ends this morning (23:00–06:00), 10 min or more apart.
    public var nightVisits: UInt8 = 0
    /// Kitchen or fridge uses, 10 min or more apart.
    public var kitchenUses: UInt8 = 0
    /// The first activity outside the bedroom and the bathroom from 05:00 on, in minutes after midnight; -1 when none
    /// before 14:00.
    public var wakeMinute: Int16 = -1
    /// Minutes the bed pad reported occupied, counted on the day each stay ended.
    public var bedMinutes: UInt16 = 0
    /// Departures confirmed as away.
    public var outings: UInt8 = 0

    public init(day: Int64) {
        self.day = Int32(clamping: day)
    }
}

extension DaySummary: Codable {
    /// As one array of numbers: a month of them stays a few hundred bytes of JSON.
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        day = try container.decode(Int32.self)
        activity = try container.decode(UInt16.self)
        nightVisits = try container.decode(UInt8.self)
        kitchenUses = try container.decode(UInt8.self)
        wakeMinute = try container.decode(Int16.self)
        bedMinutes = try container.decode(UInt16.self)
        outings = try container.decode(UInt8.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(day)
        try container.encode(activity)
        try container.encode(nightVisits)
        try container.encode(kitchenUses)
        try container.encode(wakeMinute)
        try container.encode(bedMinutes)
        try container.encode(outings)
    }
}
