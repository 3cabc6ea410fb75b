import CareHubCore
import Foundation

/// Per-home thresholds a lead may choose for a home that the defaults raise too often: the latest `not_up` check, the
/// bathroom minutes, the daytime inactivity hours. For each, the home's own stored events of the last days are replayed
/// through the fixed rules (the thresholds are the ceilings a learned routine raises under) at later and later values,
/// and the first that would have raised the kind at most once a month is suggested, with the counts behind it.
///
/// The hub never applies a suggestion itself: a person who knows the resident decides, edits the home's `rules:` in the
/// configuration, and can try the result first with `carehub rules whatif`. No looser threshold is suggested for a kind
/// that was a real emergency in the period (`Outcome.ambulance`, `.visited` or `.other`).
public struct ThresholdSuggester: Sendable {
    /// One of the thresholds a suggestion may move, with its ladder: from the current value up in `step`s to `ceiling`.
    public enum Threshold: CaseIterable, Sendable {
        case notUpCheck, bathroomMinutes, inactivityInWindowHours

        public var kind: IncidentKind {
            switch self {
            case .notUpCheck: .notUp
            case .bathroomMinutes: .bathroomLong
            case .inactivityInWindowHours: .inactivity
            }
        }

        /// The setting's name in the configuration's `rules:`.
        public var key: String {
            switch self {
            case .notUpCheck: "not_up_check"
            case .bathroomMinutes: "bathroom_minutes"
            case .inactivityInWindowHours: "inactivity_in_window_hours"
            }
        }

        /// The value in minutes (of the day, for `not_up_check`).
        func minutes(in settings: RuleSettings) -> Int {
            switch self {
            case .notUpCheck: settings.notUpCheck
            case .bathroomMinutes: Int(settings.bathroomAfter / 60)
            case .inactivityInWindowHours: Int(settings.inactivityInWindow / 60)
            }
        }

        func set(_ minutes: Int, in settings: inout RuleSettings) {
            switch self {
            case .notUpCheck: settings.notUpCheck = minutes
            case .bathroomMinutes: settings.bathroomAfter = TimeInterval(minutes * 60)
            case .inactivityInWindowHours: settings.inactivityInWindow = TimeInterval(minutes * 60)
            }
        }

        /// Steps and the last value ever suggested: past noon a resident is not "not up" but unwell; two hours in the
        /// bathroom or eight hours without a movement by day are past what any routine explains.
        var step: Int { self == .bathroomMinutes ? 5 : self == .notUpCheck ? 15 : 30 }
        var ceiling: Int {
            switch self {
            case .notUpCheck: 12 * 60
            case .bathroomMinutes: 120
            case .inactivityInWindowHours: 8 * 60
            }
        }

        /// The value as the configuration writes it: "11:15", "60", "4.5".
        public func text(_ minutes: Int) -> String {
            switch self {
            case .notUpCheck: LocalWindow.format(minutes)
            case .bathroomMinutes: String(minutes)
            case .inactivityInWindowHours: minutes % 60 == 0 ? String(minutes / 60) : String(format: "%.1f", Double(minutes) / 60)
            }
        }
    }

    /// What the replays say of one threshold.
    public struct Suggestion: Sendable {
        public var threshold: Threshold
        public var current: String
        /// The suggested value in minutes (of the day, for `not_up_check`); nil when no change is suggested (`reason`
        /// says why).
        public var suggestedMinutes: Int?
        /// The suggested value as the configuration writes it.
        public var suggested: String? { suggestedMinutes.map(threshold.text) }
        /// Times the kind would have been raised over the period with the current value, and with the suggested one.
        public var raisedNow: Int
        public var raisedSuggested: Int?
        public var reason: String
    }

    public let home: String
    public let settings: RuleSettingsBook
    public let days: Int
    /// Kinds that were a real emergency in the period: never loosened.
    public let emergencies: Set<IncidentKind>
    /// The incidents the period would have raised for the home with these settings, by kind: a replay of its events.
    let raisedOverPeriod: @Sendable (RuleSettingsBook) throws -> [IncidentKind: Int]

    public init(home: String, settings: RuleSettingsBook, days: Int, emergencies: Set<IncidentKind>,
                raised: @escaping @Sendable (RuleSettingsBook) throws -> [IncidentKind: Int]) {
        self.home = home
        self.settings = settings
        self.days = days
        self.emergencies = emergencies
        raisedOverPeriod = raised
    }

    /// A suggester over `lines`, the home's stored events of the `days` up to `until`, replayed with `Replayer`.
    public init(home: String, settings: RuleSettingsBook, lines: [ReplayLine], until: Date, days: Int, emergencies: Set<IncidentKind>) {
        self.init(home: home, settings: settings, days: days, emergencies: emergencies) { book in
            var counts: [IncidentKind: Int] = [:]
            for raise in try Replayer(store: nil, settings: book, clockSkew: .replay).run(lines, until: until).raised {
                counts[raise.kind, default: 0] += 1
            }
            return counts
        }
    }

    /// At most this many raises of a kind over the period are left alone: one a month.
    public var allowed: Int { max(1, days / 30) }

    /// One suggestion (or the reason for none) per threshold, and the urgent incidents the period would have had with
    /// the current settings and with every suggestion taken.
    public func suggest() throws -> (suggestions: [Suggestion], urgentNow: Int, urgentSuggested: Int) {
        var fixed = settings.settings(for: home)
        fixed.routineMode = .fixed
        let now = try raised(with: fixed)
        let suggestions = try Threshold.allCases.map { threshold in
            try suggestion(for: threshold, base: fixed, raisedNow: now[threshold.kind, default: 0])
        }
        let urgent = { (counts: [IncidentKind: Int]) in counts.filter { $0.key.defaultPriority == .urgent }.values.reduce(0, +) }
        return (suggestions, urgent(now), urgent(try raised(with: Self.taking(suggestions, into: fixed))))
    }

    private func suggestion(for threshold: Threshold, base: RuleSettings, raisedNow: Int) throws -> Suggestion {
        let current = threshold.minutes(in: base)
        var suggestion = Suggestion(threshold: threshold, current: threshold.text(current), raisedNow: raisedNow, reason: "")
        if raisedNow <= allowed {
            suggestion.reason = raisedNow == 0 ? "Not raised in \(days) days." : "Raised \(Self.times(raisedNow)) in \(days) days: no change needed."
            return suggestion
        }
        if emergencies.contains(threshold.kind) {
            suggestion.reason = "Raised \(Self.times(raisedNow)) in \(days) days, but one was a real emergency: no looser threshold is suggested."
            return suggestion
        }
        let ladder = Array(stride(from: current + threshold.step, through: threshold.ceiling, by: threshold.step))
        // The fewest raises fall as the threshold rises: a binary search finds the first value within the allowance.
        var (low, high) = (0, ladder.count)
        var counts: [Int: Int] = [:]
        while low < high {
            let middle = (low + high) / 2
            var candidate = base
            threshold.set(ladder[middle], in: &candidate)
            let count = try raised(with: candidate)[threshold.kind, default: 0]
            counts[middle] = count
            if count <= allowed { high = middle } else { low = middle + 1 }
        }
        guard low < ladder.count, let count = counts[low] else {
            suggestion.reason = "Raised \(Self.times(raisedNow)) in \(days) days, and still more than \(Self.times(allowed)) at "
                + "\(threshold.text(threshold.ceiling)): check the sensors and where the resident spends that time before changing it."
            return suggestion
        }
        suggestion.suggestedMinutes = ladder[low]
        suggestion.raisedSuggested = count
        suggestion.reason = "Raised \(Self.times(raisedNow)) in \(days) days; \(threshold.text(ladder[low])) would have raised it "
            + "\(Self.times(count))."
        return suggestion
    }

    /// Incidents raised for this home over the period with `homeSettings`, by kind.
    private func raised(with homeSettings: RuleSettings) throws -> [IncidentKind: Int] {
        var book = settings
        book.homes[home] = homeSettings
        return try raisedOverPeriod(book)
    }

    /// `settings` with `suggestions` taken.
    public static func taking(_ suggestions: [Suggestion], into settings: RuleSettings) -> RuleSettings {
        var taken = settings
        for suggestion in suggestions {
            if let minutes = suggestion.suggestedMinutes { suggestion.threshold.set(minutes, in: &taken) }
        }
        return taken
    }

    private static func times(_ count: Int) -> String { count == 1 ? "once" : count == 0 ? "not once" : "\(count) times" }
}
