import ArgumentParser
import CareHubCore
import CareHubRecords
import CareHubService
import CareHubStore
import Foundation

struct HomesRoutineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routine",
        abstract: "What the home's learned routine knows: its usual day, how long it is normally quiet, its trends.",
        discussion: """
            As the rules service last saved it (every few seconds while it runs). Quiet limits are per place and part of the
            day; a context shows once it has 20 quiets. The routine is used once it has learned 7 days (learning_days).

            Examples:
              carehub homes routine flat-12
              carehub homes routine flat-12 --format json
            """)
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOption
    @Argument(help: "The home.") var home: String

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: true)
        try HomeQueries(database: db).requireKnown(home)
        let settings = configuration.rules.settings(for: home)
        guard let state = try RulesStore(database: db).state(of: home) else {
            throw CLIFailure("\(home) has no rule state yet: the rules service saves it once it has seen the home's events.")
        }
        let records = LearnedRoutineRecords(home: home, state: state, settings: settings)
        let printer = RecordPrinter(format: output.format, timeZoneIdentifier: settings.timeZone)
        if printer.format == .json {
            print(records.jsonText)
            return
        }
        printer.printObject(records.routine)
        print("\nHow long this home is normally quiet (minutes; raised after: before the fixed thresholds' ceiling, in the day window;"
              + " after the front door, not before learned_entrance_floor_minutes)")
        printer.printList(records.quiet, empty: "(not learned yet: fewer than 20 quiets in every context)")
        print("\nTrends: the last 7 days against the weeks before")
        printer.printList(records.trends, empty: "(fewer than 21 days counted)")
    }
}

struct HomesRelearnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relearn",
        abstract: "Start the home's learned routine again (after a hospital stay, a move, new sensors).",
        discussion: """
            The rules service forgets what the home learned and counted; the fixed thresholds apply until it has learned
            7 days again. Recorded in the audit trail.

            Example:
              carehub homes relearn flat-12 --by "j.smith"
            """)
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The home.") var home: String
    @OptionGroup var actor: ActorOption

    func run() async throws {
        let (db, _) = try database.open(readOnly: false)
        try HomeQueries(database: db).requireKnown(home)
        try HomeModeStore(database: db).relearn(home: home, by: actor.by, at: Date())
        print("\(home): learning its routine again; the fixed thresholds apply until 7 days are learned.")
    }
}

/// One trend's row: its measure this week and before, and what it raised (if it would now).
enum TrendRecord {
    static func make(_ measure: RoutineSummary.TrendMeasure) -> OutputRecord {
        let isTime = measure.trend == .risingLater
        func value(_ number: Double) -> OutputValue {
            isTime ? (number > 0 ? .text(LocalWindow.format(Int(number))) : .null) : .number((number * 10).rounded() / 10)
        }
        return OutputRecord(fields: [
            ("trend", .text(measure.trend.kind.rawValue)), ("measure", .text(measure.trend.measureName)),
            ("this_week", value(measure.thisWeek)), ("before", value(measure.before)),
            ("flagged", .boolean(measure.finding != nil)),
        ])
    }
}
