import CareHubCore
import Foundation

/// One mode's pass of an evaluation: the recording as it is (its urgent incidents after learning are false alarms),
/// and at each cut a copy of the rules carried on with the installation's liveness alone, until the first urgent
/// incident (the collapse detected) or `detectionLimit`.
struct CollapseRun {
    var home: String
    var settings: RuleSettingsBook
    var detectionLimit: Int64

    struct Outcome {
        var falseUrgent: [(kind: IncidentKind, at: Date, summary: String)] = []
        /// Trend incidents (`RoutineTrend`) raised in the recording's span, with their summaries.
        var trends: [(kind: IncidentKind, at: Date, summary: String)] = []
        var delays: [Double?] = []
        /// Per collapse (as `delays`), the urgent incident that found it and what it said; nil when none came.
        var detections: [Detection?] = []
    }

    /// The urgent incident that found a simulated collapse (or was open already when it happened).
    struct Detection {
        var kind: IncidentKind
        var summary: String
    }

    /// The urgent incidents open now, by kind (one per kind and home: repeats join the open one).
    private var open: Set<IncidentKind> = []

    init(home: String, settings: RuleSettingsBook, detectionLimit: Int64) {
        self.home = home
        self.settings = settings
        self.detectionLimit = detectionLimit
    }

    /// Runs the recording, counting urgent incidents raised from `learnedAt` up to its last line (after it the recording
    /// says nothing: a silence then is the end of the file, not of the resident's activity).
    mutating func run(_ timeline: [EvaluationInput], cuts: [Int64], countFrom learnedAt: Int64?) -> Outcome {
        let countUntil = timeline.last?.time ?? .max
        var loop = RulesLoop(settings: settings)
        var outcome = Outcome()
        var nextCut = cuts.startIndex
        func note(_ commands: [IncidentCommand]) {
            for command in commands {
                switch command {
                case .raise(let draft) where RoutineTrend.kinds.contains(draft.kind):
                    if draft.at.millisecondsSince1970 <= countUntil { outcome.trends.append((draft.kind, draft.at, draft.summary)) }
                case .raise(let draft) where draft.kind.defaultPriority == .urgent:
                    // Two comparisons, not a range: a period that begins after the recording's last line (a review in a long
                    // gap in the data) counts nothing, where `learnedAt...countUntil` would trap.
                    if open.insert(draft.kind).inserted, let learnedAt, draft.at.millisecondsSince1970 >= learnedAt,
                       draft.at.millisecondsSince1970 <= countUntil {
                        outcome.falseUrgent.append((draft.kind, draft.at, draft.summary))
                    }
                case .resolve(_, let kind, _, _, _):
                    open.remove(kind)
                default:
                    break
                }
            }
        }
        for (index, input) in timeline.enumerated() {
            while nextCut < cuts.endIndex, cuts[nextCut] <= input.time {
                loop.fireDeadlines(before: cuts[nextCut]) { note($0.commands) }
                let found = detect(from: loop, cut: cuts[nextCut], liveness: timeline[index...])
                outcome.delays.append(found?.seconds)
                outcome.detections.append(found?.detection)
                nextCut += 1
            }
            loop.fireDeadlines(before: input.time) { note($0.commands) }
            note(loop.feed(input))
        }
        return outcome
    }

    /// Seconds from `cut` to the first urgent incident when only liveness goes on after it, and that incident; 0 when one
    /// is open already.
    private func detect(from state: RulesLoop, cut: Int64, liveness following: ArraySlice<EvaluationInput>)
        -> (seconds: Double, detection: Detection)? {
        if let kind = open.min(by: { $0.rawValue < $1.rawValue }) { return (0, Detection(kind: kind, summary: "open when the collapse began")) }
        var loop = state
        let limit = cut + detectionLimit
        var detectedAt: Int64?
        var detection: Detection?
        func look(_ commands: [IncidentCommand], at instant: Date) {
            guard detectedAt == nil else { return }
            for case .raise(let draft) in commands where draft.kind.defaultPriority == .urgent {
                detectedAt = instant.millisecondsSince1970
                detection = Detection(kind: draft.kind, summary: draft.summary)
                return
            }
        }
        for input in following where input.isLiveness {
            if input.time > limit || detectedAt != nil { break }
            loop.fireDeadlines(before: input.time) { look($0.commands, at: $0.at) }
            if detectedAt != nil { break }
            look(loop.feed(input), at: Date(millisecondsSince1970: input.time))
        }
        if detectedAt == nil { loop.fireDeadlines(through: limit) { look($0.commands, at: $0.at) } }
        guard let detectedAt, let detection else { return nil }
        return (Double(detectedAt - cut) / 1000, detection)
    }
}
