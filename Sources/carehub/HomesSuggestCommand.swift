import ArgumentParser
import CareHubCore
import CareHubRecords
import CareHubService
import CareHubStore
import Foundation

struct HomesSuggestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suggest",
        abstract: "Per-home thresholds for a home the defaults raise too often (a late riser, a long bath). Only reads.",
        discussion: """
            Replays the home's stored events of the last --days through the fixed rules with later and later values of
            not_up_check, bathroom_minutes and inactivity_in_window_hours, and suggests for each the first that would
            have raised it at most once a month (it needs at least 7 days of stored events). A learned routine raises
            earlier than these values where the home's own history makes a quiet implausible, never later: they are its
            ceilings.

            The hub never changes a threshold itself. A person who knows the resident decides, adds the suggested lines
            to the home's rules in the configuration, and can try them first with `carehub rules whatif`. Nothing looser
            is suggested for a kind that was a real emergency in the period (outcome ambulance, visited or other).

            Examples:
              carehub homes suggest flat-12
              carehub homes suggest flat-12 --days 56 --format json
            """)
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOption
    @Argument(help: "The home.") var home: String
    @Option(help: "How many days back.") var days: Int = 28
    @Option(help: ArgumentHelp("The end of the period (RFC 3339 or a local date; default now): for a replayed recording.",
                               valueName: "time")) var until: String?

    static let minimumDays = 7

    func validate() throws {
        guard (7...366).contains(days) else { throw ValidationError("--days must be between 7 and 366.") }
    }

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: true)
        try HomeQueries(database: db).requireKnown(home)
        let timeZone = configuration.rules.settings(for: home).timeZone
        let end = try until.map { text in
            guard let date = TimeArgument.parse(text, now: Date(), timeZone: timeZone) else {
                throw ValidationError("--until \"\(text)\" is not a time (2026-11-29T06:00:00Z) or a date (2026-11-29).")
            }
            return date
        } ?? Date()
        let start = end.addingTimeInterval(-Double(days) * 86_400)
        let records = try EventQueries(database: db).list(home: home, since: start, limit: 20_000_000).filter { $0.receivedAt <= end }
        let lines = ReplayPayload.lines(replaying: records, of: home)
        // A home with less than a week of events says nothing about how often its alerts fire.
        let received = records.map(\.receivedAt)
        var covered = 0.0
        if let newest = received.max(), let oldest = received.min() { covered = newest.timeIntervalSince(oldest) / 86_400 }
        guard covered >= Double(Self.minimumDays) else {
            throw CLIFailure("\(home) has \(String(format: "%.1f", covered)) days of stored events in the last \(days): suggestions need at least \(Self.minimumDays).")
        }
        let emergencies = Set(try IncidentQueries(database: db).list(IncidentFilter(states: nil, home: home, since: start), limit: 100_000)
            .filter { $0.openedAt <= end && Outcome.isRealEmergency($0.outcome) }
            .compactMap { IncidentKind(rawValue: $0.kind) })
        let suggester = ThresholdSuggester(home: home, settings: configuration.rules, lines: lines, until: end, days: days, emergencies: emergencies)
        let result = try suggester.suggest()
        let rows = result.suggestions.map { suggestion in
            OutputRecord(fields: [
                ("setting", .text(suggestion.threshold.key)), ("kind", .text(suggestion.threshold.kind.rawValue)),
                ("current", .text(suggestion.current)), ("suggested", suggestion.suggested.map(OutputValue.text) ?? .null),
                ("raised_now", .integer(Int64(suggestion.raisedNow))),
                ("raised_suggested", suggestion.raisedSuggested.map { .integer(Int64($0)) } ?? .null), ("reason", .text(suggestion.reason)),
            ])
        }
        let printer = RecordPrinter(format: output.format, timeZoneIdentifier: timeZone)
        if printer.format == .json {
            print(JSONText.object([
                ("home", JSONText.quoted(home)), ("days", String(days)), ("until", JSONText.quoted(RFC3339.format(end))),
                ("events", String(records.count)), ("urgent_now", String(result.urgentNow)), ("urgent_suggested", String(result.urgentSuggested)),
                ("suggestions", "[" + rows.map(\.jsonText).joined(separator: ",") + "]"),
            ]))
            return
        }
        if printer.format == .table {
            print("\(home): \(records.count) stored events of the last \(days) days replayed through the fixed rules.")
        }
        printer.printList(rows, empty: "")
        guard printer.format == .table else { return }
        print("\nUrgent incidents over the \(days) days: \(result.urgentNow) with the current settings, \(result.urgentSuggested) with every "
              + "suggestion taken.")
        let taken = result.suggestions.compactMap { suggestion in suggestion.suggested.map { (suggestion.threshold.key, $0) } }
        guard !taken.isEmpty else {
            print("No change suggested.")
            return
        }
        print("""

            A person who knows the resident decides. To take them, add to the configuration and reload the hub:

            homes:
              \(home):
                rules:
            \(taken.map { "      \($0.0): \($0.1.contains(":") ? "\"\($0.1)\"" : $0.1)" }.joined(separator: "\n"))

            Try them first: carehub rules whatif --home \(home) --days \(days) --config proposed.yaml --db <the database>
            """)
    }
}
