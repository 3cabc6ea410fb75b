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
    public func evaluate(_ lines: [ReplayLine]) -> [HomeEvaluation] {
        let decoder = EventDecoder(clockSkew: ClockSkewPolicy(maximumAhead: 300, maximumBehind: 3650 * 86_400))
        var byHome: [String: [EvaluationInput]] = [:]
        for line in Replayer.sortedByTime(lines) {
            switch decoder.decode(topic: line.topic, payload: line.payload, receivedAt: Date(millisecondsSince1970: line.time)) {
            case .event(let event):
                byHome[event.home, default: []].append(EvaluationInput(time: line.time, message: .event(event)))
            case .gatewayStatus(let home, let state):
                byHome[home, default: []].append(EvaluationInput(time: line.time, message: .gateway(home: home, state: state)))
            case .refused:
                continue
            }
        }
        return byHome.keys.sorted().flatMap { home -> [HomeEvaluation] in
            let recorded = byHome[home] ?? []
            let timeline = (recorded + LivenessSynthesis().liveness(for: recorded)).enumerated()
                .sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
            return evaluate(home: home, timeline: timeline)
        }
    }

    private func evaluate(home: String, timeline: [EvaluationInput]) -> [HomeEvaluation] {
        guard let first = timeline.first?.time, let last = timeline.last?.time else { return [] }
        // The learned run first: it says when the routine was learned, and which minutes the resident was at home.
        let survey = HomeSurvey(home: home, settings: settings.withRoutineMode(.learned), daytime: daytime)
        let surveyed = survey.run(timeline)
        var generator = SplitMix64(seed: seed ^ UInt64(truncatingIfNeeded: home.hashValueStable))
        let cuts = surveyed.atHomeMinutes.sampled(collapses, using: &generator).sorted()
        return RoutineMode.allCases.map { mode in
            var run = CollapseRun(home: home, settings: settings.withRoutineMode(mode), detectionLimit: detectionLimit)
            let outcome = run.run(timeline, cuts: cuts, countFrom: surveyed.learnedAt)
            return HomeEvaluation(home: home, mode: mode, first: Date(millisecondsSince1970: first), last: Date(millisecondsSince1970: last),
                                  learnedAt: surveyed.learnedAt.map(Date.init(millisecondsSince1970:)), falseUrgent: outcome.falseUrgent,
                                  delays: outcome.delays, trends: outcome.trends)
        }
    }
}

/// What `Evaluator` found for one home in one mode.
public struct HomeEvaluation: Sendable {
    public var home: String
    public var mode: RoutineMode
    public var first: Date
    public var last: Date
    /// When the home's routine had been learned (`RuleSettings.learningDays`); false alarms count from here.
    public var learnedAt: Date?
    /// Urgent incidents raised after `learnedAt` in the uncut recording, with their kinds.
    /// Each false alarm's kind, time and what it said (its explanation, for a learned one).
    public var falseUrgent: [(kind: IncidentKind, at: Date, summary: String)]
    /// Per simulated collapse, the seconds from the cut to the first urgent incident, or nil when none came.
    public var delays: [Double?]
    /// Trend incidents raised over the recording (routine priority), with what each said.
    public var trends: [(kind: IncidentKind, at: Date, summary: String)]

    /// Days the false-alarm count covers.
    public var daysCounted: Double {
        guard let learnedAt else { return 0 }
        return max(0, last.timeIntervalSince(learnedAt) / 86_400)
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
