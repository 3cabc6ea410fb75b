import CareHubCore
import Foundation
import Testing

@Suite struct AlarmRuleTests {
    let now = RFC3339.parse("2026-11-29T10:15:00Z")!

    func event(_ type: EventType, _ value: EventValue = .none, test: Bool = false, flags: [EventFlag] = []) -> SensorEvent {
        SensorEvent(home: "flat-12", device: "dev-1", id: "e1", type: type, value: value, timestamp: now, room: "kitchen", isTest: test, flags: flags)
    }

    func raisedKinds(_ event: SensorEvent) -> [IncidentKind] {
        var engine = RulesEngine()
        return engine.handle(event, receivedAt: now).compactMap { command in
            if case .raise(let draft) = command { return draft.kind }
            return nil
        }
    }

    @Test(arguments: [
        (EventType.pendant, EventValue.none, IncidentKind.pendant),
        (.pullcord, .none, .pendant),
        (.fall, .none, .fall),
        (.smoke, .boolean(true), .smoke),
        (.co, .boolean(true), .co),
        (.water, .boolean(true), .flood),
    ])
    func alarmsRaiseEmergencies(type: EventType, value: EventValue, kind: IncidentKind) throws {
        var engine = RulesEngine()
        let commands = engine.handle(event(type, value), receivedAt: now)
        guard case .raise(let draft)? = commands.first else {
            Issue.record("\(type) raised nothing")
            return
        }
        #expect(commands.count == 1)
        #expect(draft.kind == kind)
        #expect(draft.priority == .emergency)
        #expect(draft.home == "flat-12")
        #expect(draft.device == "dev-1")
        #expect(draft.triggerEventID == "e1")
        #expect(draft.summary.contains("dev-1"))
        #expect(draft.summary.contains("kitchen"))
    }

    @Test func aSmokeOrCOSelfTestDoesNotRaise() {
        #expect(raisedKinds(event(.smoke, .boolean(true), test: true)).isEmpty)
        #expect(raisedKinds(event(.co, .boolean(true), test: true)).isEmpty)
    }

    @Test(arguments: [EventType.smoke, .co, .water])
    func anAlarmClearingDoesNotRaise(type: EventType) {
        #expect(raisedKinds(event(type, .boolean(false))).isEmpty)
    }

    @Test(arguments: [(EventType.motion, EventValue.boolean(true)), (.door, .text("open")), (.temperature, .number(12)), (.heartbeat, .none)])
    func ordinaryEventsRaiseNothingHere(type: EventType, value: EventValue) {
        #expect(raisedKinds(event(type, value)).isEmpty)
    }

    @Test func aFlaggedAlarmRaisesAndAddsATechnicalIncident() {
        var engine = RulesEngine()
        let drafts = engine.handle(event(.pendant, flags: [.unregistered]), receivedAt: now).compactMap { command -> IncidentDraft? in
            if case .raise(let draft) = command { return draft }
            return nil
        }
        #expect(drafts.map(\.kind) == [.pendant, .dataFault])
        #expect(drafts.map(\.priority) == [.emergency, .technical])
        #expect(drafts[0].flags == [.unregistered])
        #expect(drafts[0].summary.contains("not registered"))
    }

    @Test func anAlarmWhoseHomeIsUnknownRaisesButStartsNoHomesRules() {
        var engine = RulesEngine()
        var alarm = event(.pendant, flags: [.noHome])
        alarm.home = SensorEvent.unassignedHome
        let drafts = engine.handle(alarm, receivedAt: now).compactMap { command -> IncidentDraft? in
            if case .raise(let draft) = command { return draft }
            return nil
        }
        #expect(drafts.map(\.kind) == [.pendant, .dataFault])
        #expect(drafts.allSatisfy { $0.home == SensorEvent.unassignedHome })
        #expect(drafts[0].summary.contains("no home is known"))
        #expect(engine.homes.isEmpty, "no inactivity or no_data is ever judged for a place that is not a home")
        #expect(engine.tick(home: SensorEvent.unassignedHome, now: now.addingTimeInterval(3 * 86_400)).isEmpty)
    }
}
