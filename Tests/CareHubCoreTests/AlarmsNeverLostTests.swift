import CareHubCore
import Foundation
import Testing

/// Contract section 2: an alarm is never lost to a refusal other than being unreadable.
@Suite struct AlarmsNeverLostTests {
    let decoder = EventDecoder(clockSkew: ClockSkewPolicy(maximumAhead: 300, maximumBehind: 7 * 86_400))
    let receivedAt = RFC3339.parse("2026-11-29T10:15:00Z")!

    func decode(_ json: String) -> DecodedMessage {
        decoder.decode(topic: "carehub/v1/flat-12/dev-1/event", payload: Array(json.utf8), receivedAt: receivedAt)
    }

    @Test func aMotionEventFromAClockFarAheadIsRefused() {
        guard case .refused(let refused) = decode(#"{"id":"e1","ts":"2026-11-29T11:15:00Z","type":"motion","value":true}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(refused.reason.code == "clock_ahead")
        #expect(refused.eventID == "e1")
    }

    @Test func aMotionEventOlderThanTheWindowIsRefused() {
        guard case .refused(let refused) = decode(#"{"id":"e1","ts":"2026-11-01T10:15:00Z","type":"motion","value":true}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(refused.reason.code == "clock_behind")
    }

    @Test func aLateEventInsideTheWindowIsAccepted() {
        guard case .event = decode(#"{"id":"e1","ts":"2026-11-28T10:15:00Z","type":"motion","value":true}"#) else {
            Issue.record("a day-old event was refused")
            return
        }
    }

    @Test(arguments: ["pendant", "pullcord", "fall"])
    func anAlarmFromAClockFarAheadIsKeptAndFlagged(type: String) {
        guard case .event(let event) = decode(#"{"id":"e1","ts":"2027-01-01T00:00:00Z","type":"\#(type)"}"#) else {
            Issue.record("an alarm was refused for its clock")
            return
        }
        #expect(event.flags == [.clockAhead])
    }

    @Test func anAlarmWithAnUnreadableTimeUsesTheReceiveTime() {
        guard case .event(let event) = decode(#"{"id":"e1","ts":"yesterday","type":"pendant"}"#) else {
            Issue.record("an alarm was refused for its time stamp")
            return
        }
        #expect(event.timestamp == receivedAt)
        #expect(event.flags == [.badTimestamp])
    }

    @Test func anAlarmWithAMalformedOptionalFieldIsKeptAndFlagged() {
        guard case .event(let event) = decode(#"{"id":"e1","ts":"2026-11-29T10:14:00Z","type":"fall","battery":"low","room":"bathroom"}"#) else {
            Issue.record("an alarm was refused for its battery field")
            return
        }
        #expect(event.flags == [.ignoredField])
        #expect(event.battery == nil)
    }

    @Test func anUnreadableAlarmIsStillRefused() {
        guard case .refused(let refused) = decode(#"{"id":"e1","type":"pendant""#) else {
            Issue.record("garbage was accepted")
            return
        }
        #expect(refused.reason.code == "invalid_json")
    }

    @Test func aSmokeAlarmWithoutAReadableValueIsRefused() {
        guard case .refused(let refused) = decode(#"{"id":"e1","ts":"2026-11-29T10:14:00Z","type":"smoke","value":"maybe"}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(refused.reason.code == "wrong_type")
    }
}
