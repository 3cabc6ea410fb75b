import Foundation

/// When a home settles in bed for the night, from its last four weeks of days at home (`DaySummary.bedtime`): what the
/// learned "not in bed" check is made from. A resident in bed by 23:30 every night of the last four weeks, not in bed and
/// quiet at 00:30, is raised then: a fall after supper is otherwise found only by the next morning's checks.
///
/// Only a home whose bed pad saw it settle on every one of at least `minimumDays` recent nights has one: a night in a
/// chair, or a bed pad that misses some nights, says this home's late evenings cannot be told from a fall, and nothing
/// is checked before the fixed rules.
public struct UsualBedtime: Sendable, Equatable {
    /// The latest and the median bedtime, in minutes after 18:00 (`DaySummary.bedtime`), over `days` nights.
    public var latestMinute: Int
    public var usualMinute: Int
    public var days: Int

    static let lookback = UsualRising.lookback
    static let minimumDays = UsualRising.minimumDays

    /// From `history`, oldest first; days saved before bedtimes were counted are left out, so that a home upgraded
    /// with weeks of them is checked once it has counted `minimumDays` nights, not four weeks.
    public init?(days history: [DaySummary]) {
        let recent = history.filter { $0.bedtime != DaySummary.bedtimeNotCounted }.suffix(Self.lookback)
        guard recent.count >= Self.minimumDays, recent.allSatisfy({ $0.bedtime >= 0 }) else { return nil }
        let minutes = recent.map { Int($0.bedtime) }
        latestMinute = minutes.max() ?? 0
        usualMinute = Int(RoutineTrend.median(minutes))
        days = recent.count
    }

    /// The check, in minutes after 18:00: the latest bedtime plus `RuleSettings.learnedFloor`; nil when that is not before
    /// 06:00 (the night is over: the morning's `not_up` and the fixed rules watch the rest).
    public func checkMinute(settings: RuleSettings) -> Int? {
        let minute = latestMinute + Int((settings.learnedFloor / 60).rounded(.up))
        return minute < DaySummary.bedtimeWindow ? minute : nil
    }

    /// The numbers behind it, for care staff: "In the last four weeks this home was in bed for the night by 23:30 every
    /// night (usually by 22:40)."
    public var explanation: String {
        "In the last \(days == Self.lookback ? "four weeks" : "\(days) days") this home was in bed for the night by "
            + "\(LocalWindow.format(DaySummary.minuteOfDay(bedtime: latestMinute))) every night (usually by "
            + "\(LocalWindow.format(DaySummary.minuteOfDay(bedtime: usualMinute))))."
    }
}

/// Saved as `[latestMinute, usualMinute, days]`.
extension UsualBedtime: Codable {
    public init(from decoder: any Decoder) throws {
        var fields = try decoder.unkeyedContainer()
        latestMinute = try fields.decode(Int.self)
        usualMinute = try fields.decode(Int.self)
        days = try fields.decode(Int.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = encoder.unkeyedContainer()
        try fields.encode(latestMinute)
        try fields.encode(usualMinute)
        try fields.encode(days)
    }
}
