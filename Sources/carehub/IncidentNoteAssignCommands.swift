import ArgumentParser
import CareHubCore
import CareHubRecords
import CareHubService
import CareHubStore
import Foundation

extension Priority: ExpressibleByArgument {}

struct IncidentsNoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "note",
        abstract: "Add a note to an incident's timeline.",
        discussion: """
            Examples:
              carehub incidents note 42 --by "Sam Patel" --text "Daughter on her way, ETA 20 min"
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The incident's id.") var id: Int64
    @OptionGroup var actor: ActorOption
    @Option(help: ArgumentHelp("The note.", valueName: "text")) var text: String

    func validate() throws {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty, text.count <= 2000 else {
            throw ValidationError("--text must be 1 to 2000 characters.")
        }
    }

    func run() async throws {
        let (db, _) = try database.open(readOnly: false)
        let record = try IncidentStore(database: db).note(id, by: actor.by, text: text, at: Date())
        print("Note added to incident \(record.id) (\(record.kind), \(record.home)).")
    }
}

struct IncidentsAssignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Assign an incident to a named person.",
        discussion: """
            Examples:
              carehub incidents assign 42 --to "Jo Evans" --by "Sam Patel"
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The incident's id.") var id: Int64
    @Option(help: ArgumentHelp("Who takes it.", valueName: "name")) var to: String
    @OptionGroup var actor: ActorOption

    func validate() throws {
        guard !to.trimmingCharacters(in: .whitespaces).isEmpty, to.count <= 64 else { throw ValidationError("--to must be a name of 1 to 64 characters.") }
    }

    func run() async throws {
        let (db, _) = try database.open(readOnly: false)
        let record = try IncidentStore(database: db).assign(id, to: to, by: actor.by, at: Date())
        print("Incident \(record.id) (\(record.kind), \(record.home)) assigned to \(to).")
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The audit trail: every action on incidents and on the data, with who and when.",
        subcommands: [AuditListCommand.self]
    )
}

struct AuditListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List audited actions, oldest first.",
        discussion: """
            Examples:
              carehub audit list --home flat-12 --since 7d
              carehub audit list --since 2026-11-01 --format csv
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp("Only this home.", valueName: "home")) var home: String?
    @Option(help: ArgumentHelp("Since a time, a date or an age (7d).", valueName: "time")) var since: String?
    @Option(help: "At most this many entries.") var limit: Int = 1000

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: true)
        let sinceDate = try TimeArgument.since(since, timeZone: configuration.timeZone)
        let entries = try AuditQueries(database: db).list(home: home, since: sinceDate, limit: limit)
        let printer = RecordPrinter(format: output.format, timeZoneIdentifier: configuration.timeZone)
        printer.printList(entries.map { entry in
            OutputRecord(fields: [
                ("at", .time(entry.at)), ("actor", .text(entry.actor)), ("os_user", .optionalText(entry.osUser)), ("action", .text(entry.action)), ("home", .optionalText(entry.home)),
                ("incident", entry.incident.map(OutputValue.integer) ?? .null), ("kind", .optionalText(entry.kind)), ("note", .optionalText(entry.note)),
            ])
        }, empty: "No audited actions match.")
    }
}
