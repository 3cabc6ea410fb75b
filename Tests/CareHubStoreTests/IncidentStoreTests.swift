import CareHubCore
import CareHubStore
import CareHubTesting
import Foundation
import GRDB
import Testing

@Suite struct IncidentStoreTests {
    func raise(_ kind: IncidentKind, home: String = "flat-12", device: String? = "dev-1", event: String = "e1") -> IncidentCommand {
        .raise(IncidentDraft(home: home, kind: kind, device: device, summary: "\(kind.rawValue) test", at: Date(), triggerEventID: event))
    }

    @Test func anIncidentOpensWithATimelineRowAndAnAlert() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        let changes = try RulesStore(database: fixture.database).apply([raise(.pendant)], checkpoint: 1, at: fixture.now)
        #expect(changes == [.opened(1)])
        let incident = try IncidentQueries(database: fixture.database).find(1)
        #expect(incident.state == .open)
        #expect(incident.priority == .emergency)
        #expect(incident.triggerEventID == "e1")
        #expect(try IncidentQueries(database: fixture.database).timeline(1).map(\.action) == ["opened"])
        #expect(try fixture.queuedAlerts() == [IncidentAlert(incident: 1, home: "flat-12", kind: "pendant", priority: .emergency, state: .open,
                                                            at: fixture.now, summary: "pendant test", device: "dev-1")])
        #expect(try RulesStore(database: fixture.database).checkpoint() == 1)
    }

    @Test func aRepeatTriggerJoinsTheOpenIncidentAndOnlyAnAlarmIsAnnouncedAgain() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        let rules = RulesStore(database: fixture.database)
        try rules.apply([raise(.pendant, event: "e1")], checkpoint: 1, at: fixture.now)
        let changes = try rules.apply([raise(.pendant, device: "cord-1", event: "e2")], checkpoint: 2, at: fixture.now.addingTimeInterval(30))
        #expect(changes == [.joined(1)])
        let incident = try IncidentQueries(database: fixture.database).find(1)
        #expect(incident.triggerCount == 2)
        #expect(try IncidentQueries(database: fixture.database).timeline(1).map(\.action) == ["opened", "repeat"])
        let alerts = try fixture.queuedAlerts()
        #expect(alerts.count == 2, "a second pendant press is announced")
        #expect(alerts.last?.state == .open)
        #expect(alerts.last?.repeatCount == 2)
        try rules.apply([raise(.lowBattery, device: "pir-1"), raise(.lowBattery, device: "pir-1", event: "e9")], checkpoint: 3, at: fixture.now)
        #expect(try fixture.queuedAlerts().count == 3, "a repeat of a technical incident is not announced")
    }

    @Test func anAcknowledgedIncidentStillJoinsButAResolvedOneDoesNot() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        let rules = RulesStore(database: fixture.database)
        let store = IncidentStore(database: fixture.database)
        try rules.apply([raise(.fall)], checkpoint: 1, at: fixture.now)
        _ = try store.acknowledge(1, by: "Sam", note: nil, at: fixture.now)
        #expect(try rules.apply([raise(.fall, event: "e2")], checkpoint: 2, at: fixture.now) == [.joined(1)])
        _ = try store.resolve(1, by: "Sam", outcome: .residentOK, note: nil, at: fixture.now)
        #expect(try rules.apply([raise(.fall, event: "e3")], checkpoint: 3, at: fixture.now) == [.opened(2)])
    }

    @Test func perDeviceKindsAreSeparatePerDeviceAndOthersAreNot() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        let rules = RulesStore(database: fixture.database)
        #expect(try rules.apply([raise(.dataFault, device: "a"), raise(.dataFault, device: "b"), raise(.dataFault, device: "a", event: "e2")],
                                checkpoint: 1, at: fixture.now) == [.opened(1), .opened(2), .joined(1)])
        #expect(try rules.apply([raise(.smoke, home: "h2", device: "s1"), raise(.smoke, home: "h2", device: "s2")],
                                checkpoint: 2, at: fixture.now) == [.opened(3), .joined(3)])
    }

    @Test func aConditionThatClearsResolvesItsIncidentAsTheHub() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        let rules = RulesStore(database: fixture.database)
        try rules.apply([raise(.inactivity, device: nil)], checkpoint: 1, at: fixture.now)
        let changes = try rules.apply([.resolve(home: "flat-12", kind: .inactivity, device: nil, reason: "Movement in the kitchen", at: fixture.now)],
                                      checkpoint: 2, at: fixture.now)
        #expect(changes == [.resolved(1)])
        let incident = try IncidentQueries(database: fixture.database).find(1)
        #expect(incident.state == .resolved)
        #expect(incident.resolvedBy == "carehub")
        #expect(incident.outcome == "cleared")
        #expect(try IncidentQueries(database: fixture.database).timeline(1).last?.note == "Movement in the kitchen")
    }

    @Test func acknowledgeAndResolveRecordWhoWhenAndWhy() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        try RulesStore(database: fixture.database).apply([raise(.pendant)], checkpoint: 1, at: fixture.now)
        let store = IncidentStore(database: fixture.database)
        let acknowledged = try store.acknowledge(1, by: "Sam Patel", note: "Calling her", at: fixture.now.addingTimeInterval(40))
        #expect(acknowledged.state == .acknowledged)
        #expect(acknowledged.acknowledgedBy == "Sam Patel")
        let resolved = try store.resolve(1, by: "Sam Patel", outcome: .visited, note: "Helped up", at: fixture.now.addingTimeInterval(900))
        #expect(resolved.state == .resolved)
        #expect(resolved.outcome == "visited")
        let timeline = try IncidentQueries(database: fixture.database).timeline(1)
        #expect(timeline.map(\.action) == ["opened", "acknowledged", "resolved"])
        #expect(timeline.map(\.actor) == ["carehub", "Sam Patel", "Sam Patel"])
        #expect(timeline.map(\.note) == ["pendant test", "Calling her", "Helped up"])
        let alerts = try fixture.queuedAlerts()
        #expect(alerts.map(\.state) == [.open, .acknowledged, .resolved])
        #expect(alerts.map(\.by) == [nil, "Sam Patel", "Sam Patel"])
        #expect(alerts.map(\.outcome) == [nil, nil, "visited"])
    }

    @Test func twoPeopleAcknowledgingAtOnceOneWinsAndTheOtherIsToldWho() async throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        try RulesStore(database: fixture.database).apply([raise(.pendant)], checkpoint: 1, at: fixture.now)
        // Two separate connections, as two `carehub incidents ack` processes would have.
        let first = try HubDatabase.openExisting(path: fixture.path, readOnly: false)
        let second = try HubDatabase.openExisting(path: fixture.path, readOnly: false)
        let results = await withTaskGroup(of: (String, Result<IncidentRecord, any Error>).self) { group in
            for (name, database) in [("Alex", first), ("Bo", second)] {
                group.addTask {
                    (name, Result { try IncidentStore(database: database).acknowledge(1, by: name, note: nil, at: Date()) })
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let winners = results.filter { if case .success = $0.1 { true } else { false } }
        #expect(winners.count == 1)
        guard let winner = winners.first?.0, let loser = results.first(where: { $0.0 != winner }), case .failure(let error) = loser.1 else {
            Issue.record("expected one success and one failure: \(results)")
            return
        }
        #expect(error is IncidentConflict)
        #expect("\(error)".contains("already acknowledged by \(winner)"))
        #expect(try IncidentQueries(database: fixture.database).timeline(1).filter { $0.action == "acknowledged" }.count == 1)
    }

    @Test func resolvingTwiceIsRefusedWithWhoDidIt() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        try RulesStore(database: fixture.database).apply([raise(.pendant)], checkpoint: 1, at: fixture.now)
        let store = IncidentStore(database: fixture.database)
        _ = try store.resolve(1, by: "Sam", outcome: .falseAlarm, note: nil, at: fixture.now)
        #expect(throws: IncidentConflict.self) { try store.resolve(1, by: "Jo", outcome: .other, note: nil, at: fixture.now) }
        #expect(throws: StoreError.self) { try store.acknowledge(99, by: "Jo", note: nil, at: fixture.now) }
    }

    @Test func theTimelineIsAppendOnly() throws {
        let fixture = try StoreFixture()
        defer { fixture.directory.remove() }
        try RulesStore(database: fixture.database).apply([raise(.pendant)], checkpoint: 1, at: fixture.now)
        #expect(throws: DatabaseError.self) {
            try fixture.database.writer.write { try $0.execute(sql: "UPDATE incident_timeline SET actor = 'someone else'") }
        }
        #expect(throws: DatabaseError.self) {
            try fixture.database.writer.write { try $0.execute(sql: "DELETE FROM incident_timeline") }
        }
        #expect(try fixture.count("SELECT COUNT(*) FROM incident_timeline") == 1)
    }
}
