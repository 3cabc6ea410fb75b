import CareHubCore
import CareHubStore
import Foundation
import Logging

/// Tells a broker's redelivery of a message the hub had already stored from a new message with the same bytes.
///
/// A message without an id of its own (a Zigbee2MQTT button press: `{"action":"sos"}`) stored just before a
/// crash, whose acknowledgement never left, is sent again by the broker when the hub reconnects. Stored again
/// it would be a second press and announce a repeat emergency. But two identical presses a minute apart are
/// two presses, so content alone cannot decide. What can: mosquitto resends its unacknowledged in-flight
/// messages first, before anything queued, on the new connection. So at the start of each connection the
/// guard loads the digests of the messages committed last (`DeliveryLog.recent`), and while the connection's
/// messages keep matching them one for one they are redeliveries; the first message that does not match, or the
/// return of the connection's backlog sentinel, ends the check for the rest of the connection. A clean stop
/// (every acknowledgement sent) empties the log.
///
/// **Threads.** `connectionStarting` and `classify` run on the MQTT network thread, which delivers messages one
/// at a time; the lock only makes the type honestly `Sendable`.
public final class RedeliveryGuard: @unchecked Sendable {
    // @unchecked because the mutable state is guarded by `lock`.
    private let lock = NSLock()
    private let log: DeliveryLog
    private let logger: Logger
    private var candidates: [DeliveryDigest: Int] = [:]
    private var checking = false
    private var position: Int64

    public init(log: DeliveryLog, logger: Logger) throws {
        self.log = log
        self.logger = logger
        position = try log.nextPosition()
    }

    /// A new connection is about to be made: its first messages may be redeliveries of the last ones stored.
    /// If the log cannot be read, nothing is treated as a redelivery (a duplicate is better than a loss).
    public func connectionStarting() {
        var loaded: [DeliveryDigest: Int] = [:]
        do {
            for digest in try log.recent() { loaded[digest, default: 0] += 1 }
        } catch {
            logger.error("Could not read the recent deliveries; a message redelivered now may be stored twice", metadata: ["error": "\(error)"])
        }
        lock.withLock {
            candidates = loaded
            checking = !loaded.isEmpty
        }
    }

    /// What to do with one delivery: whether it is a redelivery, and the log position to record it at.
    public func classify(_ digest: DeliveryDigest) -> IngestStore.Delivery {
        lock.withLock {
            var redelivered = false
            if checking {
                if let left = candidates[digest], left > 0 {
                    candidates[digest] = left - 1
                    redelivered = true
                } else {
                    checking = false
                    candidates = [:]
                }
            }
            defer { position += 1 }
            return IngestStore.Delivery(digest: digest, position: position, isRedelivery: redelivered)
        }
    }

    /// The connection's backlog sentinel came back: the broker has sent everything it held before it, redeliveries
    /// first, so nothing after it is one.
    public func backlogDelivered() {
        lock.withLock {
            checking = false
            candidates = [:]
        }
    }

    /// Called after a clean disconnect: every stored message was acknowledged, so none can come back.
    public func connectionClosedCleanly() {
        do {
            try log.forget()
        } catch {
            logger.warning("Could not clear the recent deliveries after a clean stop", metadata: ["error": "\(error)"])
        }
    }
}
