import CareHubCore
import CareHubRecords

/// What a home's learned routine knows, as `homes routine` prints it and `export` gives it: the usual day, how long the
/// home is normally quiet in each context, and the trends.
struct LearnedRoutineRecords {
    let routine: OutputRecord
    let quiet: [OutputRecord]
    let trends: [OutputRecord]

    init(home: String, state: HomeRuleState, settings: RuleSettings) {
        let summary = RoutineSummary(state: state, settings: settings)
        func minutes(_ value: Double?) -> OutputValue { value.map { .text(LocalWindow.format(Int($0))) } ?? .null }
        func number(_ value: Double?) -> OutputValue { value.map { .number(($0 * 10).rounded() / 10) } ?? .null }
        routine = OutputRecord(fields: [
            ("home", .text(home)), ("mode", .text(summary.mode.rawValue)), ("learned_days", .integer(Int64(summary.learnedDays))),
            ("used", .boolean(summary.isUsed)), ("days_counted", .integer(Int64(summary.daysCounted))),
            ("usually_up_at", minutes(summary.usualWakeMinute)),
            ("not_up_checked_at", minutes(Double(summary.learnedNotUpMinute ?? settings.notUpCheck))),
            ("not_up_check_learned", .boolean(summary.learnedNotUpMinute != nil)),
            ("usually_in_bed_by", minutes(summary.usualBedtimeMinute.map(Double.init))),
            ("not_in_bed_checked_at", minutes(summary.learnedNotInBedMinute.map(Double.init))),
            ("night_visits_a_night", number(summary.nightVisitsPerNight)),
            ("activity_a_day", number(summary.activityPerDay)), ("minutes_in_bed_a_day", number(summary.bedMinutesPerDay)),
        ])
        quiet = summary.contexts.map { entry in
            OutputRecord(fields: [
                ("place", .text("\(entry.context.place)")), ("part_of_day", .text("\(entry.context.part)")),
                ("quiets", .integer(Int64(entry.judgement.quiets.rounded()))), ("usually_under_min", .integer(Int64(entry.judgement.usualMinutes.rounded()))),
                ("longest_min", .integer(Int64(entry.judgement.longestMinutes.rounded()))),
                ("raised_after_min", .integer(Int64(entry.judgement.raisedAfterMinutes(in: entry.context, settings: settings).rounded()))),
            ])
        }
        trends = summary.trends.map(TrendRecord.make)
    }

    /// `{"routine": {…}, "quiet": […], "trends": […]}`.
    var jsonText: String {
        JSONText.object([("routine", routine.jsonText), ("quiet", "[" + quiet.map(\.jsonText).joined(separator: ",") + "]"),
                         ("trends", "[" + trends.map(\.jsonText).joined(separator: ",") + "]")])
    }
}
