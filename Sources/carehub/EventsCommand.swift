import ArgumentParser
import CareHubCore
import CareHubRecords
import CareHubService
import CareHubStore
import Foundation

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Stored events.",
        subcommands: [EventsListCommand.self]
    )
}

struct EventsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List stored events, newest first.",
        discussion: """
            --since takes an RFC 3339 time (2026-11-29T06:00:00Z), a date (2026-11-29, midnight in the hub's
            time zone) or an age (90m, 2h, 3d).

            Examples:
              carehub events list --home flat-12 --since 2h
              carehub events list --limit 20 --format csv
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOption

    @Option(help: ArgumentHelp("Only this home.", valueName: "home")) var home: String?
    @Option(help: ArgumentHelp("Only events at or after this time.", valueName: "time")) var since: String?
    @Option(help: "At most this many events.") var limit: Int = 100

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1.") }
    }

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: true)
        if let home { try HomeQueries(database: db).requireKnown(home) }
        let now = Date()
        let sinceDate = try TimeArgument.since(since, now: now, timeZone: configuration.timeZone)
        let records = try EventQueries(database: db).list(home: home, since: sinceDate, limit: limit)
        let printer = RecordPrinter(format: output.format, timeZoneIdentifier: configuration.timeZone, now: now)
        printer.printList(records.map(OutputRecord.init(event:)),
                          columns: ["ts", "home", "device", "room", "type", "value", "id"], empty: "No events match.")
    }
}

/// Parses a time given on the command line.
enum TimeArgument {
    /// `--since`: a time, a date (local midnight) or an age; a usage error naming the option otherwise.
    static func since(_ text: String?, now: Date = Date(), timeZone identifier: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = parse(text, now: now, timeZone: identifier) else {
            throw ValidationError("--since \"\(text)\" is not a time (2026-11-29T06:00:00Z), a date (2026-11-29) or an age (2h, 7d).")
        }
        return date
    }

    /// A future time: RFC 3339, or a local date (midnight) or local date and time in `timeZone`.
    static func parseFuture(_ text: String, timeZone identifier: String) -> Date? {
        TimeText.future(text, timeZone: identifier)
    }

    /// "45m", "2h", "1h30m", "90s": seconds.
    static func duration(_ text: String) -> TimeInterval? {
        TimeText.duration(text)
    }

    static func parse(_ text: String, now: Date, timeZone identifier: String) -> Date? {
        TimeText.since(text, now: now, timeZone: identifier)
    }
}
