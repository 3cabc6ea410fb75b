import Foundation

/// The broker's acknowledgement of one QoS 1 message handed to libmosquitto with `MosquittoClient.submit`: awaited
/// separately, so that several messages can be in flight at once while they left in the order they were submitted.
public final class PublishAcknowledgement: @unchecked Sendable {
    // @unchecked because `state` is guarded by `lock`.
    private enum State {
        case pending(CheckedContinuation<Void, any Error>?)
        case done(Result<Void, any Error>)
    }

    private let lock = NSLock()
    private var state = State.pending(nil)
    let topic: String

    init(topic: String) {
        self.topic = topic
    }

    /// Waits (at most `timeout`) until the broker acknowledged the message; throws `MosquittoPublishTimeout` after
    /// it (delivery unknown: the caller retries, receivers tolerate duplicates), or the connection's error.
    public func wait(timeout: Duration) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.acknowledged() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw MosquittoPublishTimeout(topic: self.topic, timeout: timeout)
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    private func acknowledged() async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let result = lock.withLock { () -> Result<Void, any Error>? in
                    switch state {
                    case .done(let result): return result
                    case .pending:
                        state = .pending(continuation)
                        return nil
                    }
                }
                if let result { continuation.resume(with: result) }
            }
        } onCancel: {
            complete(.failure(CancellationError()))
        }
    }

    /// Network thread (the PUBACK) or `stop` (the connection's end): wakes the waiter, once.
    func complete(_ result: Result<Void, any Error>) {
        let waiter = lock.withLock { () -> CheckedContinuation<Void, any Error>? in
            guard case .pending(let continuation) = state else { return nil }
            state = .done(result)
            return continuation
        }
        waiter?.resume(with: result)
    }
}
