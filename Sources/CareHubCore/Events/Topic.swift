/// What a topic the hub receives on means (contract section 1).
public enum Topic: Sendable, Equatable {
    case event(home: String, device: String)
    case gatewayStatus(home: String)

    public static let prefix = "carehub/v1/"
    /// The filters the hub subscribes to.
    public static let subscriptions = eventSubscriptions + [sentinel, liveMarker]
    /// The filters of what gateways publish: all the live lane subscribes to.
    public static let eventSubscriptions = ["carehub/v1/+/+/event", "carehub/v1/+/gateway/status"]
    public static let hubStatus = "carehub/v1/hub/status"
    /// The hub publishes a token here through its own session after each connection and waits for it to
    /// come back: the end of the backlog the broker kept for it.
    public static let sentinel = "carehub/v1/hub/sentinel"
    /// The hub publishes here after its live lane stored mapped alarms: when the marker comes back through the
    /// persistent session, every copy of those alarms has come before it (`LiveDeliveries`).
    public static let liveMarker = "carehub/v1/hub/live-marker"

    public static func receipt(home: String) -> String { "carehub/v1/\(home)/receipt" }
    public static func alert(home: String) -> String { "carehub/v1/\(home)/alert" }
    public static func event(home: String, device: String) -> String { "carehub/v1/\(home)/\(device)/event" }
    public static func gatewayStatus(home: String) -> String { "carehub/v1/\(home)/gateway/status" }

    /// Parses a received topic; a refusal says what is wrong with it.
    public static func parse(_ topic: String) -> Result<Topic, RefusalReason> {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
        guard levels.count >= 4, levels[0] == "carehub", levels[1] == "v1" else {
            return .failure(.invalidTopic("it is not under carehub/v1/"))
        }
        let home = levels[2]
        if let problem = Identifier.homeProblem(home) { return .failure(.invalidTopic(problem)) }
        if levels.count == 4, levels[3] == "receipt" || levels[3] == "alert" {
            return .failure(.invalidTopic("it is one of the hub's own output topics"))
        }
        guard levels.count == 5 else { return .failure(.invalidTopic("it does not have the form carehub/v1/<home>/<device>/event")) }
        if levels[3] == "gateway", levels[4] == "status" {
            return .success(.gatewayStatus(home: String(home)))
        }
        guard levels[4] == "event" else {
            return .failure(.invalidTopic("it does not end in /event"))
        }
        guard Identifier.isValid(levels[3]) else {
            return .failure(.invalidTopic("the device \"\(levels[3].prefix(80))\" is not 1 to 64 characters of A-Z a-z 0-9 _ . -"))
        }
        return .success(.event(home: String(home), device: String(levels[3])))
    }
}
