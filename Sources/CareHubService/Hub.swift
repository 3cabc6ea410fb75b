import CareHubCore
import CareHubStore
import Foundation
import Logging
import Mosquitto
import ServiceLifecycle

/// The composition root as a `Service`: builds the hub's services (the MQTT connection or connections, rules,
/// escalation, notifier) from a configuration and runs them as a child service group until a graceful shutdown.
/// The signals are the caller's: `carehub serve` runs it in a `ServiceGroup` that shuts it down on SIGTERM or SIGINT;
/// tests run it in their own process on a `ManualClock`.
///
/// ```swift
/// let hub = Hub(configuration: configuration, logger: logger)
/// let group = ServiceGroup(configuration: .init(services: [.init(service: hub)], gracefulShutdownSignals: [.sigterm, .sigint],
///                                               logger: logger))
/// try await group.run()
/// ```
///
/// `run()` opens the database, proves it writable, then connects and subscribes; it returns after a graceful shutdown,
/// every service stopped (a burst being stored is stored and acknowledged first). It throws (one sentence) when the
/// database or the configuration cannot be used, or when one of its services fails (the others are shut down first).
public struct Hub: Service {
    public static let version = "0.1.0"

    /// Wraps the persistent session's burst handler: a seam for in-process tests, which hold a burst back (the one
    /// carrying the backlog sentinel, say) to see what the hub does meanwhile. Runs on the MQTT network thread, and
    /// must hand every message of the burst on before it returns: what it returns from is acknowledged.
    public typealias BurstInterceptor = @Sendable (@escaping MosquittoClient.BatchHandler) -> MosquittoClient.BatchHandler

    private let configuration: HubConfiguration
    private let clock: any HubClock
    private let logger: Logger
    private let interceptBursts: BurstInterceptor?
    /// The hub's metrics and readiness, for `/metrics` and `/readyz`: usable from any thread, before, while and after
    /// the hub runs (not ready until it has connected and its rules run).
    public let operations: HubOperations

    /// Builds nothing yet: `run()` opens the database and connects. `clock` is the hub's only source of time (rule
    /// timers, receipt times, escalation); `operations` (by default its own, with a registry of its own) is where the
    /// hub's metrics and readiness are kept; `interceptBursts` is for tests only.
    public init(configuration: HubConfiguration, clock: any HubClock = SystemClock(), logger: Logger,
                operations: HubOperations = HubOperations(), interceptBursts: BurstInterceptor? = nil) {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.operations = operations
        self.interceptBursts = interceptBursts
    }

    public func run() async throws {
        let database = try HubDatabase.openForHub(path: configuration.database.path, synchronous: configuration.database.synchronous)
        try database.checkWritable(at: clock.now, version: Self.version)
        let operations = self.operations
        operations.connection.set(.notStarted)
        operations.attach(database: database, clock: clock)
        defer { operations.detach() }
        logger.info("Database ready", metadata: [
            "db.path": "\(configuration.database.path)", "db.synchronous": "\(configuration.database.synchronous.rawValue)",
        ])

        let newEvents = Doorbell()
        let newOutbox = Doorbell()
        let backlog = BacklogGate(logger: logger, onCaughtUp: newEvents.ring)
        var redeliveries: RedeliveryGuard? = try RedeliveryGuard(log: DeliveryLog(database: database), logger: logger)
        #if DEBUG
        if ProcessInfo.processInfo.environment["CAREHUB_TEST_NO_REDELIVERY_GUARD"] == "1" {
            logger.warning("TEST ONLY: redelivered messages are stored again (CAREHUB_TEST_NO_REDELIVERY_GUARD)")
            redeliveries = nil
        }
        #endif
        var beforeCommit: (@Sendable (Int) -> Void)?
        #if DEBUG
        beforeCommit = DieBeforeCommit.requested.map { DieBeforeCommit(count: $0, logger: logger).burstReady }
        #endif
        let lag = SessionLag()
        // The persistent session is behind while its backlog is not yet delivered or a lag probe is late. Then the live
        // lane runs, and bursts grow.
        let persistentSessionBehind: @Sendable () -> Bool = { !backlog.hasCaughtUp || lag.isBehind }
        let liveLaneWanted: @Sendable () -> Bool = { [liveLane = configuration.broker.liveLane] in
            liveLane && persistentSessionBehind()
        }
        let ingestor = Ingestor(store: IngestStore(database: database), registration: configuration.registration,
                                defaultTimeZone: configuration.timeZone, limits: configuration.limits, clockSkew: configuration.clockSkew,
                                mappings: configuration.gateways)
        let ingest = IngestHandler(
            ingestor: ingestor.limited(by: TrafficLimiter(limits: configuration.limits, caughtUp: { backlog.hasCaughtUp })),
            clock: clock, logger: logger, newEvents: newEvents, newOutbox: newOutbox, backlog: backlog, lag: lag, redeliveries: redeliveries,
            beforeCommit: beforeCommit, liveLaneWanted: liveLaneWanted, metrics: operations.metrics)
        for mapping in configuration.gateways {
            logger.info("Gateway dialect mapped", metadata: ["gateway.dialect": "\(mapping.dialect)", "mqtt.filters": "\(mapping.subscriptions)"])
            if mapping.defaultHome == nil, mapping.routes.contains(where: { $0.message != .ignore && !$0.topic.capturesHome }) {
                logger.warning("""
                    Some of this gateway's topics carry no home and no home is set for it (gateways: - home: in the configuration): \
                    their messages are kept aside (carehub devices unknown), and an alarm among them is raised under home \
                    \(SensorEvent.unassignedHome). The registry never places such a message in a home.
                    """, metadata: ["gateway.dialect": "\(mapping.dialect)"])
            }
        }
        var onBatch: MosquittoClient.BatchHandler = ingest.handle
        if let interceptBursts { onBatch = interceptBursts(onBatch) }
        #if DEBUG
        if UnsafeWriteBehindIngest.isRequested {
            onBatch = UnsafeWriteBehindIngest(target: ingest, logger: logger).handle
        }
        if let count = DieAfterCommits.requested {
            onBatch = DieAfterCommits(count: count, target: onBatch, logger: logger).handle
        }
        #endif
        var mosquittoConfiguration = try configuration.mosquittoConfiguration()
        // While the persistent session is behind, bursts of up to 1,024 messages or 20 ms (alarms meanwhile take the
        // live lane); once caught up, 256 or 5 ms, so that one event never waits long for the burst around it.
        mosquittoConfiguration.drainingBatch = .init(maximumMessages: 1_024, maximumDuration: .milliseconds(20))
        mosquittoConfiguration.isDraining = persistentSessionBehind
        #if DEBUG
        if ProcessInfo.processInfo.environment["CAREHUB_TEST_ACK_BEFORE_BATCH_COMMIT"] == "1" {
            logger.critical("CAREHUB_TEST_ACK_BEFORE_BATCH_COMMIT=1: each burst is acknowledged BEFORE it is stored. Test builds only.")
            mosquittoConfiguration.testOnlyAcknowledgeBeforeHandling = true
        }
        #endif
        let reference = ClientReference()
        let client = try MosquittoClient(configuration: mosquittoConfiguration, logger: logger, onState: { [redeliveries] state in
            operations.metrics.setBrokerConnected(operations.connection.update(state))
            if case .connecting = state {
                redeliveries?.connectionStarting()
                lag.connectionStarting()
                backlog.connectionStarting()
            }
            guard case .ready = state else { return }
            do {
                try reference.client?.enqueuePublish(topic: Topic.sentinel, payload: backlog.connected())
            } catch {
                logger.error("Could not publish the backlog sentinel", metadata: ["error": "\(error)"])
            }
            logger.notice("CareHub ready: receiving events", metadata: ["hub.version": "\(Self.version)"])
        }, onBatch: onBatch)
        reference.client = client

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: BrokerConnectionService(client: client, logger: logger, afterCleanStop: { [redeliveries] in redeliveries?.connectionClosedCleanly() }),
                  successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: RulesService(store: RulesStore(database: database), settings: configuration.rules, clock: clock,
                                        logger: logger, newEvents: newEvents, newOutbox: newOutbox, backlog: backlog, operations: operations),
                  successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: EscalationService(store: EscalationStore(database: database), policy: configuration.escalation, clock: clock,
                                             logger: logger, newOutbox: newOutbox),
                  successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: NotifierService(outbox: OutboxStore(database: database), client: client, webhooks: try configuration.signedWebhooks(),
                                           giveUpAfter: configuration.notificationGiveUpAfter, clock: clock, logger: logger, newOutbox: newOutbox,
                                           metrics: operations.metrics),
                  successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if configuration.broker.liveLane {
            let live = IngestHandler(
                ingestor: ingestor, clock: clock, logger: logger, newEvents: newEvents,
                newOutbox: newOutbox, lane: .live, liveLaneWanted: liveLaneWanted, metrics: operations.metrics, onLiveDeliveries: { seq in
                    do {
                        try reference.client?.enqueuePublish(topic: Topic.liveMarker, payload: Array(String(seq).utf8))
                    } catch {
                        logger.error("Could not publish the live lane's marker", metadata: ["error": "\(error)"])
                    }
                })
            let liveClient = try MosquittoClient(configuration: try configuration.liveLaneConfiguration(), logger: logger, onState: { state in
                if case .ready = state { logger.notice("Live lane ready: alarms published from now on are stored at once, even behind a backlog") }
            }, onBatch: live.handle)
            services.append(.init(service: BrokerConnectionService(client: liveClient, logger: logger, announcesOffline: false),
                                  successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup))
            services.append(.init(service: SessionLagProbeService(client: client, lag: lag, logger: logger),
                                  successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        // A child group: it shuts down, services in reverse order, when the group running the hub does.
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        try await group.run()
        logger.info("CareHub stopped")
    }
}

/// Lets the client's own state handler reach the client, which is created after the handler.
private final class ClientReference: @unchecked Sendable {
    // @unchecked because `client` is set once, before the client starts, and only read afterwards.
    weak var client: MosquittoClient?
}
