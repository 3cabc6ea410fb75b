import CareHubCore
import Foundation

/// `carehub evaluate`: how a home's rules would have served it, in `fixed` and `learned` mode side by side.
///
/// For each home of a recording, two runs per mode on a virtual clock, in memory:
/// - the recording as it is, counting the urgent incidents raised once the home's routine was learned (the recordings
///   hold no real emergency, so each is a false alarm);
/// - the same recording cut off at `collapses` moments drawn with `seed` from the daytime minutes when the resident is
///   at home: after each cut only the installation's own liveness goes on (heartbeats and gateway statuses,
///   `LivenessSynthesis` making them for recordings that have none), and the time from the cut to the first urgent
///   incident is its detection delay; none within `detectionLimit` is a miss.
///
/// The cuts are evaluated from a copy of the rules at that moment, so one pass through the recording serves them all.
public struct Evaluator: Sendable {
    public var settings: RuleSettingsBook
    public var collapses: Int
    public var seed: UInt64
    /// The local hours a collapse may be drawn from.
    public var daytime = LocalWindow(start: 8 * 60, end: 20 * 60)
    public var detectionLimit: Int64 = 24 * 3_600_000

    public init(settings: RuleSettingsBook, collapses: Int, seed: UInt64) {
        self.settings = settings
        self.collapses = collapses
        self.seed = seed
    }

    /// Evaluates every home in `lines` (in any order).
    public func evaluate(_ lines: [ReplayLine]) throws -> [HomeEvaluation] {
        var refused = EvaluationRefusals()
        return try evaluate(lines, refused: &refused)
    }

    /// Evaluates every home in `lines` (in any order); the messages the hub would have refused are counted in `refused`.
    public func evaluate(_ lines: [ReplayLine], refused: inout EvaluationRefusals) throws -> [HomeEvaluation] {
        let decoder = EventDecoder(clockSkew: ClockSkewPolicy(maximumAhead: 300, maximumBehind: 3650 * 86_400))
        var byHome: [String: [EvaluationInput]] = [:]
        for line in Replayer.sortedByTime(lines) {
            switch decoder.decode(topic: line.topic, payload: line.payload, receivedAt: Date(millisecondsSince1970: line.time)) {
            case .event(let event):
                byHome[event.home, default: []].append(EvaluationInput(time: line.time, message: .event(event)))
            case .gatewayStatus(let home, let state):
                byHome[home, default: []].append(EvaluationInput(time: line.time, message: .gateway(home: home, state: state)))
            case .refused(let message):
                refused.note(message.reason)
            }
        }
        return try byHome.keys.sorted().flatMap { home -> [HomeEvaluation] in
            let recorded = byHome[home] ?? []
            let synthesis = LivenessSynthesis()
            let timeline = (recorded + synthesis.liveness(for: recorded)).enumerated()
                .sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
            let gaps = synthesis.outages(in: recorded)
            return try evaluate(home: home, timeline: timeline).map { result in
                var result = result
                result.gaps = gaps
                return result
            }
        }
    }

    private func evaluate(home: String, timeline: [EvaluationInput]) throws -> [HomeEvaluation] {
        guard let first = timeline.first?.time, let last = timeline.last?.time else { return [] }
        // The learned run first: it says when the routine was learned, and which minutes the resident was at home.
        let survey = HomeSurvey(home: home, settings: settings.withRoutineMode(.learned), daytime: daytime)
        let surveyed = survey.run(timeline)
        var generator = SplitMix64(seed: seed ^ UInt64(truncatingIfNeeded: home.hashValueStable))
        let cuts = surveyed.atHomeMinutes.sampled(collapses, using: &generator).sorted()
        func evaluation(_ mode: RoutineMode, settings book: RuleSettingsBook, countFrom: Int64?, suggested: [String: String]? = nil) -> HomeEvaluation {
            var run = CollapseRun(home: home, settings: book, detectionLimit: detectionLimit)
            let outcome = run.run(timeline, cuts: cuts, countFrom: countFrom)
            return HomeEvaluation(home: home, mode: mode, first: Date(millisecondsSince1970: first), last: Date(millisecondsSince1970: last),
                                  learnedAt: surveyed.learnedAt.map(Date.init(millisecondsSince1970:)),
                                  countedFrom: countFrom.map(Date.init(millisecondsSince1970:)), suggestedSettings: suggested,
                                  falseUrgent: outcome.falseUrgent, cuts: cuts.map(Date.init(millisecondsSince1970:)), delays: outcome.delays,
                                  detections: outcome.detections.map { $0.map { ($0.kind, $0.summary) } }, trends: outcome.trends)
        }
        var results = RoutineMode.allCases.map { mode in evaluation(mode, settings: settings.withRoutineMode(mode), countFrom: surveyed.learnedAt) }
        guard let learnedAt = surveyed.learnedAt else { return results }
        // A lead who takes the per-home thresholds suggested after the first four weeks learned (`ThresholdSuggester`): false
        // alarms count only after them, so the weeks they were drawn from do not judge them.
        let reviews = Array(stride(from: learnedAt + Self.suggestionPeriod, to: last, by: Int(Self.suggestionPeriod)))
        guard let firstReview = reviews.first, last - firstReview >= 7 * 86_400_000 else { return results }
        let taken = try suggestedSettings(home: home, timeline: timeline, at: firstReview, base: learnedSettings(home))
        var book = settings.withRoutineMode(.learned)
        book.homes[home] = taken.settings
        results.append(evaluation(.learned, settings: book, countFrom: firstReview, suggested: taken.values))
        if reviews.count > 1 {
            results.append(try reviewedEvaluation(home: home, timeline: timeline, span: (first, last), reviews: reviews, firstTaken: taken, cuts: cuts,
                                                  learnedAt: learnedAt))
        }
        return results
    }

    /// A lead who looks at the suggestions again every four weeks and takes them each time, on top of those taken before:
    /// each period between reviews is run with the thresholds taken at its start, and counts the false alarms raised in
    /// it and the collapses cut in it (those before the first review with the first review's). `firstTaken` is what the
    /// first review took, as the `learned+suggested` run already drew it.
    private func reviewedEvaluation(home: String, timeline: [EvaluationInput], span: (first: Int64, last: Int64), reviews: [Int64],
                                    firstTaken: (settings: RuleSettings, values: [String: String]), cuts: [Int64],
                                    learnedAt: Int64) throws -> HomeEvaluation {
        let (first, last) = span
        var current = learnedSettings(home)
        var result = HomeEvaluation(home: home, mode: .learned, first: Date(millisecondsSince1970: first), last: Date(millisecondsSince1970: last),
                                    learnedAt: Date(millisecondsSince1970: learnedAt), countedFrom: reviews.first.map(Date.init(millisecondsSince1970:)),
                                    suggestedSettings: [:], falseUrgent: [], cuts: cuts.map(Date.init(millisecondsSince1970:)), delays: [],
                                    detections: [], trends: [])
        result.reviews = []
        for (index, review) in reviews.enumerated() {
            let taken = index == 0 ? firstTaken : try suggestedSettings(home: home, timeline: timeline, at: review, base: current)
            current = taken.settings
            result.reviews?.append((Date(millisecondsSince1970: review), taken.values))
            result.suggestedSettings?.merge(taken.values) { $1 }
            let end = index + 1 < reviews.count ? reviews[index + 1] : Int64.max
            let periodCuts = cuts.filter { (index == 0 || $0 >= review) && $0 < end }
            // The period, and a day past it for the collapses cut near its end to be found.
            let period = end == .max ? timeline : Array(timeline.prefix { $0.time <= end + detectionLimit })
            var book = settings.withRoutineMode(.learned)
            book.homes[home] = current
            var run = CollapseRun(home: home, settings: book, detectionLimit: detectionLimit)
            let outcome = run.run(period, cuts: periodCuts, countFrom: review)
            result.falseUrgent += outcome.falseUrgent.filter { $0.at.millisecondsSince1970 < end }
            result.trends += outcome.trends.filter { $0.at.millisecondsSince1970 >= (index == 0 ? first : review) && $0.at.millisecondsSince1970 < end }
            result.delays += outcome.delays
            result.detections += outcome.detections.map { $0.map { ($0.kind, $0.summary) } }
        }
        return result
    }

    /// The home's own settings, in learned mode.
    private func learnedSettings(_ home: String) -> RuleSettings {
        var learned = settings.settings(for: home)
        learned.routineMode = .learned
        return learned
    }

    /// Days of a learned home's recording the suggested thresholds are drawn from, and between two reviews.
    static let suggestionDays = 28
    static let suggestionPeriod = Int64(suggestionDays) * 86_400_000

    /// `base` with the thresholds `ThresholdSuggester` suggests at `review` from the home's recording of the
    /// `suggestionDays` before it (replayed from the recording's beginning with `base`, counting from the period's
    /// start), and the values taken.
    private func suggestedSettings(home: String, timeline: [EvaluationInput], at review: Int64, base: RuleSettings) throws
        -> (settings: RuleSettings, values: [String: String]) {
        let period = Array(timeline.prefix { $0.time <= review })
        let start = review - Self.suggestionPeriod
        let limit = detectionLimit
        var book = settings
        book.homes[home] = base
        let suggester = ThresholdSuggester(home: home, settings: book, days: Self.suggestionDays, emergencies: []) { book in
            var run = CollapseRun(home: home, settings: book, detectionLimit: limit)
            var counts: [IncidentKind: Int] = [:]
            for incident in run.run(period, cuts: [], countFrom: start).falseUrgent { counts[incident.kind, default: 0] += 1 }
            return counts
        }
        let suggestions = try suggester.suggest().suggestions
        var values: [String: String] = [:]
        for suggestion in suggestions { if let value = suggestion.suggested { values[suggestion.threshold.key] = value } }
        return (ThresholdSuggester.taking(suggestions, into: base), values)
    }
}

/// What `Evaluator` found for one home in one mode.
public struct HomeEvaluation: Sendable {
    public var home: String
    public var mode: RoutineMode
    public var first: Date
    public var last: Date
    /// When the home's routine had been learned (`RuleSettings.learningDays`).
    public var learnedAt: Date?
    /// When false alarms count from: `learnedAt`, or for a run with suggested thresholds, when they were taken.
    public var countedFrom: Date?
    /// The per-home thresholds taken for this run (`ThresholdSuggester`), by setting; nil for a plain mode.
    public var suggestedSettings: [String: String]?
    /// For a run whose suggestions were looked at again every four weeks: when, and what each review took (empty when it
    /// took nothing); nil for a run that took them once or never.
    public var reviews: [(at: Date, taken: [String: String])]?
    /// Urgent incidents raised after `countedFrom` in the uncut recording: each one's kind, time and what it said (its
    /// explanation, for a learned one).
    public var falseUrgent: [(kind: IncidentKind, at: Date, summary: String)]
    /// When each simulated collapse was cut, in order.
    public var cuts: [Date]
    /// Per simulated collapse (as `cuts`), the seconds from the cut to the first urgent incident, or nil when none came.
    public var delays: [Double?]
    /// Per simulated collapse (as `cuts`), the urgent incident that found it and what it said, or nil when none came.
    public var detections: [(kind: IncidentKind, summary: String)?]
    /// Trend incidents raised over the recording (routine priority), with what each said.
    public var trends: [(kind: IncidentKind, at: Date, summary: String)]

    /// Where the recording holds nothing at all for longer than a day (milliseconds, from the last line before to the
    /// first after): the platform down, or nobody at home. No false alarm about the resident can be raised there.
    public var gaps: [Range<Int64>] = []

    /// Days the false-alarm count covers: from `countedFrom` to the last line, less the `gaps` in that span, so that weeks
    /// without data do not thin the rate (on HomeAssist home1, 57 of its 211 days after learning).
    public var daysCounted: Double {
        guard let (from, to) = countedSpan else { return 0 }
        return Double(to - from) / 86_400_000 - daysWithoutData
    }

    /// Days from `countedFrom` to the last line without data (`gaps`), left out of `daysCounted`.
    public var daysWithoutData: Double {
        guard let (from, to) = countedSpan else { return 0 }
        return Double(gaps.reduce(Int64(0)) { $0 + max(0, min($1.upperBound, to) - max($1.lowerBound, from)) }) / 86_400_000
    }

    /// From `countedFrom` to the last line, in milliseconds; nil when nothing is counted.
    private var countedSpan: (from: Int64, to: Int64)? {
        guard let countedFrom, last > countedFrom else { return nil }
        return (countedFrom.millisecondsSince1970, last.millisecondsSince1970)
    }

    /// "fixed", "learned", "learned+suggested" for a run with the per-home thresholds suggested once, or
    /// "learned+reviewed" for one that took them again at every review.
    public var label: String {
        reviews != nil ? "\(mode.rawValue)+reviewed" : suggestedSettings == nil ? mode.rawValue : "\(mode.rawValue)+suggested"
    }

    /// False urgent incidents per 30 days.
    public var falseUrgentPerMonth: Double? {
        daysCounted >= 1 ? Double(falseUrgent.count) / daysCounted * 30 : nil
    }
}

extension String {
    /// A hash that is the same in every run (Swift's `hashValue` is seeded per process), for per-home random streams.
    var hashValueStable: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
