import CareHubStore

extension OutboxTarget {
    /// The MQTT topic (`carehub/v1/flat-12/alert`), or the webhook's name (`oncall`).
    public var name: String {
        switch self {
        case .mqtt(let kind, let home): kind.topic(home: home)
        case .webhook(let name): name
        }
    }

    /// The channel and the name, as `carehub status` lists failing targets: `mqtt carehub/v1/flat-12/alert`, `webhook oncall`.
    public var label: String { "\(channel) \(name)" }
}
