import GRDB

/// Where an outbox row goes, by the parts the notifier renders it from.
public enum OutboxTarget: Sendable, Hashable {
    /// The broker, on the topic of this kind of notification for this home.
    case mqtt(OutboxNotification.Kind, home: String)
    /// One webhook, by its name (never its URL).
    case webhook(name: String)

    public var channel: String {
        switch self {
        case .mqtt: "mqtt"
        case .webhook: "webhook"
        }
    }

    init?(row: Row) {
        if let name: String = row["webhook"] {
            self = .webhook(name: name)
        } else if let kind = OutboxNotification.Kind(rawValue: row["notification"]), let home: String = row["home_id"] {
            self = .mqtt(kind, home: home)
        } else {
            return nil
        }
    }
}
