import Foundation

/// One local day of a home's activity as the trends compare them: a few counts, 18 bytes.
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
    /// Minutes of the day the resident was away (from a confirmed departure to the next activity at home).
    public var awayMinutes: UInt16 = 0
    /// When the resident settled in bed for the night that ended this morning: the start of the first stay of
    /// `settledStayMinutes` or more on the bed pad that began between 18:00 and 06:00, in minutes after 18:00 the evening
    /// before (local wall clock: 0 is 18:00, 420 is 01:00); -1 when there was none (no bed pad, or a night in a chair);
    /// `bedtimeNotCounted` for a day saved before bedtimes were counted.
    public var bedtime: Int16 = -1

    /// A day spent mostly away (an overnight stay, a holiday with someone calling in to water the plants) says nothing
    /// about the resident's routine at home: the trends compare only the days spent mostly at home.
    public var wasMostlyHome: Bool { awayMinutes < Self.mostlyAwayMinutes }
    static let mostlyAwayMinutes: UInt16 = 12 * 60

    /// Activity events a whole day at home would have had at this day's rate: a day with a long outing is not a day of
    /// little activity.
    public var activityAtHome: Double {
        Double(activity) * 1440 / Double(1440 - Int(min(awayMinutes, Self.mostlyAwayMinutes)))
    }

    public init(day: Int64) {
        self.day = Int32(clamping: day)
    }

    /// The bedtime of a day saved before bedtimes were counted: neither a night in bed nor one without.
    public static let bedtimeNotCounted: Int16 = -2

    /// A stay on the bed pad this long or longer is settling for the night; a shorter one is a rest or a nap.
    public static let settledStayMinutes = 120
    /// The evening hour bedtimes are counted from, and how many minutes after it the night's window for settling runs.
    public static let bedtimeFrom = 18 * 60
    public static let bedtimeWindow = 12 * 60

    /// `minute` (local minute of day) as a bedtime: minutes after 18:00, or nil outside 18:00–06:00.
    public static func bedtime(minuteOfDay minute: Int) -> Int16? {
        let after = (minute - bedtimeFrom + 1440) % 1440
        return after < bedtimeWindow ? Int16(after) : nil
    }

    /// A bedtime as the local minute of day it was at.
    public static func minuteOfDay(bedtime: Int) -> Int { (bedtimeFrom + bedtime) % 1440 }
}

extension DaySummary: Codable {
    /// As one array of numbers: a month of them stays a few hundred bytes of JSON. Days saved before `awayMinutes` was
    /// counted end one number earlier and read as days at home; before `bedtime`, one number earlier again (not counted).
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        day = try container.decode(Int32.self)
        activity = try container.decode(UInt16.self)
        nightVisits = try container.decode(UInt8.self)
        kitchenUses = try container.decode(UInt8.self)
        wakeMinute = try container.decode(Int16.self)
        bedMinutes = try container.decode(UInt16.self)
        outings = try container.decode(UInt8.self)
        if !container.isAtEnd { awayMinutes = try container.decode(UInt16.self) }
        bedtime = container.isAtEnd ? Self.bedtimeNotCounted : try container.decode(Int16.self)
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
        try container.encode(awayMinutes)
        try container.encode(bedtime)
    }
}

extension DaySummary {
    /// Bytes of one day packed (`pack(into:)`): the fields in order, little-endian. Days packed before `bedtime` was
    /// counted are `packedSizeBeforeBedtime` bytes (`DailyHistory` saves which size its days are).
    static let packedSize = 17
    static let packedSizeBeforeBedtime = 15

    /// Appends the day's fields to `bytes`: day (4 bytes), activity (2), night visits (1), kitchen uses (1), wake minute (2),
    /// bed minutes (2), outings (1), minutes away (2), bedtime (2).
    func pack(into bytes: inout [UInt8]) {
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        append(day)
        append(activity)
        append(nightVisits)
        append(kitchenUses)
        append(wakeMinute)
        append(bedMinutes)
        append(outings)
        append(awayMinutes)
        append(bedtime)
    }

    /// The day packed at `offset` in `bytes` (`size` bytes from there: `packedSize`, or `packedSizeBeforeBedtime`).
    init(packed bytes: [UInt8], at offset: Int, size: Int = packedSize) {
        var position = offset
        func read<T: FixedWidthInteger>(_: T.Type) -> T {
            var value = T.zero
            for index in 0..<MemoryLayout<T>.size { value |= T(truncatingIfNeeded: bytes[position + index]) << (8 * index) }
            position += MemoryLayout<T>.size
            return value
        }
        self.init(day: Int64(read(Int32.self)))
        activity = read(UInt16.self)
        nightVisits = read(UInt8.self)
        kitchenUses = read(UInt8.self)
        wakeMinute = read(Int16.self)
        bedMinutes = read(UInt16.self)
        outings = read(UInt8.self)
        awayMinutes = read(UInt16.self)
        bedtime = size >= Self.packedSize ? read(Int16.self) : Self.bedtimeNotCounted
    }
}
