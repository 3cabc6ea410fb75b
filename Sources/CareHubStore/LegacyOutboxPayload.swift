import CareHubCore
import Foundation

/// Reads what a v10 outbox row held (an MQTT topic and the JSON the hub wrote) back into an `OutboxNotification`,
/// once, for the v11 migration (`HubSchema.migrateToTypedOutbox`). Nothing else in the store reads or writes
/// notification JSON.
enum LegacyOutboxPayload {
    /// The notification a row announced; `topic` is nil for a webhook row (webhooks only ever carried alerts).
    /// Nil when the payload is not one the hub wrote.
    static func notification(topic: String?, payload: Data) -> OutboxNotification? {
        guard let object = try? JSONValue.parse(Array(payload)), case .object(let members) = object else { return nil }
        func text(_ key: String) -> String? {
            if case .string(let value)? = members[key] { return value }
            return nil
        }
        func integer(_ key: String) -> Int? {
            if case .number(let value)? = members[key], value == value.rounded(), abs(value) < 1e15 { return Int(value) }
            return nil
        }
        let levels = topic.map { $0.split(separator: "/", omittingEmptySubsequences: false) }
        if let levels, levels.count == 4, levels[3] == "receipt" {
            guard let id = text("id"), let storedAt = text("stored_at").flatMap(RFC3339.parseMilliseconds) else { return nil }
            return .receipt(EventReceipt(home: String(levels[2]), eventID: id, storedAt: Date(millisecondsSince1970: storedAt)))
        }
        guard levels == nil || (levels?.count == 4 && levels?[3] == "alert"),
              let incident = text("incident").flatMap({ Int64($0) }), let home = text("home"), let kind = text("kind"),
              let priority = text("priority").flatMap(Priority.init(rawValue:)), let state = text("state").flatMap(IncidentAlert.State.init(rawValue:)),
              let at = text("at").flatMap(RFC3339.parseMilliseconds), let summary = text("summary")
        else { return nil }
        return .alert(IncidentAlert(incident: incident, home: home, kind: kind, priority: priority, state: state,
                                    at: Date(millisecondsSince1970: at), summary: summary, device: text("device"), level: integer("level"),
                                    repeatCount: integer("repeat"), by: text("by"), outcome: text("outcome")))
    }
}
