import CareHubCore
import Foundation
import Logging

/// Holds rule timers back until the hub has caught up with what the broker kept for it, so the hub's own
/// downtime never becomes a resident's inactivity. MQTT has no end-of-backlog marker, so after every
/// (re)connection the hub publishes a sentinel through its own session and waits for it to come back:
/// the broker delivers it after the queued messages. If it never comes back (an ACL that forbids the
/// sentinel topic, say), timers are released after `fallback`, with an error in the log.
public final class BacklogGate: @unchecked Sendable {
    // @unchecked because the mutable state is guarded by `lock`.
    public static let topic = Topic.sentinel
    public static let fallback: Duration = .seconds(60)

    private let lock = NSLock()
    private var expected: String?
    private var waitingSince: ContinuousClock.Instant? = .now
    private var caughtUp = false
    private let logger: Logger
    private let onCaughtUp: @Sendable () -> Void

    public init(logger: Logger, onCaughtUp: @escaping @Sendable () -> Void) {
        self.logger = logger
        self.onCaughtUp = onCaughtUp
    }

    /// A connection is being made: the last connection's sentinel is no longer the one to wait for. The broker may send
    /// it again among its redeliveries before this connection's own sentinel is even published.
    public func connectionStarting() {
        lock.withLock { expected = nil }
    }

    /// A new connection: timers wait for this sentinel's return. Returns the payload to publish.
    public func connected() -> [UInt8] {
        let token = UUID().uuidString
        lock.withLock {
            expected = token
            waitingSince = .now
            caughtUp = false
        }
        return Array(token.utf8)
    }

    /// Called for messages on the sentinel topic (on the MQTT thread, after every earlier message was stored).
    public func received(_ payload: [UInt8]) {
        let matched = lock.withLock { () -> Bool in
            guard let expected, String(decoding: payload, as: UTF8.self) == expected else { return false }
            caughtUp = true
            waitingSince = nil
            return true
        }
        if matched {
            logger.info("Caught up with the broker's backlog; rule timers running")
            onCaughtUp()
        }
    }

    /// Whether `payload` is the sentinel of the current connection (not one of an earlier connection's, which the broker
    /// may send again among its redeliveries after a crash).
    public func isCurrentSentinel(_ payload: [UInt8]) -> Bool {
        lock.withLock { expected.map { String(decoding: payload, as: UTF8.self) == $0 } ?? false }
    }

    /// Whether the sentinel of the current connection has come back (or the fallback released the timers).
    public var hasCaughtUp: Bool { lock.withLock { caughtUp } }

    /// Whether timers may fire now.
    public var timersMayFire: Bool {
        let (done, since) = lock.withLock { (caughtUp, waitingSince) }
        if done { return true }
        guard let since else { return false }
        if ContinuousClock.now - since > Self.fallback {
            lock.withLock {
                caughtUp = true
                waitingSince = nil
            }
            logger.error("The backlog sentinel did not come back within 60 s; rule timers released anyway. Check that the broker lets the hub publish and read \(Self.topic).")
            return true
        }
        return false
    }
}
