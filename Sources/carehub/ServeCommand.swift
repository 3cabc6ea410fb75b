import ArgumentParser
import CareHubService
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the hub until SIGTERM or SIGINT.",
        discussion: """
            Flags override the configuration file. With no file: broker 127.0.0.1:1883, database
            ./var/carehub.sqlite, time zone Europe/London, automatic registration.

            Examples:
              carehub serve
              carehub serve --config /etc/carehub/carehub.yaml
              carehub serve --db ./var/carehub.sqlite --broker mqtt://127.0.0.1:1883 --timezone Europe/London
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("The broker, as mqtt://HOST:PORT (or mqtts:// with TLS configured in the file).", valueName: "url"))
    var broker: String?

    @Option(help: ArgumentHelp("IANA time zone for homes registered automatically.", valueName: "zone"))
    var timezone: String?

    @Option(help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: String?

    func run() async throws {
        var configuration = try database.configuration()
        if let broker { try configuration.applyBrokerURL(broker) }
        if let timezone { try configuration.applyTimeZone(timezone) }
        let levelName = logLevel ?? configuration.logLevel
        guard let level = Logger.Level(rawValue: levelName) else {
            throw CLIFailure("The log level \"\(levelName)\" is not one of trace, debug, info, notice, warning, error, critical.")
        }
        LoggingSystem.bootstrap { label in
            // Topics, device ids and refusal reasons come from gateways: their control characters are escaped.
            var handler = EscapingLogHandler(wrapping: StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "carehub")
        let service = Hub(configuration: configuration, logger: logger)
        // Once per process (this command runs once): metrics made through the global API (a library's) land in the hub's
        // registry too. The hub's own are made from its factory directly.
        MetricsSystem.bootstrap(service.operations.factory)
        do {
            // The hub ends with the group: a graceful shutdown on SIGTERM or SIGINT, or a failure of one of its services.
            let hub = ServiceGroupConfiguration.ServiceConfiguration(
                service: service,
                successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            try await ServiceGroup(configuration: .init(services: [hub], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
        } catch let failure as CLIFailure {
            throw failure
        } catch {
            if let failure = CLIFailure(error) { throw failure }
            throw CLIFailure("The hub stopped: \(error)")
        }
    }
}
