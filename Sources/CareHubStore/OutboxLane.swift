import GRDB

/// Which outbox rows one notifier worker delivers. Every lane has its own worker, so an endpoint that is slow
/// or never answers holds back only its own rows: MQTT alerts never wait behind HTTP, nor one webhook behind
/// another.
public enum OutboxLane: Sendable, Hashable, CustomStringConvertible {
    /// Every MQTT row: alerts and receipts.
    case mqtt
    /// The rows for one configured webhook, by its name.
    case webhook(target: String)
    /// Webhook rows whose target is none of `configured` (a webhook removed from the configuration while
    /// alerts for it were still queued): tried, failed and reported like any other, never left unseen.
    case unconfiguredWebhooks(configured: [String])

    public var description: String {
        switch self {
        case .mqtt: "mqtt"
        case .webhook(let target): "webhook \(target)"
        case .unconfiguredWebhooks: "unconfigured webhooks"
        }
    }

    /// The SQL condition on `outbox` that selects this lane's rows, and its arguments.
    var condition: (sql: String, arguments: StatementArguments) {
        switch self {
        case .mqtt:
            return ("channel = 'mqtt'", [])
        case .webhook(let target):
            return ("channel = 'webhook' AND webhook = ?", [target])
        case .unconfiguredWebhooks(let configured) where configured.isEmpty:
            return ("channel = 'webhook'", [])
        case .unconfiguredWebhooks(let configured):
            let placeholders = Array(repeating: "?", count: configured.count).joined(separator: ", ")
            return ("channel = 'webhook' AND webhook NOT IN (\(placeholders))", StatementArguments(configured))
        }
    }
}
