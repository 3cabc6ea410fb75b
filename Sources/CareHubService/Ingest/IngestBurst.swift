import CareHubStore

/// One read burst's transaction as the `Ingestor` holds it (`Ingestor.write`), with what it learned of the
/// registry during the burst: each home and each device is looked up once a burst, not once a message. Nothing
/// else writes the registry while the transaction is open, and what ingest itself registers is noted here as it
/// goes, so the answers stay true for the whole burst.
///
/// **Threads.** Lives on the thread that holds the transaction, for that transaction only.
public final class IngestBurst {
    /// The store's primitives, inside the burst's one transaction.
    public let transaction: IngestTransaction

    /// A device of a home: by id, or (for `mappedDevices`) by gateway name.
    struct DeviceKey: Hashable {
        var home: String
        var device: String
    }

    /// A mapped message's device as its gateway name resolved.
    struct MappedDevice {
        var id: String
        var registration: Ingestor.Registration
    }

    /// Whether each home met is registered.
    var homes: [String: Bool] = [:]
    /// Each device's registration, by id.
    var registrations: [DeviceKey: Ingestor.Registration] = [:]
    /// How many devices each home has in service, once counted.
    var deviceCounts: [String: Int] = [:]
    /// Each gateway name's device.
    var mappedDevices: [DeviceKey: MappedDevice] = [:]

    public init(transaction: IngestTransaction) {
        self.transaction = transaction
    }
}
