import ArgumentParser
import CareHubCore
import CareHubRecords
import CareHubService
import CareHubStore
import Foundation

struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check, explain and try out rule settings.",
        subcommands: [RulesCheckCommand.self, RulesExplainCommand.self, RulesWhatIfCommand.self]
    )
}

struct RulesCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a configuration file; errors name the line.",
        discussion: """
            Exit status 0 when the file is usable, 1 with one sentence naming the line when it is not.

            Examples:
              carehub rules check --config /etc/carehub/carehub.yaml
            """
    )

    @Option(help: ArgumentHelp("The configuration file to check.", valueName: "file")) var config: String

    func run() async throws {
        let configuration = try HubConfiguration.load(path: config)
        print("\(config) is valid: \(configuration.rules.homes.count) home(s) with their own rule settings.")
    }
}

struct RulesExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show the rule settings in force for a home, and where each comes from.",
        discussion: """
            Examples:
              carehub rules explain --home flat-12 --config /etc/carehub/carehub.yaml
              carehub rules explain --home flat-12 --format json
            """
    )

    @Option(help: ArgumentHelp("The configuration file.", valueName: "file")) var config: String?
    @Option(help: ArgumentHelp("The home.", valueName: "home")) var home: String
    @OptionGroup var output: FormatOption

    func run() async throws {
        let configuration = try config.map(HubConfiguration.load(path:)) ?? HubConfiguration()
        let effective = configuration.rules.settings(for: home).described
        let defaults = Dictionary(uniqueKeysWithValues: RuleSettings(timeZone: "Europe/London").described.map { ($0.key, $0.value) })
        let siteDefaults = Dictionary(uniqueKeysWithValues: configuration.rules.defaults.described.map { ($0.key, $0.value) })
        let records = effective.map { setting -> OutputRecord in
            let source = configuration.rules.homes[home] != nil && siteDefaults[setting.key] != setting.value
                ? "home" : defaults[setting.key] != setting.value ? "site" : "default"
            return OutputRecord(fields: [("setting", .text(setting.key)), ("value", .text(setting.value)), ("source", .text(source))])
        }
        RecordPrinter(format: output.format, timeZoneIdentifier: configuration.timeZone).printList(records, empty: "")
    }
}

struct RulesWhatIfCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whatif",
        abstract: "What would these settings have raised for a home over the last days? Live data is only read.",
        discussion: """
            Replays the home's stored events of the last --days through the rules with the settings in --config
            (a proposed file), on a virtual clock, and lists what would have been raised. Nothing is written to the
            database.

            Examples:
              carehub rules whatif --home flat-12 --days 14 --db /var/lib/carehub/carehub.sqlite --config proposed.yaml
            """
    )

    @Option(help: ArgumentHelp("The live database (read only).", valueName: "path")) var db: String
    @Option(help: ArgumentHelp("The proposed configuration.", valueName: "file")) var config: String?
    @Option(help: ArgumentHelp("The home.", valueName: "home")) var home: String
    @Option(help: "How many days back.") var days: Int = 7
    @OptionGroup var output: FormatOption

    func validate() throws {
        guard (1...366).contains(days) else { throw ValidationError("--days must be between 1 and 366.") }
    }

    func run() async throws {
        let configuration = try config.map(HubConfiguration.load(path:)) ?? HubConfiguration()
        let database = try HubDatabase.openExisting(path: db, readOnly: true)
        let now = Date()
        let records = try EventQueries(database: database).list(home: home, since: now.addingTimeInterval(-Double(days) * 86_400), limit: 5_000_000)
        let lines = ReplayPayload.lines(replaying: records, of: home)
        let outcome = try Replayer(store: nil, settings: configuration.rules, clockSkew: .replay).run(lines, until: now)
        let printer = RecordPrinter(format: output.format, timeZoneIdentifier: configuration.rules.settings(for: home).timeZone, now: now)
        if printer.format == .table {
            print("\(records.count) stored events of \(home) over the last \(days) days, replayed with \(config ?? "the default settings"):")
        }
        printer.printList(outcome.raised.map { OutputRecord(fields: [("at", .time($0.at)), ("kind", .text($0.kind.rawValue))]) },
                          empty: "Nothing would have been raised.")
    }
}

/// A stored event as the contract payload it came from.
enum ReplayPayload {
    /// `records` (a home's stored events, newest first, as `EventQueries.list` gives them) as lines to replay, oldest first.
    static func lines(replaying records: [EventRecord], of home: String) -> [ReplayLine] {
        records.reversed().map { record in
            ReplayLine(time: record.receivedAt.millisecondsSince1970, topic: Topic.event(home: home, device: record.event.device),
                       payload: Array(json(for: record.event).utf8), lineNumber: Int(record.seq))
        }
    }

    static func json(for event: SensorEvent) -> String {
        var members: [(String, String)] = [
            ("id", JSONText.quoted(event.id)), ("ts", JSONText.quoted(RFC3339.format(event.timestamp))), ("type", JSONText.quoted(event.type.rawValue)),
        ]
        if event.value != .none { members.append(("value", event.value.jsonText)) }
        if let room = event.room { members.append(("room", JSONText.quoted(room))) }
        if let battery = event.battery { members.append(("battery", JSONText.number(battery))) }
        if event.isTest { members.append(("test", "true")) }
        return JSONText.object(members)
    }
}
