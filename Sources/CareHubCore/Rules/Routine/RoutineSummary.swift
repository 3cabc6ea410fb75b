import Foundation

/// What a home's learned routine says, in the words and numbers `carehub homes routine` and `carehub report weekly` show:
/// whether it is used yet, its usual day (up and about, night visits, activity, time in bed), how long it is normally
/// quiet in each context, and each trend's measure this week against the weeks before.
public struct RoutineSummary: Sendable {
    public var mode: RoutineMode
    /// Days learned, and whether the routine is used (`RuleSettings.learningDays`).
    public var learnedDays: Int
    public var isUsed: Bool
    /// Over the counted days before the last seven (or all of them when there are fewer than 21).
    public var usualWakeMinute: Double?
    /// The local minute of the learned `not_up` check (`UsualRising`), when the home has one and its routine is used.
    public var learnedNotUpMinute: Int?
    /// When the resident usually settles in bed for the night (local minute; the median over the nights the bed pad saw it).
    public var usualBedtimeMinute: Int?
    /// The local minute of the learned "not in bed" check (`UsualBedtime`), when the home has one and its routine is used.
    public var learnedNotInBedMinute: Int?
    public var nightVisitsPerNight: Double?
    public var activityPerDay: Double?
    public var bedMinutesPerDay: Double?
    public var daysCounted: Int
    public var contexts: [(context: QuietContext, judgement: QuietJudgement)]
    public var trends: [TrendMeasure]

    /// One trend's measure this week and over the weeks before, and whether it is raised now.
    public struct TrendMeasure: Sendable {
        public var trend: RoutineTrend
        public var thisWeek: Double
        public var before: Double
        public var finding: String?
    }

    public init(state: HomeRuleState, settings: RuleSettings) {
        mode = settings.routineMode
        learnedDays = Int(state.routine?.learnedDays ?? 0)
        isUsed = state.usesRoutine(settings: settings)
        let days = state.history?.daysAtHome ?? []
        daysCounted = days.count
        let weeks = state.history?.comparedWeeks
        let hasWeeks = weeks != nil
        let recent = weeks?.recent ?? []
        let usual = weeks?.baseline ?? days
        let wakes = usual.map(\.wakeMinute).filter { $0 >= 0 }
        usualWakeMinute = wakes.isEmpty ? nil : RoutineTrend.median(wakes)
        learnedNotUpMinute = state.usualRising(settings: settings)?.checkMinute(settings: settings)
        let bedtimes = usual.map(\.bedtime).filter { $0 >= 0 }
        usualBedtimeMinute = bedtimes.isEmpty ? nil : DaySummary.minuteOfDay(bedtime: Int(RoutineTrend.median(bedtimes)))
        learnedNotInBedMinute = state.usualBedtime(settings: settings)?.checkMinute(settings: settings).map(DaySummary.minuteOfDay(bedtime:))
        nightVisitsPerNight = usual.isEmpty ? nil : RoutineTrend.mean(usual, RoutineTrend.nightVisits(counting: usual))
        activityPerDay = usual.isEmpty ? nil : RoutineTrend.mean(usual, \.activity)
        bedMinutesPerDay = usual.contains { $0.bedMinutes > 0 } ? RoutineTrend.mean(usual, \.bedMinutes) : nil
        contexts = QuietContext.Place.allCases.flatMap { place in
            QuietContext.DayPart.allCases.compactMap { part -> (context: QuietContext, judgement: QuietJudgement)? in
                let context = QuietContext(place: place, part: part)
                return state.routine?.judgement(for: context).map { (context, $0) }
            }
        }
        trends = hasWeeks ? RoutineTrend.allCases.map { trend in
            TrendMeasure(trend: trend, thisWeek: trend.measure(recent, countedAs: recent + usual),
                         before: trend.measure(usual, countedAs: recent + usual),
                         finding: trend.finding(recent: recent, baseline: usual))
        } : []
    }
}

extension RoutineTrend {
    /// The daily measure the trend compares, averaged over `days` (the median for the time up), counted as it is over
    /// `compared` (the night visits: until getting up only when all of those days counted them so).
    func measure(_ days: [DaySummary], countedAs compared: [DaySummary]) -> Double {
        switch self {
        case .nightVisitsRising: Self.mean(days, Self.nightVisits(counting: compared))
        case .activityFalling: Self.mean(days, \.activityAtHome)
        case .risingLater: Self.median(days.map(\.wakeMinute).filter { $0 >= 0 })
        case .kitchenUseFalling: Self.mean(days, \.kitchenUses)
        case .timeInBedRising: Self.mean(days, \.bedMinutes)
        case .outingsFalling: Self.mean(days, \.outings)
        }
    }

    /// What the measure is, for a table: "night toilet visits a night".
    public var measureName: String {
        switch self {
        case .nightVisitsRising: "night toilet visits a night"
        case .activityFalling: "activity at home a day (movements)"
        case .risingLater: "up and about at (median)"
        case .kitchenUseFalling: "kitchen and fridge uses a day"
        case .timeInBedRising: "minutes in bed a day"
        case .outingsFalling: "outings a day"
        }
    }
}
