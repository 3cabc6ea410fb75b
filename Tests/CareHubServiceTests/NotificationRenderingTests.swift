import CareHubCore
import CareHubService
import CareHubStore
import Foundation
import Testing

/// The topic and the bytes of every kind of notification, pinned against the contract: a receipt
/// `{"id":"<event id>","stored_at":"<RFC 3339>"}` on `carehub/v1/<home>/receipt` (section 1), and an alert on
/// `carehub/v1/<home>/alert` with the members of section 4's example in its order, compact, then the members
/// that apply to its state.
@Suite struct NotificationRenderingTests {
    static let at = RFC3339.parse("2026-11-29T10:15:02.120Z") ?? .distantPast

    static func alert(_ state: IncidentAlert.State, summary: String = "Pendant pressed (device pendant-1)", device: String? = "pendant-1",
                      level: Int? = nil, repeatCount: Int? = nil, by: String? = nil, outcome: String? = nil) -> OutboxNotification {
        .alert(IncidentAlert(incident: 42, home: "flat-12", kind: "pendant", priority: .emergency, state: state, at: at, summary: summary,
                             device: device, level: level, repeatCount: repeatCount, by: by, outcome: outcome))
    }

    static let pinned: [(name: String, notification: OutboxNotification, topic: String, payload: String)] = [
        ("receipt", .receipt(EventReceipt(home: "flat-12", eventID: "flat-12-pendant-1-000417", storedAt: at)), "carehub/v1/flat-12/receipt",
         #"{"id":"flat-12-pendant-1-000417","stored_at":"2026-11-29T10:15:02.120Z"}"#),
        ("open", alert(.open, device: nil), "carehub/v1/flat-12/alert",
         #"{"incident":"42","home":"flat-12","kind":"pendant","priority":"emergency","state":"open","at":"2026-11-29T10:15:02.120Z","summary":"Pendant pressed (device pendant-1)"}"#),
        ("open, device incident", alert(.open), "carehub/v1/flat-12/alert",
         #"{"incident":"42","home":"flat-12","kind":"pendant","priority":"emergency","state":"open","at":"2026-11-29T10:15:02.120Z","summary":"Pendant pressed (device pendant-1)","device":"pendant-1"}"#),
        ("pressed again", alert(.acknowledged, repeatCount: 3, by: "Sam Patel"), "carehub/v1/flat-12/alert",
         #"{"incident":"42","home":"flat-12","kind":"pendant","priority":"emergency","state":"acknowledged","at":"2026-11-29T10:15:02.120Z","summary":"Pendant pressed (device pendant-1)","device":"pendant-1","repeat":3,"by":"Sam Patel"}"#),
        ("escalated", alert(.escalated, level: 2), "carehub/v1/flat-12/alert",
         #"{"incident":"42","home":"flat-12","kind":"pendant","priority":"emergency","state":"escalated","at":"2026-11-29T10:15:02.120Z","summary":"Pendant pressed (device pendant-1)","device":"pendant-1","level":2}"#),
        ("acknowledged", alert(.acknowledged, by: "Sam Patel"), "carehub/v1/flat-12/alert",
         #"{"incident":"42","home":"flat-12","kind":"pendant","priority":"emergency","state":"acknowledged","at":"2026-11-29T10:15:02.120Z","summary":"Pendant pressed (device pendant-1)","device":"pendant-1","by":"Sam Patel"}"#),
        ("resolved", alert(.resolved, by: "Jo \"JJ\" Evans", outcome: "visited"), "carehub/v1/flat-12/alert",
         #"{"incident":"42","home":"flat-12","kind":"pendant","priority":"emergency","state":"resolved","at":"2026-11-29T10:15:02.120Z","summary":"Pendant pressed (device pendant-1)","device":"pendant-1","by":"Jo \"JJ\" Evans","outcome":"visited"}"#),
        ("text escaped", alert(.open, summary: "Line one\nline \"two\"\u{1}", device: nil), "carehub/v1/flat-12/alert",
         #"{"incident":"42","home":"flat-12","kind":"pendant","priority":"emergency","state":"open","at":"2026-11-29T10:15:02.120Z","summary":"Line one\nline \"two\"\u0001"}"#),
    ]

    @Test(arguments: pinned.indices)
    func eachKindRendersByteForByteAsTheContractSays(index: Int) {
        let pin = Self.pinned[index]
        #expect(pin.notification.topic == pin.topic, "\(pin.name)")
        #expect(Array(pin.notification.payload.utf8) == Array(pin.payload.utf8), "\(pin.name)")
    }

    /// The contract's own example (section 4), spaced as it is printed there, has the members of the rendered
    /// alert in the same order.
    @Test func anAlertHasTheMembersOfTheContractsExampleInItsOrder() {
        let example = #"{"incident": "…", "home": "…", "kind": "pendant", "priority": "emergency", "state": "open", "at": "2026-11-29T10:15:02.120Z", "summary": "Pendant pressed (device pendant-1)"}"#
        func keys(_ text: String) -> [String] {
            text.split(separator: ",").compactMap { member in
                member.split(separator: ":").first.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "{ \"")) }
            }
        }
        #expect(keys(Self.alert(.open, device: nil).payload) == keys(example))
    }

    @Test func aTargetIsNamedByItsTopicOrItsWebhook() {
        #expect(OutboxTarget.mqtt(.alert, home: "flat-12").label == "mqtt carehub/v1/flat-12/alert")
        #expect(OutboxTarget.mqtt(.receipt, home: "flat-12").name == "carehub/v1/flat-12/receipt")
        #expect(OutboxTarget.webhook(name: "oncall").label == "webhook oncall")
    }
}
