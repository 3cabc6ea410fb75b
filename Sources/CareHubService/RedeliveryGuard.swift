import CareHubCore
import CareHubStore
import Foundation
import Logging

/// Tells a broker's redelivery of a message the hub had already stored from a new message with the same bytes.
///
/// A message without an id of its own (a Zigbee2MQTT button press: `{"action":"sos"}`) stored just before a
/// crash, whose acknowledgement the broker never processed, is sent again when the hub reconnects. Stored again
/// it would be a second press and announce a repeat emergency. But two identical presses are two presses, so
/// content alone cannot decide. Four facts can:
/// - **The DUP flag.** The broker sets it on every message it sends a second time and never on a first
///   transmission (`MosquittoMessage.duplicateFlag`). A message without it is new, whatever its bytes.
/// - **Order.** The broker processes acknowledgements in the order they were sent, so the messages it still holds
///   unacknowledged are the last ones it sent, and it sends them again first, in the same order. Those the hub had
///   stored are therefore exactly the newest entries of the delivery log (`DeliveryLog`, in the order first
///   received; a recognised redelivery keeps its first place, since the broker keeps it there too, but takes the
///   time it came back: it was received again, and may come back again after the next crash),
///   and any that follow were never stored (the hub died before committing them).
/// - **The packet identifier.** The broker resends an unacknowledged message with its original identifier
///   (MQTT 3.1.1 [MQTT-4.4.0-1]), and no two messages in flight share one, so a redelivery must carry the identifier
///   logged with the message it repeats. An identical press sent just after a stored one, and lost in the crash
///   before it was stored, carries another: it is stored, not taken for the first one sent again. (Entries logged
///   before identifiers were match on their digest alone.)
/// - **How far behind the broker can be.** On a loaded machine it read acknowledgements seconds late (6.8 s seen
///   here with mosquitto 2.0.11 and four busy processes per core), so a redelivery may be that much older than the
///   last commit. But a broker that has not read an acknowledgement for `acknowledgementLag` has stalled, so an
///   entry older than that is not where a redelivered run can start: an identical message acknowledged an hour ago
///   is never a reason to drop a new one.
///
/// So the first flagged message of a connection is aligned with the log entries holding the same digest, each
/// alignment a hypothesis that the log from there to its end came back; every later flagged message must continue
/// an alignment. Where the hypotheses disagree (a repeating payload, a smart plug's `ON`, `OFF`, `ON`), the
/// shortest one wins: storing a copy twice is better than dropping a message. The first message without the flag,
/// a flagged one that continues no alignment, the end of the log, or the connection's backlog sentinel ends the
/// check for the rest of the connection. A clean stop (every acknowledgement sent) empties the log.
///
/// **Threads.** `connectionStarting` and `classify` run on the MQTT network thread, which delivers messages one
/// at a time; the lock only makes the type honestly `Sendable`.
public final class RedeliveryGuard: @unchecked Sendable {
    /// How long the broker may plausibly take to read an acknowledgement (milliseconds): only log entries committed
    /// this close to the last one can start a redelivered run.
    public static let acknowledgementLag: Int64 = 60_000

    // @unchecked because the mutable state is guarded by `lock`.
    private let lock = NSLock()
    private let log: DeliveryLog
    private let logger: Logger
    /// The delivery log at the start of the connection, oldest first.
    private var logged: [DeliveryLog.Entry] = []
    /// Where each digest stands in `logged`, among the entries a redelivered run can start at.
    private var positions: [DeliveryDigest: [Int]] = [:]
    /// The alignments still possible: indexes into `logged` where the redelivered run may have started.
    private var alignments: [Int] = []
    /// How many flagged messages have matched so far on this connection.
    private var matched = 0
    private var checking = false
    private var warnedWithoutFlag = false
    private var position: Int64

    public init(log: DeliveryLog, logger: Logger) throws {
        self.log = log
        self.logger = logger
        position = try log.nextPosition()
    }

    /// A new connection is about to be made: its first messages may be redeliveries of the last ones stored.
    /// If the log cannot be read, nothing is treated as a redelivery (a duplicate is better than a loss).
    public func connectionStarting() {
        var entries: [DeliveryLog.Entry] = []
        var index: [DeliveryDigest: [Int]] = [:]
        do {
            entries = try log.entries()
            let newest = entries.map(\.receivedAt).max() ?? 0
            for (offset, entry) in entries.enumerated() where entry.receivedAt >= newest - Self.acknowledgementLag {
                index[entry.digest, default: []].append(offset)
            }
        } catch {
            logger.error("Could not read the recent deliveries; a message redelivered now may be stored twice", metadata: ["error": "\(error)"])
        }
        lock.withLock {
            logged = entries
            positions = index
            alignments = []
            matched = 0
            checking = !entries.isEmpty
        }
    }

    /// What to do with one delivery: whether it is a redelivery, and the log position to record it at. A message
    /// delivered at QoS 0 is never redelivered and is not logged (it would break the order the check relies on).
    public func classify(_ digest: DeliveryDigest, qos: Int32 = 1, duplicateFlag: Bool?, packetID: Int32? = nil) -> IngestStore.Delivery {
        lock.withLock {
            guard qos > 0 else { return IngestStore.Delivery(qos: qos) }
            // A redelivery keeps its place in the log, the place the broker keeps it in: logged again at the end, it
            // would put the log out of the broker's order for the next crash. It is written again there with the time
            // it came back, so that a run killed long after first receiving it can still start the next redelivered run.
            if checking, let place = redeliveredEntry(digest, packetID: packetID, duplicateFlag: duplicateFlag) {
                return IngestStore.Delivery(qos: qos, digest: digest, position: logged[place].position, packetID: packetID, isRedelivery: true)
            }
            defer { position += 1 }
            return IngestStore.Delivery(qos: qos, digest: digest, position: position, packetID: packetID)
        }
    }

    /// The check's decision for the connection's next message: the index in `logged` of the entry it is a redelivery
    /// of, or nil if it is not one (the caller holds the lock).
    private func redeliveredEntry(_ digest: DeliveryDigest, packetID: Int32?, duplicateFlag: Bool?) -> Int? {
        guard let duplicateFlag else {
            if !warnedWithoutFlag {
                warnedWithoutFlag = true
                logger.warning("""
                    libmosquitto did not report a received message's DUP flag, so the hub cannot tell a redelivery from a new \
                    message: a message without an id of its own that the broker redelivers after a crash is stored twice
                    """)
            }
            endCheck(reason: "the DUP flag is unknown")
            return nil
        }
        guard duplicateFlag else {
            endCheck(reason: "a first transmission")
            return nil
        }
        if matched == 0 { alignments = positions[digest] ?? [] }
        // Keep the alignments this message continues; one that has reached the log's end says it was never stored.
        alignments.removeAll { start in start + matched < logged.count && !logged[start + matched].matches(digest, packetID: packetID) }
        guard let shortest = alignments.max(), shortest + matched < logged.count else {
            endCheck(reason: alignments.isEmpty ? "a redelivery the hub had not stored" : "the end of the stored run")
            return nil
        }
        defer { matched += 1 }
        return shortest + matched
    }

    private func endCheck(reason: String) {
        guard checking else { return }
        checking = false
        logger.info("Redelivery check ended", metadata: [
            "redelivery.recognised": "\(matched)", "redelivery.ended_by": "\(reason)", "redelivery.logged": "\(logged.count)",
            "redelivery.run_start": "\(alignments.max().map(String.init) ?? "none")",
        ])
        logged = []
        positions = [:]
        alignments = []
    }

    /// The connection's backlog sentinel came back: the broker has sent everything it held before it, redeliveries
    /// first, so nothing after it is one.
    public func backlogDelivered() {
        lock.withLock { endCheck(reason: "the backlog sentinel") }
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
