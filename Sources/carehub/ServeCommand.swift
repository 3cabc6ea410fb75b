import ArgumentParser
import CareHubHTTP
import CareHubService
import CareHubStore
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
              carehub serve --http 8080      (console and API on 127.0.0.1:8080; see docs/http.md)
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("The broker, as mqtt://HOST:PORT (or mqtts:// with TLS configured in the file).", valueName: "url"))
    var broker: String?

    @Option(help: ArgumentHelp("IANA time zone for homes registered automatically.", valueName: "zone"))
    var timezone: String?

    @Option(help: ArgumentHelp("Serve the console and API on HOST:PORT, or PORT on 127.0.0.1 (config: http.listen).", valueName: "address"))
    var http: String?

    @Option(help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: String?

    func run() async throws {
        var configuration = try database.configuration()
        if let broker { try configuration.applyBrokerURL(broker) }
        if let timezone { try configuration.applyTimeZone(timezone) }
        if let http { try configuration.applyHTTPListen(http) }
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
            var services = [hub]
            if let listener = try httpListener(configuration, operations: service.operations, logger: logger) {
                services.append(.init(service: listener, successTerminationBehavior: .gracefullyShutdownGroup,
                                      failureTerminationBehavior: .gracefullyShutdownGroup))
            }
            try await ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
        } catch let failure as CLIFailure {
            throw failure
        } catch {
            if let failure = CLIFailure(error) { throw failure }
            throw CLIFailure("The hub stopped: \(error)")
        }
    }

    /// The HTTP listener, when `--http` or `http.listen` asks for one, with the care team's console and the hub's `/metrics`,
    /// `/healthz` and `/readyz`. It has its own connections to the database (staff
    /// actions write `synchronous=FULL`, as the command line's do), opened here so the schema is current before either
    /// service starts.
    func httpListener(_ configuration: HubConfiguration, operations: HubOperations, logger: Logger) throws -> (any Service)? {
        guard let settings = configuration.http else { return nil }
        let database = try HubDatabase.openForHub(path: configuration.database.path, synchronous: .full)
        let arguments = HTTPServeArguments(host: settings.host, port: settings.port, publicURL: settings.publicURL, database: database,
                                           timeZone: configuration.timeZone)
        let operationsRoutes = OperationsRoutes(metricsText: { try operations.metricsText() }, metricsContentType: HubOperations.metricsContentType,
                                                readiness: { operations.readiness().pair })
        let console = ConsoleRoutes(database: database, policy: arguments.policy, timeZone: configuration.timeZone,
                                    rules: configuration.rules)
        return buildHTTPApplication(arguments, extraRoutes: [console, operationsRoutes], logger: logger)
    }
}

extension HubReadiness {
    /// As the HTTP listener's readiness route takes it.
    var pair: (ready: Bool, reason: String) { (ready, reason) }
}
