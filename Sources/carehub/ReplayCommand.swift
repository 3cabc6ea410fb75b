import ArgumentParser
import CareHubCore
import CareHubService
import CareHubStore
import Foundation

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

    @OptionGroup var recording: RecordingOptions
    @Option(help: ArgumentHelp("The database to write (created if missing).", valueName: "path")) var db: String
    @Option(help: ArgumentHelp("Stop at this RFC 3339 time.", valueName: "time")) var until: String?
    @OptionGroup var output: FormatOption

    func run() async throws {
        let untilDate = try until.map { text in
            guard let date = RFC3339.parse(text) else { throw ValidationError("--until \"\(text)\" is not an RFC 3339 time.") }
            return date
        }
        let (configuration, loaded) = try recording.load()
        let database = try HubDatabase.openForHub(path: db, synchronous: .normal)
        let store = ReplayStore(database: database, registration: .automatic, defaultTimeZone: configuration.timeZone)
        let started = ContinuousClock.now
        let outcome = try Replayer(store: store, settings: configuration.rules, clockSkew: .replay).run(loaded.lines, until: untilDate)
        let elapsed = ContinuousClock.now - started
        let summary = ReplaySummary(outcome: outcome, unmapped: loaded.unmapped, unreadable: loaded.unreadable,
                                    timeZone: loaded.timeZone ?? configuration.timeZone, elapsed: elapsed)
        summary.print(format: output.format ?? .table)
    }
}
