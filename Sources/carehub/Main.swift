import ArgumentParser
import Foundation

/// The entry point: parses the command line, runs the command, and turns every error into one sentence on
/// standard error with a stable exit status (see `CLIExit`).
@main
enum Main {
    static func main() async {
        do {
            var command = try CareHubCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CLIFailure {
            FileHandle.standardError.write(Data("carehub: \(failure.message)\n".utf8))
            exit(failure.exitCode.rawValue)
        } catch {
            if let failure = CLIFailure(error) {
                FileHandle.standardError.write(Data("carehub: \(failure.message)\n".utf8))
                exit(failure.exitCode.rawValue)
            }
            CareHubCommand.exit(withError: error)
        }
    }
}

struct CareHubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carehub",
        abstract: "CareHub: a hub for the sensors and alarms in the homes of older people who live alone.",
        discussion: """
            Gateways publish events over MQTT; `carehub serve` stores each one durably before acknowledging it,
            raises incidents, and publishes alerts. The other commands let care staff review and act on
            incidents while the hub runs.

            Exit status: 0 success, 1 error, 3 database missing or unreadable, 4 someone else already acted on the
            incident, 5 not found, 64 usage error, 75 (serve) a message could not be stored.
            """,
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, IncidentsCommand.self, EventsCommand.self, StatusCommand.self, ReplayCommand.self, RulesCommand.self,
            HomesCommand.self, DevicesCommand.self, DatabaseCommand.self, PurgeCommand.self, ExportCommand.self, EraseCommand.self, AuditCommand.self,
            TimelineCommand.self, ReportCommand.self, EvaluateCommand.self, UsersCommand.self,
        ]
    )
}
