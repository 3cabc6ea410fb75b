import CareHubCore
@testable import CareHubService
import CareHubStore
import CareHubTesting
import Foundation
import Mosquitto
import Testing

/// Readiness (`GET /readyz`, contract section 7): connected to the broker, and the rules caught up with what is stored,
/// nothing stored more than 60 s ago unevaluated. The hub run in process for the broker's part and the wiring; a real
/// SQLite file with events stored by the `Ingestor`, and the rules' position set by hand, for the lag.
@Suite(.timeLimit(.minutes(3))) struct HubReadinessTests {
    @Test func readyOnceConnectedAndEvaluatedAndNotBeforeOrAfterTheHubRuns() async throws {
        try await InProcessHub.with { fixture in
            let operations = HubOperations()
            let before = operations.readiness()
            #expect(!before.ready)
            #expect(before.reason.contains("starting"), "\(before.reason)")
            try await fixture.run(operations: operations) {
                try await fixture.publishEvent(home: "anna", device: "pir-hall", id: "e-1", type: "motion", value: "true")
                try await fixture.rulesBarrier(home: "barrier")
                // Five minutes on: the events are long stored, and evaluated, which only the running rules know (their
                // checkpoint in the database is written at most once a second of the hub's clock).
                fixture.clock.advance(by: 300)
                let readiness = try await PrometheusScrape.waitUntilReady(operations)
                #expect(readiness.ready, "\(readiness.reason)")
                #expect(try PrometheusScrape(operations)["carehub_rules_lag_seconds"] == 0)
            }
            let after = operations.readiness()
            #expect(!after.ready)
            #expect(after.reason == "The hub has stopped.")
            #expect(try PrometheusScrape(operations)["carehub_broker_connected"] == 0)
        }
    }

    @Test func notReadyWhileTheRulesLeaveAnEventStoredOverAMinuteAgoUnevaluated() throws {
        let directory = try TemporaryDirectory(prefix: "carehub-readiness")
        defer { directory.remove() }
        let database = try HubDatabase.openForHub(path: directory.path("carehub.sqlite"), synchronous: .normal)
        let clock = ManualClock(RFC3339.parse("2026-11-29T12:00:00Z") ?? Date(timeIntervalSince1970: 0))
        let ingestor = Ingestor(store: IngestStore(database: database), registration: .automatic, defaultTimeZone: "Europe/London")
        var stored: [Int64] = []
        for index in 1...3 {
            let topic = "carehub/v1/anna/pir-hall/event"
            let payload = Array(#"{"id":"e-\#(index)","ts":"\#(RFC3339.format(clock.now))","type":"motion","value":true}"#.utf8)
            let outcome = try ingestor.ingest(ingestor.read(topic: topic, payload: payload, retained: false, receivedAt: clock.now),
                                              topic: topic, payload: payload, receivedAt: clock.now)
            if case .stored(let seq, _) = outcome { stored.append(seq) }
        }
        #expect(stored.count == 3)

        let operations = HubOperations()
        operations.attach(database: database, clock: clock)
        operations.connection.update(.ready(sessionPresent: true))
        operations.rules.set(0)

        clock.advance(by: 59)
        #expect(operations.readiness().ready, "\(operations.readiness().reason)")

        clock.advance(by: 2)
        let behind = operations.readiness()
        #expect(!behind.ready)
        #expect(behind.reason == "The rules are behind: 3 stored event(s) not yet evaluated, the oldest stored 61 s ago (at most 60 s).")
        #expect(try PrometheusScrape(operations)["carehub_rules_lag_seconds"] == 61)
        #expect(try PrometheusScrape(operations)["carehub_rules_unevaluated_events"] == 3)

        operations.rules.set(stored[1])
        #expect(!operations.readiness().ready, "one event is still unevaluated")
        operations.rules.set(stored[2])
        #expect(operations.readiness().ready, "\(operations.readiness().reason)")

        operations.rules.set(nil)
        #expect(operations.readiness().reason.contains("rules are not running"))
    }

    /// `carehub_homes_silent` counts homes with a `no_data` incident not yet resolved, each home once.
    @Test func homesSilentCountsHomesWithNoDataUnresolved() throws {
        let directory = try TemporaryDirectory(prefix: "carehub-silent")
        defer { directory.remove() }
        let database = try HubDatabase.openForHub(path: directory.path("carehub.sqlite"), synchronous: .normal)
        let now = RFC3339.parse("2026-11-29T12:00:00Z") ?? Date(timeIntervalSince1970: 0)
        let raises: [IncidentCommand] = ["anna", "bert"].map { home in
            .raise(IncidentDraft(home: home, kind: .noData, summary: "No data", at: now))
        } + [.raise(IncidentDraft(home: "anna", kind: .inactivity, summary: "Quiet", at: now))]
        _ = try RulesStore(database: database).apply(raises, checkpoint: 0, at: now)
        #expect(try OperationsSnapshot.read(from: database, rulesEvaluatedThrough: nil).homesSilent == 2)

        let bert = try #require(try IncidentQueries(database: database).list(IncidentFilter(home: "bert", kind: "no_data")).first)
        _ = try IncidentStore(database: database).resolve(bert.id, by: "carer", outcome: .residentOK, note: nil, at: now)
        #expect(try OperationsSnapshot.read(from: database, rulesEvaluatedThrough: nil).homesSilent == 1)
    }
}
