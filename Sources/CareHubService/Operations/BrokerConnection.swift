import Foundation
import Mosquitto

/// Where the hub's persistent session stands, for readiness and `carehub_broker_connected`: set from the client's state
/// handler (on the MQTT network thread) as the connection changes, read by `HubOperations` from any thread.
final class BrokerConnection: @unchecked Sendable {
    // @unchecked because `state` is guarded by `lock`; it changes only when the connection does.
    enum State: Sendable, Equatable {
        case notStarted
        /// Connected, and every subscription acknowledged.
        case up
        /// Connecting, or lost, with the last reason given.
        case down(String)
        /// The hub ended.
        case stopped
    }

    private let lock = NSLock()
    private var current = State.notStarted
    private var lastReason = "connecting"

    var state: State { lock.withLock { current } }

    /// A state reported by `MosquittoClient`; returns whether the session is connected now.
    @discardableResult
    func update(_ connection: MosquittoConnectionState) -> Bool {
        lock.withLock {
            // A late report from a client the stopped hub is closing changes nothing.
            if current == .stopped { return false }
            switch connection {
            case .ready: current = .up
            case .connecting: current = .down(lastReason)
            case .disconnected(let reason), .refused(let reason):
                lastReason = reason
                current = .down(reason)
            }
            return current == .up
        }
    }

    func set(_ state: State) {
        lock.withLock { current = state }
    }
}
