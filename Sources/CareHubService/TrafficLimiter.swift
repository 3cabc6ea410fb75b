import CareHubCore
import Foundation

/// One token bucket per gateway (`GatewayLimits.messagesPerSecond`, holding `burst`): whether a message is within
/// its gateway's rate. Rates are only held once the hub has caught up with what the broker kept for it: a backlog
/// drained at the hub's own speed is no gateway's fault.
///
/// **Threads.** Called on the MQTT network thread; the lock only makes the type honestly `Sendable`.
public final class TrafficLimiter: @unchecked Sendable {
    // @unchecked because the buckets are guarded by `lock`.
    private struct Bucket {
        var tokens: Double
        var at: ContinuousClock.Instant
    }

    private let lock = NSLock()
    private var buckets: [GatewaySender: Bucket] = [:]
    private let limits: GatewayLimits
    private let caughtUp: @Sendable () -> Bool

    /// `caughtUp` says whether the hub has drained the broker's backlog (no limit is held before).
    public init(limits: GatewayLimits, caughtUp: @escaping @Sendable () -> Bool = { true }) {
        self.limits = limits
        self.caughtUp = caughtUp
    }

    /// Takes a token for `sender`; false when its bucket is empty and the hub is caught up.
    public func admit(_ sender: GatewaySender, at now: ContinuousClock.Instant = .now) -> Bool {
        let enforce = caughtUp()
        return lock.withLock {
            var bucket = buckets[sender] ?? Bucket(tokens: limits.burst, at: now)
            let elapsed = now - bucket.at
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(limits.burst, bucket.tokens + max(0, seconds) * limits.messagesPerSecond)
            bucket.at = now
            defer { buckets[sender] = bucket }
            guard bucket.tokens >= 1 else { return !enforce }
            bucket.tokens -= 1
            return true
        }
    }
}
