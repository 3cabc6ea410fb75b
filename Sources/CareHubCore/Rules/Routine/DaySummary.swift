import Foundation

/// One local day of a home's activity as the trends compare them: a few counts, 20 bytes.
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
    /// Visits to the bathroom or toilet after the night window (from 06:00) that were still the night: the resident went
    /// back to bed after them, `DailyHistory.backToBedMinutes` or more before getting up (a visit closer to getting up is
    /// the morning's wash). A resident who sleeps until 08:00 spends a quarter of the night after 06:00.
    /// `morningVisitsNotCounted` for a day saved before they were counted.
    public var morningVisits: UInt8 = 0

    /// The night's visits to the toilet, from 23:00 until getting up, or nil for a day saved before the morning's were
    /// counted.
    public var nightVisitsUntilUp: Int? {
        morningVisits == Self.morningVisitsNotCounted ? nil : Int(nightVisits) + Int(morningVisits)
    }

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
    /// The morning visits of a day saved before they were counted.
    public static let morningVisitsNotCounted: UInt8 = .max

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
    /// counted end one number earlier and read as days at home; before `bedtime`, one number earlier again (not counted);
    /// before `morningVisits`, one number earlier than today's (not counted either).
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
        morningVisits = container.isAtEnd ? Self.morningVisitsNotCounted : try container.decode(UInt8.self)
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
        try container.encode(morningVisits)
    }
}

extension DaySummary {
    /// Bytes of one day packed (`pack(into:)`): the fields in order, little-endian. Days packed before `morningVisits`
    /// were counted are `packedSizeBeforeMorningVisits` bytes, and before `bedtime` was, `packedSizeBeforeBedtime`
    /// (`DailyHistory` saves which size its days are).
    static let packedSize = 18
    static let packedSizeBeforeMorningVisits = 17
    static let packedSizeBeforeBedtime = 15

    /// Appends the day's fields to `bytes`: day (4 bytes), activity (2), night visits (1), kitchen uses (1), wake minute (2),
    /// bed minutes (2), outings (1), minutes away (2), bedtime (2), morning visits (1).
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
        append(morningVisits)
    }

    /// The day packed at `offset` in `bytes` (`size` bytes from there: `packedSize`, or one of the sizes before it).
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
        bedtime = size >= Self.packedSizeBeforeMorningVisits ? read(Int16.self) : Self.bedtimeNotCounted
        morningVisits = size >= Self.packedSize ? read(UInt8.self) : Self.morningVisitsNotCounted
    }
}
