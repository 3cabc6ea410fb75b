import CareHubCore
import CareHubStore
import CoreMetrics
import Foundation

/// The hub's metrics, made once from a swift-metrics factory (the hub's Prometheus registry in `HubOperations`,
/// never the process-global one, so tests each have their own) and updated by the services that own what they count.
/// Names follow Prometheus conventions; no label carries a home, a device, a topic or a name, only small closed sets
/// (a refusal code, a priority).
///
/// ```swift
/// let metrics = HubMetrics(factory: PrometheusMetricsFactory(registry: registry))
/// metrics.recordBurst(tally, nanoseconds: 1_200_000)
/// ```
///
/// **Threads.** Any thread. The ingest path touches it once per burst (`recordBurst`), never per message: counters are
/// atomic, the commit-duration histogram takes one short lock per burst.
public final class HubMetrics: Sendable {
    /// The names, in one place (docs/operations.md, the dashboard and the alert rules use them).
    public enum Name {
        public static let eventsStored = "carehub_events_stored_total"
        public static let eventsRefused = "carehub_events_refused_total"
        public static let ingestCommitDuration = "carehub_ingest_commit_duration_seconds"
        public static let brokerConnected = "carehub_broker_connected"
        public static let rulesStepDuration = "carehub_rules_step_duration_seconds"
        public static let webhookFailures = "carehub_webhook_failures_total"
        public static let incidentsOpen = "carehub_incidents_open"
        public static let outboxBacklog = "carehub_outbox_backlog"
        public static let outboxOldestAge = "carehub_outbox_oldest_age_seconds"
        public static let homesSilent = "carehub_homes_silent"
        public static let rulesLag = "carehub_rules_lag_seconds"
        public static let rulesUnevaluated = "carehub_rules_unevaluated_events"
    }

    /// The refusal codes counted by name (contract section 2 and the mapped dialects); any other code counts as `other`,
    /// so the label's values stay a small closed set whatever a gateway sends.
    public static let refusalCodes = [
        "invalid_topic", "too_large", "invalid_utf8", "invalid_json", "not_an_object", "missing_field", "wrong_type", "invalid_value",
        "unknown_type", "clock_ahead", "clock_behind", "bad_timestamp", "unregistered", "registered_elsewhere", "no_home", "quota",
        "invalid_status", "other",
    ]

    private let eventsStored: Counter
    private let eventsRefused: [String: Counter]
    private let ingestCommit: CoreMetrics.Timer
    private let brokerConnected: Meter
    private let rulesStep: CoreMetrics.Timer
    private let webhookFailures: Counter
    private let incidentsOpen: [Priority: Meter]
    private let outboxBacklog: Meter
    private let outboxOldestAge: Meter
    private let homesSilent: Meter
    private let rulesLag: Meter
    private let rulesUnevaluated: Meter

    public init(factory: any MetricsFactory) {
        eventsStored = Counter(label: Name.eventsStored, factory: factory)
        eventsRefused = Dictionary(uniqueKeysWithValues: Self.refusalCodes.map { code in
            (code, Counter(label: Name.eventsRefused, dimensions: [("reason", code)], factory: factory))
        })
        ingestCommit = CoreMetrics.Timer(label: Name.ingestCommitDuration, factory: factory)
        brokerConnected = Meter(label: Name.brokerConnected, factory: factory)
        rulesStep = CoreMetrics.Timer(label: Name.rulesStepDuration, factory: factory)
        webhookFailures = Counter(label: Name.webhookFailures, factory: factory)
        incidentsOpen = Dictionary(uniqueKeysWithValues: Priority.allCases.map { priority in
            (priority, Meter(label: Name.incidentsOpen, dimensions: [("priority", priority.rawValue)], factory: factory))
        })
        outboxBacklog = Meter(label: Name.outboxBacklog, factory: factory)
        outboxOldestAge = Meter(label: Name.outboxOldestAge, factory: factory)
        homesSilent = Meter(label: Name.homesSilent, factory: factory)
        rulesLag = Meter(label: Name.rulesLag, factory: factory)
        rulesUnevaluated = Meter(label: Name.rulesUnevaluated, factory: factory)
        brokerConnected.set(0)
    }

    /// One committed burst: what it stored and refused, and how long its transaction took (from its start to the
    /// commit's return). MQTT network thread.
    public func recordBurst(_ tally: IngestTally, nanoseconds: Int64) {
        if tally.stored > 0 { eventsStored.increment(by: Int64(tally.stored)) }
        for (code, count) in tally.refused {
            (eventsRefused[code] ?? eventsRefused["other"])?.increment(by: Int64(count))
        }
        ingestCommit.recordNanoseconds(nanoseconds)
    }

    /// The persistent session's connection: up once connected and subscribed, down otherwise.
    public func setBrokerConnected(_ connected: Bool) {
        brokerConnected.set(connected ? 1 : 0)
    }

    /// One step of the rules (evaluating new events and firing due timers, with its write).
    public func recordRulesStep(nanoseconds: Int64) {
        rulesStep.recordNanoseconds(nanoseconds)
    }

    /// A webhook's attempt that failed (it is retried).
    public func recordWebhookFailure() {
        webhookFailures.increment()
    }

    /// The gauges read from the database at scrape time, with ages measured at `now` on the hub's clock.
    public func update(from snapshot: OperationsSnapshot, now: Date) {
        for (priority, meter) in incidentsOpen { meter.set(snapshot.incidentsOpen[priority] ?? 0) }
        outboxBacklog.set(snapshot.outboxBacklog)
        outboxOldestAge.set(snapshot.outboxOldest.map { max(0, now.timeIntervalSince($0)) } ?? 0)
        homesSilent.set(snapshot.homesSilent)
        rulesLag.set(snapshot.oldestUnevaluated.map { max(0, now.timeIntervalSince($0)) } ?? 0)
        rulesUnevaluated.set(Int(snapshot.unevaluated))
    }
}
