import CareHubCore
import Foundation
import Testing

/// The one rules loop (`RulesLoop`) that the live hub and `carehub replay` both step: contract section 5's order
/// of inputs and deadlines, and the live clock's firing at its own time.
@Suite struct RulesLoopTests {
    /// 2026-11-30 (GMT in London), `time` as "HH:MM".
    static func at(_ time: String) -> Date { RFC3339.parse("2026-11-30T\(time):00Z") ?? .distantPast }
    static func ms(_ time: String) -> Int64 { at(time).millisecondsSince1970 }

    static func event(_ type: EventType, _ value: EventValue, device: String, room: String, at time: String) -> SensorEvent {
        SensorEvent(home: "flat-1", device: device, id: "\(device)-\(time)", type: type, value: value, timestamp: at(time), room: room)
    }

    /// A front door opened at 23:30 (night): `night_door` falls due at 23:45 unless indoor motion comes first.
    func loopWithNightDoor() -> RulesLoop {
        var loop = RulesLoop()
        _ = loop.handle(Self.event(.heartbeat, .none, device: "pendant-1", room: "lounge", at: "23:00"), receivedAt: Self.at("23:00"))
        _ = loop.handle(Self.event(.door, .text("open"), device: "door-front", room: "front_door", at: "23:30"), receivedAt: Self.at("23:30"))
        return loop
    }

    func raisedKinds(_ firings: [RulesLoop.Firing]) -> [IncidentKind] {
        firings.flatMap(\.commands).compactMap { command in
            if case .raise(let draft) = command { return draft.kind }
            return nil
        }
    }

    @Test func aDeadlineAtTheSameInstantAsAnInputFiresAfterIt() {
        var loop = loopWithNightDoor()
        #expect(loop.nextDeadline() == Self.at("23:45"))
        var firings: [RulesLoop.Firing] = []
        loop.fireDeadlines(before: Self.ms("23:45")) { firings.append($0) }
        #expect(firings.isEmpty, "due at the input's own instant: not before it")
        _ = loop.handle(Self.event(.motion, .boolean(true), device: "pir-hall", room: "hall", at: "23:45"), receivedAt: Self.at("23:45"))
        loop.fireDeadlines(through: Self.ms("23:59")) { firings.append($0) }
        #expect(!raisedKinds(firings).contains(.nightDoor), "the motion at 23:45 came first and cleared it")
    }

    @Test func aDeadlineBeforeAnInputFiresAtItsOwnInstant() {
        var loop = loopWithNightDoor()
        var firings: [RulesLoop.Firing] = []
        loop.fireDeadlines(before: Self.ms("23:46")) { firings.append($0) }
        #expect(raisedKinds(firings) == [.nightDoor])
        #expect(firings.map(\.at) == [Self.at("23:45")], "a replay's virtual clock passes through the deadline")
    }

    @Test func liveDeadlinesFireAtTheClocksTime() {
        var loop = loopWithNightDoor()
        var firings: [RulesLoop.Firing] = []
        loop.fireDeadlines(through: Self.ms("23:50"), at: Self.at("23:50")) { firings.append($0) }
        #expect(raisedKinds(firings) == [.nightDoor])
        #expect(firings.map(\.at) == [Self.at("23:50")], "the hub's clock is already past the deadline")
    }

    @Test func anInputThatBringsADeadlineForwardIsSeenByTheNextFiring() {
        // The same batch moves the home's deadline and must see it fire: the queue is brought up to date before it is read.
        var loop = RulesLoop()
        _ = loop.handle(Self.event(.heartbeat, .none, device: "pendant-1", room: "lounge", at: "23:00"), receivedAt: Self.at("23:00"))
        #expect(loop.nextDeadline().map { $0 > Self.at("23:59") } == true)
        _ = loop.handle(Self.event(.door, .text("open"), device: "door-front", room: "front_door", at: "23:30"), receivedAt: Self.at("23:50"))
        var firings: [RulesLoop.Firing] = []
        loop.fireDeadlines(through: Self.ms("23:50"), at: Self.at("23:50")) { firings.append($0) }
        #expect(raisedKinds(firings) == [.nightDoor])
    }

    @Test func aForgottenHomeHasNoDeadline() {
        var loop = loopWithNightDoor()
        loop.forget(home: "flat-1")
        #expect(loop.nextDeadline() == nil)
        #expect(loop.deadlineCount() == 0)
    }
}
