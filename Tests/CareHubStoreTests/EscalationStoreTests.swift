import CareHubCore
import CareHubStore
import CareHubTesting
import Foundation
import GRDB
import Testing

/// Escalation on a manual clock: the store is given the time.
@Suite struct EscalationStoreTests {
    @Test func anUnacknowledgedEmergencyEscalatesEveryTwoMinutesOnceAfterDowntimeAndStopsWhenAcknowledged() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        let opened = fixture.now
        try RulesStore(database: fixture.database).apply([
            .raise(IncidentDraft(home: "flat-1", kind: .pendant, device: "p-1", summary: "Pendant pressed", at: opened)),
            .raise(IncidentDraft(home: "flat-1", kind: .lowBattery, device: "pir-1", summary: "Battery low", at: opened)),
        ], checkpoint: 1, at: opened)
        let store = EscalationStore(database: fixture.database)
        let policy = EscalationPolicy()
        #expect(try store.escalateDue(at: opened.addingTimeInterval(119), policy: policy).isEmpty)
        #expect(try store.escalateDue(at: opened.addingTimeInterval(120), policy: policy) == [1])
        #expect(try store.escalateDue(at: opened.addingTimeInterval(121), policy: policy).isEmpty)
        // The hub was down for 20 minutes: one escalation when it is back, not ten.
        #expect(try store.escalateDue(at: opened.addingTimeInterval(1_320), policy: policy) == [1])
        #expect(try fixture.count("SELECT escalation_level FROM incidents WHERE id = 1") == 2)
        #expect(try store.nextDue() == opened.addingTimeInterval(1_440))
        _ = try IncidentStore(database: fixture.database).acknowledge(1, by: "Sam", note: nil, at: opened.addingTimeInterval(1_330))
        #expect(try store.escalateDue(at: opened.addingTimeInterval(5_000), policy: policy).isEmpty)
        // The technical incident waits its 24 hours.
        #expect(try store.escalateDue(at: opened.addingTimeInterval(86_400), policy: policy) == [2])
        let alerts = try fixture.queuedAlerts().filter { $0.state == .escalated }
        #expect(alerts.count == 3)
        #expect(alerts.first?.level == 1)
        let notes = try IncidentQueries(database: fixture.database).timeline(1).filter { $0.action == "escalated" }.map(\.note)
        #expect(notes.first??.contains("within 2 min") == true)
    }
}
