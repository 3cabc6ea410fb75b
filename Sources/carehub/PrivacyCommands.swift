import ArgumentParser
import CareHubCore
import CareHubService
import CareHubStore
import Foundation

struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete stored events older than a number of days (retention); incidents stay.",
        discussion: """
            Events, refused messages and gateway status records received more than DAYS days ago are deleted.
            Incidents and their timelines are the care record and stay. The purge is recorded (who, when, how
            many rows).

            Examples:
              carehub purge --events-older-than 400 --by "Data protection lead" --config /etc/carehub/carehub.yaml
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: ArgumentHelp("Keep this many days of events.", valueName: "days")) var eventsOlderThan: Int
    @OptionGroup var actor: ActorOption

    func validate() throws {
        guard eventsOlderThan >= 1 else { throw ValidationError("--events-older-than must be at least 1 day.") }
    }

    func run() async throws {
        let (db, _) = try database.open(readOnly: false)
        let now = Date()
        let removed = try PrivacyStore(database: db).purge(before: now.addingTimeInterval(-Double(eventsOlderThan) * 86_400), by: actor.by, at: now)
        print("Deleted \(removed) rows received more than \(eventsOlderThan) days ago.")
    }
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print everything held about one home, as JSON (subject access).",
        discussion: """
            With what the hub has learned about the resident's routine (learned_routine: as `homes routine` shows it).

            Examples:
              carehub export --home flat-12 --config /etc/carehub/carehub.yaml > flat-12.json
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: ArgumentHelp("The home.", valueName: "home")) var home: String

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: true)
        // What the hub has inferred about the resident, in words and numbers, beside the rule state it is kept in.
        let learned = try RulesStore(database: db).state(of: home).map {
            LearnedRoutineRecords(home: home, state: $0, settings: configuration.rules.settings(for: home)).jsonText
        }
        print(try PrivacyStore(database: db).export(home: home, also: learned.map { [("learned_routine", $0)] } ?? []))
    }
}

struct EraseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase everything held about one home (right to erasure); leaves an audit entry that it happened.",
        discussion: """
            Irreversible: export first if the record must be kept elsewhere. Needs --yes.

            Examples:
              carehub erase --home flat-12 --by "Data protection lead" --yes --config /etc/carehub/carehub.yaml
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: ArgumentHelp("The home.", valueName: "home")) var home: String
    @OptionGroup var actor: ActorOption
    @Flag(help: "Confirm the erasure.") var yes = false

    func run() async throws {
        guard yes else { throw ValidationError("Erasing \(home) cannot be undone; add --yes to confirm (export it first if it must be kept).") }
        let (db, _) = try database.open(readOnly: false)
        let removed = try PrivacyStore(database: db).erase(home: home, by: actor.by, at: Date())
        print("Erased \(home): \(removed) rows. The erasure is recorded in the audit.")
    }
}
