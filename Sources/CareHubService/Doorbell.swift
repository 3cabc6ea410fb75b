import Foundation

/// Wakes one waiting service when there is new work ("there are new events", "there are new outbox rows").
/// Rings coalesce: any number of rings while nobody waits wake the next wait once. The work itself is
/// always in the database, never in the doorbell.
public final class Doorbell: @unchecked Sendable {
    // @unchecked because `rung` and `waiter` are guarded by `lock`.
    private let lock = NSLock()
    private var rung = false
    private var waiter: CheckedContinuation<Void, Never>?

    public init() {}

    /// Any thread; never blocks.
    public func ring() {
        let continuation = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            if let waiter {
                self.waiter = nil
                return waiter
            }
            rung = true
            return nil
        }
        continuation?.resume()
    }

    /// Returns when rung (at once if it rang since the last wait) or after `timeout`, whichever comes first.
    /// One waiter at a time.
    public func wait(upTo timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForRing() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForRing() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = lock.withLock { () -> Bool in
                    if rung || Task.isCancelled {
                        rung = false
                        return true
                    }
                    waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = lock.withLock { () -> CheckedContinuation<Void, Never>? in
                defer { waiter = nil }
                return waiter
            }
            continuation?.resume()
        }
    }
}
