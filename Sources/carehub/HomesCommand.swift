import ArgumentParser
import CareHubCore
import CareHubService
import CareHubStore
import Foundation

struct HomesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "homes",
        abstract: "Pause a home's inactivity rules: away on holiday, or a visit in progress.",
        discussion: """
            Away and visit pause the inactivity-type rules (inactivity, not up, out of bed, bathroom, fridge) and
            no_data. Alarms (pendant, fall, smoke, CO, flood) and a door opened at night are never paused.

            Examples:
              carehub homes away flat-12 --until 2026-12-27T12:00:00Z --by "Sam Patel"
              carehub homes visit flat-12 --for 90m --by "Carer Jo"
              carehub homes back flat-12 --by "Sam Patel"
            """,
        subcommands: [HomesAwayCommand.self, HomesVisitCommand.self, HomesBackCommand.self]
    )
}

struct HomesAwayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "away", abstract: "The resident is away (holiday, hospital) until a date.")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The home.") var home: String
    @Option(help: ArgumentHelp("When the resident is expected back (RFC 3339).", valueName: "time")) var until: String
    @OptionGroup var actor: ActorOption

    func run() async throws {
        guard let end = RFC3339.parse(until), end > Date() else {
            throw CLIFailure("--until \"\(until)\" must be an RFC 3339 time in the future, such as 2026-12-27T12:00:00Z.")
        }
        let (db, _) = try database.open(readOnly: false)
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
        let units: [Character: TimeInterval] = ["m": 60, "h": 3600]
        guard let unit = duration.last.flatMap({ units[$0] }), let amount = Double(duration.dropLast()), amount > 0, amount * unit <= 12 * 3600 else {
            throw CLIFailure("--for \"\(duration)\" must be a duration such as 45m or 2h, at most 12h.")
        }
        let (db, _) = try database.open(readOnly: false)
        let end = Date().addingTimeInterval(amount * unit)
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
