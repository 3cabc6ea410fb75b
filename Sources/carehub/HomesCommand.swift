import ArgumentParser
import CareHubCore
import CareHubRecords
import CareHubService
import CareHubStore
import Foundation

struct HomesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "homes",
        abstract: "Homes at a glance, and pausing their inactivity rules (away, visit).",
        discussion: """
            Away and visit pause the inactivity-type rules (inactivity, not up, out of bed, bathroom, fridge) and
            no_data. Alarms (pendant, fall, smoke, CO, flood) and a door opened at night are never paused.

            Examples:
              carehub homes list
              carehub homes show flat-12
              carehub homes away flat-12 --until 2026-12-27T12:00:00Z --by "Sam Patel"
              carehub homes visit flat-12 --for 90m --by "Carer Jo"
              carehub homes back flat-12 --by "Sam Patel"
            """,
        subcommands: [HomesListCommand.self, HomesShowCommand.self, HomesAwayCommand.self, HomesVisitCommand.self, HomesBackCommand.self, HomesRoutineCommand.self, HomesSuggestCommand.self, HomesRelearnCommand.self]
    )
}

struct HomesAwayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "away", abstract: "The resident is away (holiday, hospital) until a date.")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The home.") var home: String
    @Option(help: ArgumentHelp("When the resident is expected back (RFC 3339).", valueName: "time")) var until: String
    @OptionGroup var actor: ActorOption

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: false)
        guard let end = TimeArgument.parseFuture(until, timeZone: configuration.rules.settings(for: home).timeZone), end > Date() else {
            throw ValidationError("--until \"\(until)\" must be a time in the future: 2026-12-27, 2026-12-27T12:00 (local) or 2026-12-27T12:00:00Z.")
        }
        try HomeModeStore(database: db).set(home: home, holidayUntil: end, visitUntil: nil, by: actor.by, at: Date())
        print("\(home): away until \(RFC3339.format(end)); inactivity rules paused, alarms still raised.")
    }
}

struct HomesVisitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "visit", abstract: "A visit is in progress: pause inactivity rules for a while (at most 12 h).")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The home.") var home: String
    @Option(name: .customLong("for"), help: ArgumentHelp("How long: 45m, 2h (at most 12h).", valueName: "duration")) var duration: String
    @OptionGroup var actor: ActorOption

    func run() async throws {
        guard let seconds = TimeArgument.duration(duration), seconds > 0, seconds <= 12 * 3600 else {
            throw ValidationError("--for \"\(duration)\" must be a duration such as 45m, 2h or 1h30m, at most 12h.")
        }
        let (db, _) = try database.open(readOnly: false)
        let end = Date().addingTimeInterval(seconds)
        try HomeModeStore(database: db).set(home: home, holidayUntil: nil, visitUntil: end, by: actor.by, at: Date())
        print("\(home): visit in progress until \(RFC3339.format(end)); inactivity rules paused, alarms still raised.")
    }
}

struct HomesBackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "back", abstract: "End an away or visit now.")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The home.") var home: String
    @OptionGroup var actor: ActorOption

    func run() async throws {
        let (db, _) = try database.open(readOnly: false)
        try HomeModeStore(database: db).set(home: home, holidayUntil: nil, visitUntil: nil, by: actor.by, at: Date())
        print("\(home): rules active again.")
    }
}

struct HomesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Every home: at home or away, last activity and where, open incidents, device health.",
        discussion: "Examples:\n  carehub homes list\n  carehub homes list --format csv")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOption

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: true)
        let printer = RecordPrinter(format: output.format, timeZoneIdentifier: configuration.timeZone)
        printer.printList(try HomeQueries(database: db).list().map(OutputRecord.init(home:)),
                          columns: ["home", "status", "last_activity_at", "last_activity_room", "open_incidents", "devices", "devices_low_battery",
                                    "devices_offline", "gateway"],
                          empty: "No homes yet.")
    }
}

struct HomesShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "One home in detail.", discussion: "Examples:\n  carehub homes show flat-12")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOption
    @Argument(help: "The home.") var home: String

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: true)
        let printer = RecordPrinter(format: output.format, timeZoneIdentifier: configuration.rules.settings(for: home).timeZone)
        printer.printObject(OutputRecord(home: try HomeQueries(database: db).show(home)))
        if printer.format == .table {
            let open = try IncidentQueries(database: db).list(IncidentFilter(home: home))
            print("\nOpen incidents")
            printer.printList(open.map { OutputRecord(incident: $0, now: printer.now) }, columns: ["id", "priority", "kind", "state", "age", "summary"],
                              empty: "(none)")
        }
    }
}
