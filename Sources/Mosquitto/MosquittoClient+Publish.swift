import CMosquitto
import Foundation

extension MosquittoClient {
    /// Publishes and returns once the broker has acknowledged the message (QoS 1), or at once for QoS 0.
    ///
    /// ```swift
    /// try await client.publish(topic: "carehub/v1/h1/receipt", payload: Array(json.utf8), timeout: .seconds(5))
    /// ```
    ///
    /// Any thread. While the connection is down libmosquitto keeps a QoS 1 message and sends it after
    /// reconnecting; `timeout` bounds the wait, after which the caller should treat delivery as unknown and
    /// retry (receivers must tolerate duplicates).
    public func publish(
        topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false, timeout: Duration = .seconds(10)
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.publishAwaitingAcknowledgement(topic: topic, payload: payload, qos: qos, retain: retain) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw MosquittoPublishTimeout(topic: topic, timeout: timeout)
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    private func publishAwaitingAcknowledgement(topic: String, payload: [UInt8], qos: Int32, retain: Bool) async throws {
        let messageID = MessageIDBox()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // The lock is held across mosquitto_publish so that an acknowledgement arriving on the network
                // thread cannot look for the continuation before it is registered.
                lock.withLock {
                    var mid: Int32 = 0
                    let code = payload.withUnsafeBytes { bytes in
                        mosquitto_publish(handle, &mid, topic, Int32(bytes.count), bytes.baseAddress, qos, retain)
                    }
                    guard code == Int32(MOSQ_ERR_SUCCESS.rawValue) else {
                        continuation.resume(throwing: MosquittoError(code: code, operation: "publish to \(topic)"))
                        return
                    }
                    guard qos > 0 else {
                        continuation.resume()
                        return
                    }
                    messageID.value = mid
                    pendingPublishes[mid] = continuation
                }
                loopWakeUp.signal()
            }
        } onCancel: {
            let continuation = lock.withLock { () -> CheckedContinuation<Void, any Error>? in
                guard let mid = messageID.value else { return nil }
                return pendingPublishes.removeValue(forKey: mid)
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Hands a QoS 1 message to libmosquitto now (messages leave in the order they were submitted) and returns its
    /// acknowledgement to await separately, so that a slow acknowledgement does not hold back the next message.
    ///
    /// ```swift
    /// let acknowledgement = try client.submit(topic: "carehub/v1/h1/alert", payload: bytes)
    /// try await acknowledgement.wait(timeout: .seconds(5))
    /// ```
    public func submit(topic: String, payload: [UInt8], retain: Bool = false) throws -> PublishAcknowledgement {
        let acknowledgement = PublishAcknowledgement(topic: topic)
        // The lock is held across mosquitto_publish so that the PUBACK cannot look for it before it is registered.
        try lock.withLock {
            var mid: Int32 = 0
            let code = payload.withUnsafeBytes { bytes in
                mosquitto_publish(handle, &mid, topic, Int32(bytes.count), bytes.baseAddress, 1, retain)
            }
            try MosquittoError.check(code, "publish to \(topic)")
            pendingAcknowledgements[mid] = acknowledgement
        }
        loopWakeUp.signal()
        return acknowledgement
    }

    func failPendingPublishes(with error: any Error) {
        let (continuations, acknowledgements) = lock.withLock { () -> ([CheckedContinuation<Void, any Error>], [PublishAcknowledgement]) in
            defer {
                pendingPublishes.removeAll()
                pendingAcknowledgements.removeAll()
            }
            return (Array(pendingPublishes.values), Array(pendingAcknowledgements.values))
        }
        continuations.forEach { $0.resume(throwing: error) }
        acknowledgements.forEach { $0.complete(.failure(error)) }
    }
}

/// The message id of a publish in flight, shared with its cancellation handler.
private final class MessageIDBox: @unchecked Sendable {
    // @unchecked because it is read and written only under the owning client's `lock`.
    var value: Int32?
}
