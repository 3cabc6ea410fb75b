import CareHubCore
@testable import CareHubService
import CareHubTesting
import Foundation
import Mosquitto

/// Holds the hub's first backlog sentinel back, so a test sees what the hub does between storing the broker's backlog
/// and knowing that it has caught up with it.
///
/// ```swift
/// let hold = SentinelHold()
/// try await fixture.run(interceptBursts: hold.interceptor) {
///     try await hold.waitUntilHolding()
///     …                      // the backlog is stored, the sentinel not yet delivered
///     hold.release()
/// }
/// ```
///
/// It wraps the persistent session's burst handler (`Hub.BurstInterceptor`): every message before the sentinel is
/// handed on (and so stored) at once; the sentinel and what follows it wait, on the MQTT network thread, until
/// `release()`, or at most `limit` so that a failing test cannot hang the hub's shutdown.
final class SentinelHold: @unchecked Sendable {
    // @unchecked because `holding` and `released` are guarded by `condition`.
    private let condition = NSCondition()
    private var holding = false
    private var released = false
    private let limit: TimeInterval

    init(limit: TimeInterval = 45) { self.limit = limit }

    var interceptor: Hub.BurstInterceptor {
        { target in { burst in self.handle(burst, target: target) } }
    }

    /// Lets the held sentinel (and any later one) through.
    func release() {
        condition.withLock {
            released = true
            condition.broadcast()
        }
    }

    /// Waits until a sentinel has come back and is being held: everything the broker queued before it is stored.
    func waitUntilHolding(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !condition.withLock({ holding }) {
            guard ContinuousClock.now < deadline else { throw TestSupportError("The backlog sentinel did not come back within \(timeout).") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The backlog sentinel, not one of the lag probes (`SessionLag`) the hub also sends through its session on the same
    /// topic: a probe left over from the last run can come back before the hub has even subscribed.
    private static func isBacklogSentinel(_ message: MosquittoMessage) -> Bool {
        message.topic == Topic.sentinel && !message.payload.starts(with: SessionLag.prefixBytes)
    }

    private func handle(_ burst: [MosquittoMessage], target: MosquittoClient.BatchHandler) {
        guard let index = burst.firstIndex(where: Self.isBacklogSentinel) else { return target(burst) }
        if index > burst.startIndex { target(Array(burst[..<index])) }
        condition.withLock {
            holding = true
            let until = Date(timeIntervalSinceNow: limit)
            while !released, condition.wait(until: until) {}
            holding = false
        }
        target(Array(burst[index...]))
    }
}
