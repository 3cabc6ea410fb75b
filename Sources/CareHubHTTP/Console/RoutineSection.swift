import CareHubCore
import Foundation

/// A home's learned routine on its page, as `carehub homes routine` shows it: whether it is used yet, the home's usual
/// day, how long it is normally quiet in each place and part of the day (and after how long the rules raise), and each
/// trend's measure this week against the weeks before.
struct RoutineSection {
    let summary: RoutineSummary
    let settings: RuleSettings

    init(state: HomeRuleState?, settings: RuleSettings) {
        self.summary = RoutineSummary(state: state ?? HomeRuleState(firstSeenAt: 0), settings: settings)
        self.settings = settings
    }

    var html: String {
        [status, usualDay, quiet, trends].joined(separator: "\n")
    }

    /// One sentence: in use, still learning, or off.
    var status: String {
        let sentence: String
        switch (summary.mode, summary.isUsed) {
        case (.fixed, _):
            sentence = "Off: this home is on the fixed thresholds (routine_mode: fixed)."
        case (.learned, true):
            sentence = "In use: learned over \(summary.learnedDays) days. A daytime quiet far longer than this home is ever quiet "
                + "there is raised sooner than the fixed thresholds would, never later."
        case (.learned, false):
            sentence = "Learning: \(summary.learnedDays) of \(settings.learningDays) days so far; the fixed thresholds apply until then."
        }
        return "<p data-field=\"routine-status\">\(HTML.escape(sentence))</p>"
    }

    var usualDay: String {
        func time(_ minute: Double?) -> String { minute.map { LocalWindow.format(Int($0)) } ?? "not seen yet" }
        func number(_ value: Double?, _ unit: String) -> String {
            value.map { String(format: "%.1f", $0) + " " + unit } ?? "not counted yet"
        }
        let bed = summary.bedMinutesPerDay.map { "\(Int($0) / 60) h \(Int($0) % 60) min" } ?? "no bed sensor reading"
        let settled = summary.usualBedtimeMinute.map { LocalWindow.format($0) } ?? "not seen (no bed pad)"
        let check = summary.learnedNotInBedMinute.map { "; checked at \(LocalWindow.format($0)) when not in bed and quiet" } ?? ""
        return """
            <dl><dt>Usually up and about at</dt><dd>\(time(summary.usualWakeMinute))</dd>
            <dt>Usually in bed for the night by</dt><dd data-field="usual-bedtime">\(HTML.escape(settled + check))</dd>
            <dt>Night toilet visits</dt><dd>\(number(summary.nightVisitsPerNight, "a night"))</dd>
            <dt>Activity</dt><dd>\(number(summary.activityPerDay, "a day"))</dd>
            <dt>Time in bed</dt><dd>\(bed)</dd></dl>
            """
    }

    var quiet: String {
        guard !summary.contexts.isEmpty else {
            return "<p>How long it is normally quiet: not learned yet (a place and part of the day needs 20 quiets).</p>"
        }
        let rows = summary.contexts.map { entry in
            let judgement = entry.judgement
            return """
                <tr><td data-label="When">\(HTML.escape(entry.context.place.phrase + " " + entry.context.part.phrase))</td>
                <td data-label="Usually under">\(Self.minutes(judgement.usualMinutes))</td>
                <td data-label="Longest seen">\(Self.minutes(judgement.longestMinutes))</td>
                <td data-label="Raised after">\(Self.minutes(judgement.raisedAfterMinutes(in: entry.context, settings: settings)))</td>
                <td data-label="Quiets learned">\(Int(judgement.quiets.rounded()))</td></tr>
                """
        }
        return HomePageSections.table(
            caption: "How long this home is normally quiet, by place and part of the day; raised after that long, or at the "
                + "fixed threshold if sooner",
            headers: ["When", "Usually under", "Longest seen", "Raised after", "Quiets learned"], rows: rows)
    }

    var trends: String {
        guard !summary.trends.isEmpty else {
            return "<p>Trends: after 21 counted days (\(summary.daysCounted) so far).</p>"
        }
        let rows = summary.trends.map { measure in
            let isTime = measure.trend == .risingLater
            func value(_ number: Double) -> String {
                isTime ? (number > 0 ? LocalWindow.format(Int(number)) : "not seen") : String(format: "%.1f", number)
            }
            return """
                <tr><td data-label="Measure">\(HTML.escape(measure.trend.measureName))</td><td data-label="Last 7 days">\(value(measure.thisWeek))</td>
                <td data-label="The weeks before">\(value(measure.before))</td>
                <td data-label="Flagged">\(measure.finding.map { "<strong>\(HTML.escape($0))</strong>" } ?? "no")</td></tr>
                """
        }
        return HomePageSections.table(caption: "Trends: the last 7 days against the weeks before",
                                      headers: ["Measure", "Last 7 days", "The weeks before", "Flagged"], rows: rows)
    }

    /// Minutes as `40 min` or `2 h 5 min`.
    static func minutes(_ value: Double) -> String {
        let total = Int(value.rounded())
        return total < 60 ? "\(total) min" : "\(total / 60) h \(total % 60) min"
    }
}
