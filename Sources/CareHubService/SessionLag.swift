import CareHubCore
import Foundation

/// How far behind the hub's persistent session runs, measured by probes the hub publishes through it every second
/// (on the sentinel topic, `probe:` and a token): the broker delivers a probe after everything queued before it, so
/// the time it takes to come back is how long a message published now waits in that session. The live lane runs
/// while the session is behind: after an outage (until the backlog sentinel is back, `BacklogGate`) and whenever a
/// flood or a slow disk holds the session more than `behindAfter` back.
///
/// **Threads.** `nextProbe` runs on the probe task, `received` on the MQTT network thread, `isBehind` on both
/// network threads; the lock guards the state.
public final class SessionLag: @unchecked Sendable {
    // @unchecked because the mutable state is guarded by `lock`.
    public static let behindAfter: Duration = .seconds(1)
    static let prefix = "probe:"
    static let prefixBytes = Array(prefix.utf8)

    private let lock = NSLock()
    private var outstanding: (token: String, sentAt: ContinuousClock.Instant)?
    private var lastLag: Duration = .zero

    public init() {}

    /// The payload of the next probe to publish, or nil while one is still on its way.
    public func nextProbe() -> [UInt8]? {
        lock.withLock {
            guard outstanding == nil else { return nil }
            let token = UUID().uuidString
            outstanding = (token, .now)
            return Array((Self.prefix + token).utf8)
        }
    }

    /// A message on the sentinel topic came back through the persistent session (after everything before it was stored).
    public func received(_ payload: [UInt8]) {
        let text = String(decoding: payload, as: UTF8.self)
        guard text.hasPrefix(Self.prefix) else { return }
        lock.withLock {
            guard let sent = outstanding, text.dropFirst(Self.prefix.count) == sent.token else { return }
            lastLag = .now - sent.sentAt
            outstanding = nil
        }
    }

    /// A new connection: a probe sent on the old one may never come back.
    public func connectionStarting() {
        lock.withLock {
            outstanding = nil
            lastLag = .zero
        }
    }

    /// Whether a message published now waits more than `behindAfter` in the persistent session.
    public var isBehind: Bool {
        lock.withLock {
            if let sent = outstanding, ContinuousClock.now - sent.sentAt > Self.behindAfter { return true }
            return lastLag > Self.behindAfter
        }
    }
}
