import Foundation

/// The last five weeks of a home's days (`DaySummary`), the day being counted, and when each trend was last raised:
/// what `RoutineTrend` compares. About 650 bytes a home.
public struct DailyHistory: Sendable, Equatable {
    /// Complete days with some activity, oldest first; at most `RoutineTrend.recentDays + baselineDays`.
    public internal(set) var days: [DaySummary] = []
    /// The day being counted.
    public internal(set) var today: DaySummary
    /// Night visits from 23:00 on, which count for the night that ends tomorrow morning.
    var visitsTowardTomorrow: UInt8 = 0
    /// Today's visits to the bathroom after the night window and before getting up (local minutes): night visits if the
    /// resident went back to bed after them, told once they are up (`DaySummary.morningVisits`).
    var morningVisitMinutes: [Int16] = []
    var lastBathroomAt: Int64?
    var lastKitchenAt: Int64?
    var bedSince: Int64?
    /// This morning's first activity about the home (local minute), until activity in a day room within the hour
    /// confirms it as getting up: a walk through the hall at 05:00 may be a night visit to the toilet, followed by bed.
    var wakeCandidate: Int16?
    /// When the day being counted began (for `DaySummary.awayMinutes`).
    var todayStartsAt: Int64?
    /// The local day each trend (`RoutineTrend.rawValue`) was last raised on.
    var lastRaised: [Int32] = Array(repeating: .min, count: RoutineTrend.allCases.count)
    /// When the resident is up in the morning, over the days at home: made once a day, as the day ends, for the learned
    /// `not_up` check (which is asked for whenever the home's deadline moves).
    public private(set) var usualRising: UsualRising?
    /// A stay on the bed pad begun this evening (from 18:00), which counts for the night that ends tomorrow morning.
    var bedtimeTowardTomorrow: Int16?
    /// When the resident settles in bed for the night, over the days at home: made as each day ends, for the learned
    /// "not in bed" check.
    public private(set) var usualBedtime: UsualBedtime?

    static let capacity = RoutineTrend.recentDays + RoutineTrend.baselineDays
    /// Visits and uses closer together than this are one.
    static let separation: Int64 = 10 * 60_000
    /// A visit to the bathroom after the night window this long or longer before getting up was a night visit (the
    /// resident went back to bed); one closer to getting up is the morning's wash.
    static let backToBedMinutes = 60
    /// Morning visits kept until the resident is up: more than this many before getting up are not a night's.
    static let morningVisitsKept = 8

    public init(day: Int64, startingAt start: Int64? = nil) {
        today = DaySummary(day: day)
        todayStartsAt = start
    }

    /// The days spent mostly at home, oldest first: the days the trends compare.
    public var daysAtHome: [DaySummary] { days.filter(\.wasMostlyHome) }

    /// The last `RoutineTrend.recentDays` days at home and the (up to) `baselineDays` before them, once there are enough.
    public var comparedWeeks: (recent: [DaySummary], baseline: [DaySummary])? { Self.compared(daysAtHome, lastDays: RoutineTrend.recentDays) }

    /// The last `count` of `home` (days at home) and the (up to) `RoutineTrend.baselineDays` before them, once there are enough.
    static func compared(_ home: [DaySummary], lastDays count: Int) -> (recent: [DaySummary], baseline: [DaySummary])? {
        guard home.count >= count + RoutineTrend.minimumBaselineDays else { return nil }
        return (Array(home.suffix(count)), Array(home.dropLast(count).suffix(RoutineTrend.baselineDays)))
    }

    /// Moves on to local `day`, which begins at `start`, keeping the day just ended if it saw any activity, and returns the
    /// trends its end shows (each with its summary), those raised in the last week left out. `awaySince` is when the
    /// resident left, if they are still away (`HomeRuleState.awaySince`).
    mutating func roll(to day: Int64, startingAt start: Int64, awaySince: Int64?) -> [(trend: RoutineTrend, summary: String)] {
        guard day > Int64(today.day) else { return [] }
        var ended = today
        if let left = awaySince {
            // Still away when the day ended: the rest of it was away (the new day is counted from its start).
            ended.awayMinutes = Self.adding(from: max(left, todayStartsAt ?? left), to: start, to: ended.awayMinutes)
        }
        if ended.wakeMinute < 0, let candidate = wakeCandidate {
            ended.wakeMinute = candidate
        }
        Self.countMorningVisits(morningVisitMinutes, into: &ended)
        morningVisitMinutes = []
        wakeCandidate = nil
        todayStartsAt = start
        if ended.activity > 0 {
            days.append(ended)
            if days.count > Self.capacity { days.removeFirst(days.count - Self.capacity) }
        }
        usualRising = UsualRising(days: daysAtHome)
        ended = DaySummary(day: day)
        let isNextDay = day == Int64(today.day) + 1
        ended.nightVisits = isNextDay ? visitsTowardTomorrow : 0
        ended.bedtime = isNextDay ? bedtimeTowardTomorrow ?? -1 : -1
        visitsTowardTomorrow = 0
        bedtimeTowardTomorrow = nil
        today = ended
        usualBedtime = bedtimesSeen()
        return trends(on: day)
    }

    private mutating func trends(on day: Int64) -> [(trend: RoutineTrend, summary: String)] {
        // A day away adds nothing to compare: the weeks are the same as the day before's.
        guard days.last?.wasMostlyHome == true else { return [] }
        let home = daysAtHome
        var found: [(trend: RoutineTrend, summary: String)] = []
        for trend in RoutineTrend.allCases where Int64(lastRaised[trend.rawValue]) + RoutineTrend.quietDays <= day {
            // Over each of the trend's recent periods in turn, the first that shows it.
            let summary = trend.recentPeriods.lazy.compactMap { days in
                Self.compared(home, lastDays: days).flatMap { trend.finding(recent: $0.recent, baseline: $0.baseline) }
            }.first
            if let summary {
                lastRaised[trend.rawValue] = Int32(clamping: day)
                found.append((trend, summary))
            }
        }
        return found
    }

    /// Counts an activity at `instant` (local `minute` of day) in `place`.
    mutating func noteActivity(at instant: Int64, minute: Int, place: QuietContext.Place, nightWindow: LocalWindow) {
        today.activity = today.activity == .max ? .max : today.activity + 1
        switch place {
        case .bathroom:
            let isVisit = instant - (lastBathroomAt ?? .min / 2) >= Self.separation
            lastBathroomAt = instant
            guard isVisit else { break }
            if nightWindow.contains(minuteOfDay: minute) {
                if minute >= nightWindow.start, nightWindow.start > nightWindow.end {
                    visitsTowardTomorrow = visitsTowardTomorrow &+ 1
                } else {
                    today.nightVisits = today.nightVisits &+ 1
                }
            } else if today.wakeMinute < 0, nightWindow.start > nightWindow.end, minute >= nightWindow.end,
                      Self.wakeHours ~= minute, morningVisitMinutes.count < Self.morningVisitsKept {
                morningVisitMinutes.append(Int16(minute))
            }
        case .kitchen:
            if instant - (lastKitchenAt ?? .min / 2) >= Self.separation { today.kitchenUses = today.kitchenUses &+ 1 }
            lastKitchenAt = instant
        default:
            break
        }
        noteWake(minute: minute, place: place)
    }

    /// Up: about the home beyond the bedroom and a visit to the toilet, from 05:00. Activity in the hall alone may be the
    /// way to the toilet and back to bed, so it counts as getting up only once a day room (the kitchen, the lounge, a
    /// chair, another room) follows within the hour; a hall walk with nothing after it is forgotten, and one still
    /// unconfirmed when the day ends is taken as the time up (a home whose only sensors are in the hall and bedroom).
    private mutating func noteWake(minute: Int, place: QuietContext.Place) {
        guard today.wakeMinute < 0 else { return }
        switch place {
        case .bedroom, .inBed, .bathroom:
            return
        case .entrance:
            if let candidate = wakeCandidate, minute - Int(candidate) <= Self.wakeConfirmationMinutes { return }
            if Self.wakeHours ~= minute { wakeCandidate = Int16(minute) }
        case .kitchen, .lounge, .inChair, .elsewhere:
            if let candidate = wakeCandidate, minute - Int(candidate) <= Self.wakeConfirmationMinutes {
                today.wakeMinute = candidate
            } else if Self.wakeHours ~= minute {
                today.wakeMinute = Int16(minute)
            } else {
                return
            }
            wakeCandidate = nil
            Self.countMorningVisits(morningVisitMinutes, into: &today)
            morningVisitMinutes = []
        }
    }

    static let wakeHours = (5 * 60)..<(14 * 60)
    static let wakeConfirmationMinutes = 60

    /// Adds to `day` (once its time up is known) the visits of `minutes` that were night visits: `backToBedMinutes` or
    /// more before getting up. A day counted before morning visits were stays not counted.
    private static func countMorningVisits(_ minutes: [Int16], into day: inout DaySummary) {
        guard day.morningVisits != DaySummary.morningVisitsNotCounted, day.wakeMinute >= 0 else { return }
        let visits = minutes.filter { Int(day.wakeMinute) - Int($0) >= backToBedMinutes }.count
        day.morningVisits = UInt8(clamping: Int(day.morningVisits) + visits)
    }

    /// The bed pad reports `occupied` (true) or `empty` at `instant`; a stay counts on the day it ends.
    mutating func noteBed(occupied: Bool, at instant: Int64) {
        if occupied {
            bedSince = bedSince ?? instant
            wakeCandidate = nil  // back to bed: the walk before was not getting up
        } else if let since = bedSince {
            let minutes = Int((instant - since) / 60_000)
            today.bedMinutes = UInt16(clamping: Int(today.bedMinutes) + min(minutes, 24 * 60))
            bedSince = nil
        }
    }

    /// A stay on the bed pad of `DaySummary.settledStayMinutes` or more began at `bedtime` (minutes after 18:00) on the
    /// evening before local day `night` (the day its morning falls on): the first such stay is that night's bedtime.
    mutating func noteSettled(night: Int64, bedtime: Int16) {
        if night == Int64(today.day), today.bedtime < 0 {
            today.bedtime = bedtime
            usualBedtime = bedtimesSeen()
        } else if night == Int64(today.day) + 1, bedtimeTowardTomorrow == nil {
            bedtimeTowardTomorrow = bedtime
        }
    }

    /// The usual bedtime over the nights seen: the days at home, and today once its night is counted (the morning it
    /// ended, or the day began with it when the stay ended before midnight), but not the first day counted when it has
    /// no bedtime (its night began before the hub heard from the home).
    private func bedtimesSeen() -> UsualBedtime? {
        var nights = days.count < Self.capacity && days.first.map({ $0.bedtime < 0 }) == true ? Array(days.dropFirst()) : days
        nights.removeAll { !$0.wasMostlyHome }
        if today.bedtime >= 0 { nights.append(today) }
        return UsualBedtime(days: nights)
    }

    /// A departure confirmed as away.
    mutating func noteOuting() {
        today.outings = today.outings &+ 1
    }

    /// The resident, away since `left`, is back (activity at home) at `instant`.
    mutating func noteReturn(leftAt left: Int64, at instant: Int64) {
        today.awayMinutes = Self.adding(from: max(left, todayStartsAt ?? left), to: instant, to: today.awayMinutes)
    }

    /// `minutes` with the whole minutes from `start` to `end` added, at most a day's.
    private static func adding(from start: Int64, to end: Int64, to minutes: UInt16) -> UInt16 {
        UInt16(min(24 * 60, Int(minutes) + Int(max(0, end - start) / 60_000)))
    }
}

/// Saved as one array, `[days, today, visitsTowardTomorrow, lastBathroomAt, lastKitchenAt, bedSince, wakeCandidate,
/// todayStartsAt, lastRaised, usualRising, bedtimeTowardTomorrow, usualBedtime, morningVisitMinutes]` (nulls for those not
/// set), with each day's numbers packed into one base64 string, "18:" and then 18 bytes a day (`DaySummary.pack(into:)`),
/// or "17:" and 17 for days saved before morning visits were counted: five weeks of days as
/// arrays of numbers were 35 JSON containers and 280 numbers a home, and a keyed object decodes at several times an array's
/// cost, most of the time a large hub spent decoding rule state at start-up. The days' size comes first so that a version
/// reading another size fails loudly instead of reading other numbers: those saved before bedtimes were counted are bare
/// base64 of `DaySummary.packedSizeBeforeBedtime` bytes a day, in an array that ends at `usualRising`. The keyed objects
/// earlier versions saved, with their days packed or as arrays, are still read.
extension DailyHistory: Codable {
    private enum CodingKeys: String, CodingKey {
        case days, today, visitsTowardTomorrow, lastBathroomAt, lastKitchenAt, bedSince, wakeCandidate, todayStartsAt, lastRaised, usualRising
    }

    public init(from decoder: any Decoder) throws {
        guard var fields = try? decoder.unkeyedContainer() else {
            try self.init(keyed: decoder.container(keyedBy: CodingKeys.self))
            return
        }
        guard let days = Self.unpacked(try fields.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: fields, debugDescription: "the counted days are damaged")
        }
        self.init(day: 0)
        self.days = days
        today = try fields.decode(DaySummary.self)
        visitsTowardTomorrow = try fields.decode(UInt8.self)
        lastBathroomAt = try fields.decodeIfPresent(Int64.self)
        lastKitchenAt = try fields.decodeIfPresent(Int64.self)
        bedSince = try fields.decodeIfPresent(Int64.self)
        wakeCandidate = try fields.decodeIfPresent(Int16.self)
        todayStartsAt = try fields.decodeIfPresent(Int64.self)
        lastRaised = try fields.decode([Int32].self)
        usualRising = try fields.decodeIfPresent(UsualRising.self)
        bedtimeTowardTomorrow = try fields.decodeIfPresent(Int16.self)
        usualBedtime = try fields.decodeIfPresent(UsualBedtime.self)
        morningVisitMinutes = fields.isAtEnd ? [] : try fields.decode([Int16].self)
    }

    /// The keyed object of earlier versions.
    private init(keyed container: KeyedDecodingContainer<CodingKeys>) throws {
        if let text = try? container.decode(String.self, forKey: .days) {
            guard let days = Self.unpacked(text) else {
                throw DecodingError.dataCorruptedError(forKey: .days, in: container, debugDescription: "the counted days are damaged")
            }
            self.days = days
        } else {
            days = try container.decode([DaySummary].self, forKey: .days)
        }
        today = try container.decode(DaySummary.self, forKey: .today)
        visitsTowardTomorrow = try container.decode(UInt8.self, forKey: .visitsTowardTomorrow)
        lastBathroomAt = try container.decodeIfPresent(Int64.self, forKey: .lastBathroomAt)
        lastKitchenAt = try container.decodeIfPresent(Int64.self, forKey: .lastKitchenAt)
        bedSince = try container.decodeIfPresent(Int64.self, forKey: .bedSince)
        wakeCandidate = try container.decodeIfPresent(Int16.self, forKey: .wakeCandidate)
        todayStartsAt = try container.decodeIfPresent(Int64.self, forKey: .todayStartsAt)
        lastRaised = try container.decode([Int32].self, forKey: .lastRaised)
        usualRising = try container.decodeIfPresent(UsualRising.self, forKey: .usualRising)
    }

    /// The days packed in `text` ("18:" or "17:" and base64, or the bare base64 of 15-byte days saved before), or nil
    /// when it is not whole days of a size the hub has saved.
    private static func unpacked(_ text: String) -> [DaySummary]? {
        var dayBytes = DaySummary.packedSizeBeforeBedtime
        var base64 = text
        // The size is a few digits at the front: looked for in the first bytes only (this runs for every home at start-up,
        // and a search by Character through the whole string cost a hub of 100,000 homes over a second).
        if let colon = text.utf8.prefix(4).firstIndex(of: UInt8(ascii: ":")) {
            guard let size = Int(Substring(text.utf8[..<colon])),
                  size == DaySummary.packedSize || size == DaySummary.packedSizeBeforeMorningVisits else { return nil }
            dayBytes = size
            base64 = String(Substring(text.utf8[text.utf8.index(after: colon)...]))
        }
        guard let data = Data(base64Encoded: base64), data.count % dayBytes == 0 else { return nil }
        let bytes = [UInt8](data)
        return stride(from: 0, to: bytes.count, by: dayBytes).map { DaySummary(packed: bytes, at: $0, size: dayBytes) }
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = encoder.unkeyedContainer()
        var packed: [UInt8] = []
        packed.reserveCapacity(days.count * DaySummary.packedSize)
        for day in days { day.pack(into: &packed) }
        try fields.encode("\(DaySummary.packedSize):" + Data(packed).base64EncodedString())
        try fields.encode(today)
        try fields.encode(visitsTowardTomorrow)
        try fields.encodeOrNull(lastBathroomAt)
        try fields.encodeOrNull(lastKitchenAt)
        try fields.encodeOrNull(bedSince)
        try fields.encodeOrNull(wakeCandidate)
        try fields.encodeOrNull(todayStartsAt)
        try fields.encode(lastRaised)
        try fields.encodeOrNull(usualRising)
        try fields.encodeOrNull(bedtimeTowardTomorrow)
        try fields.encodeOrNull(usualBedtime)
        try fields.encode(morningVisitMinutes)
    }
}
