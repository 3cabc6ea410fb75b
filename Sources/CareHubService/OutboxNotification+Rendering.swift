import CareHubCore
import CareHubStore

extension OutboxNotification {
    /// The MQTT topic it is published on (contract section 1): `carehub/v1/<home>/receipt` or `…/alert`.
    public var topic: String { kind.topic(home: home) }

    /// The JSON published on MQTT and posted to webhooks, compact, members in the contract's order:
    /// `{"id":"p1","stored_at":"2026-11-29T10:15:00.000Z"}` for a receipt (section 1), and for an alert
    /// (section 4) `incident`, `home`, `kind`, `priority`, `state`, `at`, `summary`, then `device`, `level`,
    /// `repeat`, `by` and `outcome` where they apply.
    public var payload: String {
        switch self {
        case .receipt(let receipt):
            return JSONText.object([("id", JSONText.quoted(receipt.eventID)), ("stored_at", JSONText.quoted(RFC3339.format(receipt.storedAt)))])
        case .alert(let alert):
            var members: [(String, String)] = [
                ("incident", JSONText.quoted(String(alert.incident))),
                ("home", JSONText.quoted(alert.home)),
                ("kind", JSONText.quoted(alert.kind)),
                ("priority", JSONText.quoted(alert.priority.rawValue)),
                ("state", JSONText.quoted(alert.state.rawValue)),
                ("at", JSONText.quoted(RFC3339.format(alert.at))),
                ("summary", JSONText.quoted(alert.summary)),
            ]
            if let device = alert.device { members.append(("device", JSONText.quoted(device))) }
            if let level = alert.level { members.append(("level", String(level))) }
            if let repeatCount = alert.repeatCount { members.append(("repeat", String(repeatCount))) }
            if let by = alert.by { members.append(("by", JSONText.quoted(by))) }
            if let outcome = alert.outcome { members.append(("outcome", JSONText.quoted(outcome))) }
            return JSONText.object(members)
        }
    }
}

extension OutboxNotification.Kind {
    /// The MQTT topic of this kind of notification for `home` (contract section 1).
    public func topic(home: String) -> String {
        switch self {
        case .receipt: Topic.receipt(home: home)
        case .alert: Topic.alert(home: home)
        }
    }
}
