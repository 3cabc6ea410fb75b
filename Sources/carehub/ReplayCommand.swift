import ArgumentParser
import CareHubCore
import CareHubService
import CareHubStore
import Foundation

extension ReplayInputFormat: ExpressibleByArgument {}

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Feed recorded events through the rules on a virtual clock.",
        discussion: """
            Lines go through the same decoding, storage and rules as the live hub, in order of their time, and
            every rule timer that falls due between them fires at its own instant, up to --until (default: 24 h
            after the last line). The database given with --db is created if needed and receives the events and
            incidents; use a new file, not the live one.

            Examples:
              carehub replay --input day.jsonl --db /tmp/replay.sqlite
              carehub replay --input-format homeassist --mapping deploy/mappings/homeassist-home1.yaml \\
                --input home1.csv --db /tmp/home1.sqlite --format json
            """
    )

    @Option(help: ArgumentHelp("The recording to replay.", valueName: "file")) var input: String
    @Option(help: ArgumentHelp("The database to write (created if missing).", valueName: "path")) var db: String
    @Option(help: ArgumentHelp("The hub's configuration (rule settings, time zone).", valueName: "file")) var config: String?
    @Option(help: ArgumentHelp("IANA time zone for homes without their own.", valueName: "zone")) var timezone: String?
    @Option(help: ArgumentHelp("Stop at this RFC 3339 time.", valueName: "time")) var until: String?
    @Option(help: "contract (JSON lines), homeassist or casas.") var inputFormat: ReplayInputFormat = .contract
    @Option(help: ArgumentHelp("Sensor mapping for homeassist and casas recordings.", valueName: "file")) var mapping: String?
    @OptionGroup var output: FormatOption

    func run() async throws {
        var configuration = try config.map(HubConfiguration.load(path:)) ?? HubConfiguration()
        if let timezone { try configuration.applyTimeZone(timezone) }
        let untilDate = try until.map { text in
            guard let date = RFC3339.parse(text) else { throw ValidationError("--until \"\(text)\" is not an RFC 3339 time.") }
            return date
        }
        let loaded: ReplayInput.Loaded
        do {
            loaded = try ReplayInput.load(path: input, format: inputFormat, mappingPath: mapping)
        } catch let error as ReplayInputError {
            throw CLIFailure(error.description)
        }
        if let home = loaded.home, let zone = loaded.timeZone, configuration.rules.homes[home] == nil {
            var settings = configuration.rules.defaults
            settings.timeZone = zone
            configuration.rules.homes[home] = settings
        }
        let database = try HubDatabase.openForHub(path: db, synchronous: .normal)
        let store = ReplayStore(database: database, registration: .automatic, defaultTimeZone: configuration.timeZone)
        let started = ContinuousClock.now
        let outcome = try Replayer(store: store, settings: configuration.rules, clockSkew: .replay).run(loaded.lines, until: untilDate)
        let elapsed = ContinuousClock.now - started
        let summary = ReplaySummary(outcome: outcome, unmapped: loaded.unmapped, timeZone: loaded.timeZone ?? configuration.timeZone,
                                    elapsed: elapsed)
        summary.print(format: output.format ?? .table)
    }
}

extension ClockSkewPolicy {
    /// In replay the "receive" time is the line's own time (or the event's), so only a line that claims to be
    /// from far in its own future is odd; events from days before their `at` are legitimately late.
    static let replay = ClockSkewPolicy(maximumAhead: 300, maximumBehind: 3650 * 86_400)
}
