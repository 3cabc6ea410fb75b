import ArgumentParser
import CareHubCore
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
        let queries = IncidentQueries(database: db)
        let incident = try queries.find(id)
        let timeline = try queries.timeline(id)
        let events = EventQueries(database: db)
        let trigger = try incident.triggerEventID.flatMap { try events.find(home: incident.home, id: $0) }
        let window = try events.window(home: incident.home, from: incident.openedAt.addingTimeInterval(-2 * 3600),
                                       to: incident.openedAt.addingTimeInterval(0.001), limit: 5_000)
        // What the resident did (and alarms), not the devices' heartbeats and readings; the last 40 of them.
        let quiet: Set<EventType> = [.heartbeat, .temperature, .battery]
        let before = Array(window.filter { !quiet.contains($0.event.type) && !($0.event.type == .motion && $0.event.value == .boolean(false)) }.suffix(40))
        let notifications = try OutboxStore(database: db).notifications(incident: id)
        let printer = RecordPrinter(format: output.format, timeZoneIdentifier: configuration.rules.settings(for: incident.home).timeZone)
        var record = OutputRecord(incident: incident, now: printer.now)
        let timelineRecords = timeline.map(OutputRecord.init(timeline:))
        let beforeRecords = before.map(OutputRecord.init(event:))
        let notificationRecords = notifications.map { note in
            OutputRecord(fields: [
                ("channel", .text(note.channel)), ("target", .text(note.target.name)), ("state", .text(note.state)), ("queued_at", .time(note.createdAt)),
                ("delivered_at", .optionalTime(note.deliveredAt)), ("attempts", .integer(Int64(note.attempts))), ("last_error", .optionalText(note.lastError)),
            ])
        }
        switch printer.format {
        case .json:
            record.fields.append(("trigger", trigger.map { .json(OutputRecord(event: $0).jsonText) } ?? .null))
            record.fields.append(("events_before", .json("[" + beforeRecords.map(\.jsonText).joined(separator: ",") + "]")))
            record.fields.append(("notifications", .json("[" + notificationRecords.map(\.jsonText).joined(separator: ",") + "]")))
            record.fields.append(("timeline", .json("[" + timelineRecords.map(\.jsonText).joined(separator: ",") + "]")))
            printer.printObject(record)
        case .csv:
            printer.printList(timelineRecords.map { entry in
                OutputRecord(fields: [("incident", .integer(incident.id))] + entry.fields)
            }, empty: "")
        case .table:
            printer.printObject(record)
            if let trigger {
                let event = trigger.event
                print("\nTriggered by event \(event.id): \(event.type.rawValue) from \(event.device)"
                      + (event.room.map { " in \($0)" } ?? "") + " at \(printer.localTime(event.timestamp))")
            }
            print("\nThe home in the two hours before (\(window.count) messages; movement, doors, bed, chair, appliances and alarms shown)")
            printer.printList(beforeRecords, columns: ["ts", "device", "room", "type", "value"], empty: "(no activity)")
            print("\nNotifications")
            printer.printList(notificationRecords, columns: ["channel", "target", "state", "queued_at", "delivered_at", "attempts", "last_error"],
                              empty: "(none)")
            print("\nTimeline")
            printer.printList(timelineRecords, columns: ["at", "actor", "action", "note"], empty: "(empty)")
        }
    }
}
