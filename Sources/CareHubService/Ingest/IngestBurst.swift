import CareHubStore

/// One read burst's transaction as the `Ingestor` holds it (`Ingestor.write`), with what it learned of the
/// registry during the burst.
///
/// **Threads.** Lives on the thread that holds the transaction, for that transaction only.
public final class IngestBurst {
    /// The store's primitives, inside the burst's one transaction.
    public let transaction: IngestTransaction

    public init(transaction: IngestTransaction) {
        self.transaction = transaction
    }
}
