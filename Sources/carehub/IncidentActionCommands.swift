import ArgumentParser
import CareHubCore
import CareHubRecords
import CareHubService
import CareHubStore
import Foundation

/// `--by NAME`: who is acting, recorded in the audit trail.
struct ActorOption: ParsableArguments {
    @Option(help: ArgumentHelp("Your name, as it should appear in the audit trail.", valueName: "name"))
    var by: String

    func validate() throws {
        let trimmed = by.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 64, !EventDecoder.containsControlCharacter(trimmed) else {
            throw ValidationError("--by must be a name of 1 to 64 printable characters.")
        }
    }
}

struct IncidentsAckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Acknowledge an incident: you are dealing with it.",
        discussion: """
            If someone else acknowledged it first, this says who and when, and exits with status 4.

            Examples:
              carehub incidents ack 42 --by "Sam Patel"
              carehub incidents ack 42 --by "Sam Patel" --note "Calling the resident now"
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOption
    @Argument(help: "The incident's id.") var id: Int64
    @OptionGroup var actor: ActorOption
    @Option(help: ArgumentHelp("A note for the timeline.", valueName: "text")) var note: String?

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: false)
        let record = try IncidentStore(database: db).acknowledge(id, by: actor.by, note: note, at: Date())
        let printer = RecordPrinter(format: output.format, timeZoneIdentifier: configuration.timeZone)
        if printer.format == .table {
            print("Incident \(record.id) (\(record.kind), \(record.home)) acknowledged by \(actor.by).")
        } else {
            printer.printObject(OutputRecord(incident: record, now: printer.now))
        }
    }
}

struct IncidentsResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Resolve an incident with its outcome.",
        discussion: """
            Outcomes: resident_ok, visited, false_alarm, ambulance, device_fault, other.

            Examples:
              carehub incidents resolve 42 --by "Sam Patel" --outcome resident_ok
              carehub incidents resolve 42 --by "Sam Patel" --outcome visited --note "Helped back to bed"
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOption
    @Argument(help: "The incident's id.") var id: Int64
    @OptionGroup var actor: ActorOption
    @Option(help: ArgumentHelp("resident_ok, visited, false_alarm, ambulance, device_fault or other.", valueName: "code"))
    var outcome: String
    @Option(help: ArgumentHelp("A note for the timeline.", valueName: "text")) var note: String?

    static let staffOutcomes = Outcome.staffChoices

    func validate() throws {
        guard let code = Outcome(rawValue: outcome), Self.staffOutcomes.contains(code) else {
            throw ValidationError("Unknown outcome \"\(outcome)\"; use one of \(Self.staffOutcomes.map(\.rawValue).joined(separator: ", ")).")
        }
    }

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: false)
        let code = Outcome(rawValue: outcome) ?? .other
        let record = try IncidentStore(database: db).resolve(id, by: actor.by, outcome: code, note: note, at: Date())
        let printer = RecordPrinter(format: output.format, timeZoneIdentifier: configuration.timeZone)
        if printer.format == .table {
            print("Incident \(record.id) (\(record.kind), \(record.home)) resolved by \(actor.by): \(code.rawValue).")
        } else {
            printer.printObject(OutputRecord(incident: record, now: printer.now))
        }
    }
}
