import Foundation

/// A slow change in a home's routine, found by comparing the last seven days with the (up to) 28 before them. Each is
/// a routine-priority incident of its own kind, with the numbers behind it, raised at most once in `quietDays`: a change
/// that lasts is told once, not every week until the weeks compared with have caught up with it.
public enum RoutineTrend: Int, Sendable, CaseIterable {
    case nightVisitsRising, activityFalling, risingLater, kitchenUseFalling, timeInBedRising, outingsFalling

    public var kind: IncidentKind {
        switch self {
        case .nightVisitsRising: .nightVisitsRising
        case .activityFalling: .activityFalling
        case .risingLater: .risingLater
        case .kitchenUseFalling: .kitchenUseFalling
        case .timeInBedRising: .timeInBedRising
        case .outingsFalling: .outingsFalling
        }
    }

    /// The incident kinds of the trends.
    public static let kinds = Set(allCases.map(\.kind))

    /// Days after a trend is raised before it may be raised again.
    static let quietDays: Int64 = 28

    /// Days compared, and the fewest days before them a comparison needs.
    static let recentDays = 7
    static let baselineDays = 28
    static let minimumBaselineDays = 14

    /// The recent periods compared with the days before them, in days, shortest first: a week for every trend, and two as
    /// well for night visits. At about one a night they are the noisiest count, and a rise too small to stand out in one
    /// week should be found late rather than not at all.
    var recentPeriods: [Int] { self == .nightVisitsRising ? [Self.recentDays, 2 * Self.recentDays] : [Self.recentDays] }

    /// The trend's summary when `recent` (the last `recentDays` days) differs from `baseline` (the days before) as this trend
    /// looks for, else nil. Each test asks for a change both large and well beyond the home's day-to-day spread, so
    /// that a noisy week is not a trend.
    func finding(recent: [DaySummary], baseline: [DaySummary]) -> String? {
        switch self {
        case .nightVisitsRising:
            let visits = Self.nightVisits(counting: recent + baseline)
            let (now, before) = (Self.mean(recent, visits), Self.mean(baseline, visits))
            guard now >= 1.4 * before, now - before >= 0.5,
                  Self.change(recent, baseline, visits, leastSpread: 0.7, withBaselineError: true) >= 3 else { return nil }
            return "Night toilet visits: \(Self.decimal(now)) a night \(Self.lately(recent)), \(Self.decimal(before)) over the previous \(Self.weeks(baseline)). "
                + "More visits at night can be a sign of an infection: consider asking the resident or their GP."
        case .activityFalling:
            let (now, before) = (Self.mean(recent, \.activityAtHome), Self.mean(baseline, \.activityAtHome))
            guard before >= 20, now <= 0.9 * before, Self.change(recent, baseline, \.activityAtHome) <= -3 else { return nil }
            return "Activity at home: \(Int(now.rounded())) movements a day this week, \(Int(before.rounded())) over the previous "
                + "\(Self.weeks(baseline)) (\(Self.percent(now / before - 1))); time out of the home is not counted."
        case .risingLater:
            let wakes = recent.map(\.wakeMinute).filter { $0 >= 0 }
            let usual = baseline.map(\.wakeMinute).filter { $0 >= 0 }
            guard wakes.count >= 5, usual.count >= Self.minimumBaselineDays else { return nil }
            let (now, before) = (Self.median(wakes), Self.median(usual))
            guard now - before >= 35, wakes.filter({ Int($0) >= Int(before) + 20 }).count >= 5 else { return nil }
            return "Up later: first about the home at \(LocalWindow.format(Int(now))) this week (median), "
                + "\(LocalWindow.format(Int(before))) over the previous \(Self.weeks(baseline))."
        case .kitchenUseFalling:
            let (now, before) = (Self.mean(recent, \.kitchenUses), Self.mean(baseline, \.kitchenUses))
            guard before >= 3, now <= 0.7 * before, Self.change(recent, baseline, \.kitchenUses) <= -3 else { return nil }
            return "Kitchen and fridge use: \(Self.decimal(now)) times a day this week, \(Self.decimal(before)) over the previous "
                + "\(Self.weeks(baseline)). Check that the resident is eating."
        case .timeInBedRising:
            let (now, before) = (Self.mean(recent, \.bedMinutes), Self.mean(baseline, \.bedMinutes))
            guard before >= 60, now >= before + 60, now >= 1.15 * before, Self.change(recent, baseline, \.bedMinutes) >= 3
            else { return nil }
            return "Time in bed: \(Self.hours(now)) a day this week, \(Self.hours(before)) over the previous \(Self.weeks(baseline))."
        case .outingsFalling:
            let (now, before) = (Self.mean(recent, \.outings), Self.mean(baseline, \.outings))
            guard before >= 0.5, now <= 0.4 * before, Self.poissonDrop(from: before, to: now, days: recent.count) >= 3
            else { return nil }
            return "Outings: \(Self.decimal(now * 7)) this week, \(Self.decimal(before * 7)) a week over the previous \(Self.weeks(baseline))."
        }
    }

    /// Each day's night visits to compare over `days`: until getting up (`DaySummary.nightVisitsUntilUp`) when every one
    /// of them counted the morning's, else from 23:00 to 06:00 alone (days saved before morning visits were counted), so
    /// that an upgrade does not look like a rise.
    static func nightVisits(counting days: [DaySummary]) -> (DaySummary) -> Double {
        days.allSatisfy { $0.nightVisitsUntilUp != nil }
            ? { Double($0.nightVisitsUntilUp ?? 0) }
            : { Double($0.nightVisits) }
    }

    // MARK: Arithmetic

    static func mean<T: BinaryInteger>(_ days: [DaySummary], _ value: KeyPath<DaySummary, T>) -> Double {
        mean(days) { Double($0[keyPath: value]) }
    }

    static func mean(_ days: [DaySummary], _ value: (DaySummary) -> Double) -> Double {
        days.isEmpty ? 0 : days.reduce(0.0) { $0 + value($1) } / Double(days.count)
    }

    static func median<T: BinaryInteger>(_ values: [T]) -> Double {
        let sorted = values.map { Double($0) }.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// How many standard errors the recent mean lies above (positive) or below (negative) the baseline's, with the spread of
    /// the baseline's days, at least 5 % of its mean and `leastSpread`: a home with a very steady routine is not flagged for
    /// a tiny change. `withBaselineError` counts the baseline mean's own error as well as the recent one's: a baseline of
    /// two weeks of nights at about one visit each is itself uncertain by a fifth of a visit, and without it one home in
    /// seven without any change raised a rise in night visits within three weeks (`resident.py` seeds 1–100).
    static func change<T: BinaryInteger>(_ recent: [DaySummary], _ baseline: [DaySummary], _ value: KeyPath<DaySummary, T>) -> Double {
        change(recent, baseline) { Double($0[keyPath: value]) }
    }

    static func change(_ recent: [DaySummary], _ baseline: [DaySummary], _ value: (DaySummary) -> Double,
                       leastSpread: Double = 0.5, withBaselineError: Bool = false) -> Double {
        let base = mean(baseline, value)
        let variance = baseline.reduce(0.0) { $0 + pow(value($1) - base, 2) } / Double(max(1, baseline.count - 1))
        let spread = max(variance.squareRoot(), 0.05 * base, leastSpread)
        let days = 1 / Double(max(1, recent.count)) + (withBaselineError ? 1 / Double(max(1, baseline.count)) : 0)
        return (mean(recent, value) - base) / (spread * days.squareRoot())
    }

    /// How many Poisson standard deviations a count of `to` a day over `days` lies below the usual `from` a day (the usual
    /// rate at least 0.3 a day: a home that rarely goes out is not flagged for one outing fewer).
    static func poissonDrop(from before: Double, to now: Double, days: Int) -> Double {
        (before - now) * Double(days) / (max(before, 0.3) * Double(days)).squareRoot()
    }

    static func decimal(_ value: Double) -> String { String(format: "%.1f", value) }
    static func percent(_ change: Double) -> String { String(format: "%+.0f %%", change * 100) }
    static func hours(_ minutes: Double) -> String { String(format: "%d h %02d min", Int(minutes) / 60, Int(minutes) % 60) }
    /// "this week", or "over the last 2 weeks" for a longer comparison.
    static func lately(_ days: [DaySummary]) -> String { days.count <= recentDays ? "this week" : "over the last \(weeks(days))" }
    static func weeks(_ days: [DaySummary]) -> String { days.count % 7 == 0 ? "\(days.count / 7) weeks" : "\(days.count) days" }
}
