import Foundation

/// When a home is up and about in the morning, from its last four weeks of days at home (`DaySummary.wakeMinute`): what the
/// learned `not_up` check is made from. A resident up by 07:40 every day of the last four weeks and not up at 08:40 is
/// raised then, not at the fixed 10:00.
///
/// Only a home up before 14:00 on every one of at least `minimumDays` recent days has one: a morning in bed on any of
/// them (an illness, a lie-in after a late night) says this home's late mornings are not unusual, and the fixed check
/// applies.
public struct UsualRising: Sendable, Equatable {
    /// The latest and the median local minute of the first activity about the home, over `days` days.
    public var latestMinute: Int
    public var usualMinute: Int
    public var days: Int

    /// Days looked at, and the fewest a usual rising needs.
    static let lookback = 28
    static let minimumDays = 14

    public init?(days history: [DaySummary]) {
        let recent = history.suffix(Self.lookback)
        guard recent.count >= Self.minimumDays, recent.allSatisfy({ $0.wakeMinute >= 0 }) else { return nil }
        let minutes = recent.map { Int($0.wakeMinute) }
        latestMinute = minutes.max() ?? 0
        usualMinute = Int(RoutineTrend.median(minutes))
        days = recent.count
    }

    /// The local minute of the learned `not_up` check: the latest rising plus `RuleSettings.learnedFloor`, never before the
    /// "since" time plus that floor; nil when that is not before the fixed check (the fixed check is the ceiling).
    public func checkMinute(settings: RuleSettings) -> Int? {
        let floor = Int((settings.learnedFloor / 60).rounded(.up))
        let minute = max(latestMinute, settings.notUpSince) + floor
        return minute < settings.notUpCheck ? minute : nil
    }

    /// The numbers behind a learned `not_up`, for care staff: "In the last four weeks this home was up and about by 07:40
    /// every day (usually by 07:05)."
    public var explanation: String {
        "In the last \(days == Self.lookback ? "four weeks" : "\(days) days") this home was up and about by "
            + "\(LocalWindow.format(latestMinute)) every day (usually by \(LocalWindow.format(usualMinute)))."
    }
}

/// Saved as `[latestMinute, usualMinute, days]`; the keyed object of earlier versions is still read.
extension UsualRising: Codable {
    private enum CodingKeys: String, CodingKey { case latestMinute, usualMinute, days }

    public init(from decoder: any Decoder) throws {
        if var fields = try? decoder.unkeyedContainer() {
            latestMinute = try fields.decode(Int.self)
            usualMinute = try fields.decode(Int.self)
            days = try fields.decode(Int.self)
        } else {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            latestMinute = try container.decode(Int.self, forKey: .latestMinute)
            usualMinute = try container.decode(Int.self, forKey: .usualMinute)
            days = try container.decode(Int.self, forKey: .days)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = encoder.unkeyedContainer()
        try fields.encode(latestMinute)
        try fields.encode(usualMinute)
        try fields.encode(days)
    }
}
