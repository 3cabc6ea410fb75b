import CareHubCore
import CareHubStore
import Foundation
import Prometheus

/// What an operator's tools ask of a running hub: its metrics in the Prometheus text format (`GET /metrics`) and whether
/// it is ready (`GET /readyz`). Made with the `Hub` (`hub.operations`), which attaches its database, clock, broker
/// connection and rules while it runs; usable before, during and after, from any thread.
///
/// ```swift
/// let hub = Hub(configuration: configuration, logger: logger)
/// MetricsSystem.bootstrap(hub.operations.factory)       // once per process: `carehub serve` does it
/// let text = try hub.operations.metricsText()          // 200, Content-Type: HubOperations.metricsContentType
/// let readiness = hub.operations.readiness()           // 200 or 503, with readiness.reason
/// ```
///
/// The metrics are registered in this object's own `registry`, never the process-global one: each hub (each test) has
/// its own. Gauges that describe the database (open incidents, the outbox, silent homes, the rules' lag) are read when
/// the text is asked for, so the ingest path pays nothing for them.
public final class HubOperations: @unchecked Sendable {
    // @unchecked because `attached` is guarded by `lock`; everything else is immutable and Sendable.

    /// The content type of `metricsText()`: Prometheus's text exposition format 0.0.4.
    public static let metricsContentType = "text/plain; version=0.0.4"

    public let registry: PrometheusCollectorRegistry
    /// The factory over `registry`, with the hub's histogram buckets: what `MetricsSystem.bootstrap` is given, once per
    /// process, so that any library's metrics appear beside the hub's.
    public let factory: PrometheusMetricsFactory
    public let metrics: HubMetrics
    let connection = BrokerConnection()
    let rules = RulesProgress()

    private let lock = NSLock()
    private var attached: (database: HubDatabase, clock: any HubClock)?

    /// Ingest commits and rule steps take milliseconds: buckets from 0.5 ms to 5 s.
    static let fastDurationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[HubMetrics.Name.ingestCommitDuration] = Self.fastDurationBuckets
        factory.durationHistogramBuckets[HubMetrics.Name.rulesStepDuration] = Self.fastDurationBuckets
        self.factory = factory
        metrics = HubMetrics(factory: factory)
    }

    /// The metrics as Prometheus text (content type `metricsContentType`), the database's gauges read now. Throws when
    /// the database cannot be read (answer 500: the scrape fails visibly rather than showing stale values).
    public func metricsText() throws -> String {
        if let (database, clock) = lock.withLock({ attached }) {
            let now = clock.now
            metrics.update(from: try OperationsSnapshot.read(from: database, rulesEvaluatedThrough: rules.evaluatedThrough), now: now)
        }
        return registry.emitToString()
    }

    /// Whether the hub is ready, and why (or why not); never throws: a database that cannot be read is a reason.
    public func readiness() -> HubReadiness {
        let connection = connection.state
        guard let (database, clock) = lock.withLock({ attached }) else {
            return HubReadiness.decide(connection: connection == .stopped ? .stopped : .notStarted, rulesStarted: false, snapshot: nil,
                                       now: Date())
        }
        let evaluated = rules.evaluatedThrough
        let snapshot: OperationsSnapshot
        do {
            snapshot = try OperationsSnapshot.read(from: database, rulesEvaluatedThrough: evaluated ?? 0)
        } catch {
            return HubReadiness(ready: false, reason: "The hub's database cannot be read: \(error)")
        }
        return HubReadiness.decide(connection: connection, rulesStarted: evaluated != nil, snapshot: snapshot, now: clock.now)
    }

    /// The running hub's database and clock (`Hub.run`), or nil once it stops.
    func attach(database: HubDatabase, clock: any HubClock) {
        lock.withLock { attached = (database, clock) }
    }

    /// The hub stopped: not ready, not connected.
    func detach() {
        lock.withLock { attached = nil }
        connection.set(.stopped)
        rules.set(nil)
        metrics.setBrokerConnected(false)
    }
}
