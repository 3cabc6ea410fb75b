import CareHubCore
import Foundation
import GRDB

/// Where ingest writes what it received: one transaction per read burst (`write { transaction in … }`, group
/// commit). The decisions (registration, spoofing, limits, clock skew) are the service layer's `Ingestor`; the
/// transaction offers it only scoped write primitives (`IngestTransaction`).
///
/// **Threads.** Called on the MQTT network thread, synchronously, before the batch handler returns; the
/// broker's acknowledgements leave only after the transaction has committed. If anything throws, nothing of the
/// burst may be acknowledged.
public struct IngestStore: Sendable {
    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    /// One delivery: who sent it and at which QoS, and what the `RedeliveryGuard` made of it. Written with the
    /// message it carried: the delivery log entry, the sender's QoS 0 count, and its daily refusal limits.
    public struct Delivery: Sendable, Equatable {
        public var sender: GatewaySender?
        public var qos: Int32
        /// The delivery log's entry for it (`DeliveryLog`), when the hub keeps one.
        public var digest: DeliveryDigest?
        public var position: Int64
        /// The MQTT packet identifier it came with, logged beside its digest.
        public var packetID: Int32?
        /// A copy the broker sent again of a message already stored.
        public var isRedelivery: Bool

        public init(sender: GatewaySender? = nil, qos: Int32 = 1, digest: DeliveryDigest? = nil, position: Int64 = 0, packetID: Int32? = nil,
                    isRedelivery: Bool = false) {
            self.sender = sender
            self.qos = qos
            self.digest = digest
            self.position = position
            self.packetID = packetID
            self.isRedelivery = isRedelivery
        }
    }

    /// Runs `body` in one durable write transaction: every message stored through `transaction` commits together,
    /// or (if anything throws) none of them.
    public func write<T>(_ body: (IngestTransaction) throws -> T) throws -> T {
        try database.writer.write { db in try IngestTransaction.run(in: db, body) }
    }
}
