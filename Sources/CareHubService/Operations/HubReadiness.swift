import CareHubStore
import Foundation

/// Whether the hub is ready to be relied on (`GET /readyz`, contract section 7): connected to the broker, and its rules
/// caught up with what is stored, nothing stored more than `maximumRulesLag` ago still unevaluated. `reason` says in one
/// sentence what is missing, or that all is well; it names no home, device or person.
///
/// ```swift
/// let readiness = hub.operations.readiness()
/// // 200 with readiness.reason when readiness.ready, else 503 with it.
/// ```
public struct HubReadiness: Sendable, Equatable {
    public let ready: Bool
    public let reason: String

    /// How long a stored event may wait for the rules before the hub is not ready.
    public static let maximumRulesLag: TimeInterval = 60

    public init(ready: Bool, reason: String) {
        self.ready = ready
        self.reason = reason
    }

    /// The decision, from what the hub knows: whether its persistent session is connected (with the last disconnection's
    /// reason), how far the rules have evaluated (nil before they started), and when the oldest event they have not
    /// evaluated was stored (`snapshot`, read at `now` on the hub's clock).
    static func decide(connection: BrokerConnection.State, rulesStarted: Bool, snapshot: OperationsSnapshot?, now: Date) -> HubReadiness {
        switch connection {
        case .notStarted:
            return HubReadiness(ready: false, reason: "The hub is starting: it has not connected to the broker yet.")
        case .stopped:
            return HubReadiness(ready: false, reason: "The hub has stopped.")
        case .down(let why):
            let detail = why.hasSuffix(".") ? String(why.dropLast()) : why
            return HubReadiness(ready: false, reason: "The hub is not connected to the broker (\(detail)).")
        case .up:
            break
        }
        guard rulesStarted, let snapshot else {
            return HubReadiness(ready: false, reason: "The hub is starting: its rules are not running yet.")
        }
        if let oldest = snapshot.oldestUnevaluated, now.timeIntervalSince(oldest) > maximumRulesLag {
            let seconds = Int(now.timeIntervalSince(oldest).rounded(.down))
            return HubReadiness(ready: false, reason: """
                The rules are behind: \(snapshot.unevaluated) stored event(s) not yet evaluated, the oldest stored \(seconds) s ago \
                (at most \(Int(maximumRulesLag)) s).
                """)
        }
        return HubReadiness(ready: true, reason: "Connected to the broker, and the rules have caught up with what is stored.")
    }
}
