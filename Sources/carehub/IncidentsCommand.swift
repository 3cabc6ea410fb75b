import ArgumentParser
import CareHubCore
import CareHubRecords
import CareHubService
import CareHubStore
import Foundation

struct IncidentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incidents",
        abstract: "Review, acknowledge and resolve incidents.",
        subcommands: [
            IncidentsListCommand.self, IncidentsShowCommand.self, IncidentsAckCommand.self, IncidentsResolveCommand.self,
            IncidentsNoteCommand.self, IncidentsAssignCommand.self,
        ]
    )
}

/// `--state open|acknowledged|resolved|all`.
enum StateFilter: String, ExpressibleByArgument, CaseIterable {
    case open, acknowledged, resolved, active, all

    var states: [IncidentState]? {
        switch self {
        case .open: [.open]
        case .acknowledged: [.acknowledged]
        case .resolved: [.resolved]
        case .active: [.open, .acknowledged]
        case .all: nil
        }
    }
}

struct IncidentsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List incidents, most urgent and oldest first.",
        discussion: """
            By default lists the incidents that still need someone: open and acknowledged.

            Examples:
              carehub incidents list
              carehub incidents list --state all --home flat-12
              carehub incidents list --kind pendant --format json
              carehub incidents list --priority emergency --assignee "Sam Patel" --since 8h
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOption

    @Option(help: "open, acknowledged, resolved, active (open and acknowledged; the default) or all.")
    var state: StateFilter = .active

    @Option(help: ArgumentHelp("Only this home.", valueName: "home"))
    var home: String?

    @Option(help: ArgumentHelp("Only this kind, e.g. pendant, fall, inactivity.", valueName: "kind"))
    var kind: String?

    @Option(help: "Only this priority: emergency, urgent, routine or technical.")
    var priority: Priority?

    @Option(help: ArgumentHelp("Only incidents assigned to this person.", valueName: "name"))
    var assignee: String?

    @Option(help: ArgumentHelp("Only incidents opened since: a time, a date or an age (2h, 3d).", valueName: "time"))
    var since: String?

    func validate() throws {
        if let kind, IncidentKind(rawValue: kind) == nil {
            throw ValidationError("Unknown incident kind \"\(kind)\"; kinds are \(IncidentKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
    }

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: true)
        if let home { try HomeQueries(database: db).requireKnown(home) }
        let sinceDate = try TimeArgument.since(since, timeZone: configuration.timeZone)
        let filter = IncidentFilter(states: state.states, home: home, kind: kind, priority: priority, assignee: assignee, since: sinceDate)
        let records = try IncidentQueries(database: db).list(filter)
        let printer = RecordPrinter(format: output.format, timeZoneIdentifier: configuration.timeZone)
        printer.printList(records.map { OutputRecord(incident: $0, now: printer.now) },
                          columns: ["id", "priority", "kind", "home", "state", "escalation_level", "age", "opened_at", "assigned_to", "acknowledged_by", "summary"],
                          empty: "No incidents match.")
    }
}

struct IncidentsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one incident: why it was raised, what the home did before, who was told, who did what.",
        discussion: """
            Shows the incident, the event that triggered it, the home's events from the two hours before it was
            opened, every notification sent about it (alerts and webhooks, with attempts), and its timeline of
            staff actions and automatic changes.

            Examples:
              carehub incidents show 42
              carehub incidents show 42 --format json
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOption

    @Argument(help: "The incident's id, as listed.")
    var id: Int64

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: true)
        let detail = try IncidentDetail.load(id, from: db)
        let incident = detail.incident
        let printer = RecordPrinter(format: output.format, timeZoneIdentifier: configuration.rules.settings(for: incident.home).timeZone)
        let timelineRecords = detail.timelineRecords
        switch printer.format {
        case .json:
            printer.printObject(detail.record(now: printer.now))
        case .csv:
            printer.printList(timelineRecords.map { entry in
                OutputRecord(fields: [("incident", .integer(incident.id))] + entry.fields)
            }, empty: "")
        case .table:
            printer.printObject(OutputRecord(incident: incident, now: printer.now))
            if let trigger = detail.trigger {
                let event = trigger.event
                print("\nTriggered by event \(event.id): \(event.type.rawValue) from \(event.device)"
                      + (event.room.map { " in \($0)" } ?? "") + " at \(printer.localTime(event.timestamp))")
            }
            print("\nThe home in the two hours before (\(detail.messagesBefore) messages; movement, doors, bed, chair, appliances and alarms shown)")
            printer.printList(detail.eventsBeforeRecords, columns: ["ts", "device", "room", "type", "value"], empty: "(no activity)")
            print("\nNotifications")
            printer.printList(detail.notificationRecords, columns: ["channel", "target", "state", "queued_at", "delivered_at", "attempts", "last_error"],
                              empty: "(none)")
            print("\nTimeline")
            printer.printList(timelineRecords, columns: ["at", "actor", "action", "note"], empty: "(empty)")
        }
    }
}
