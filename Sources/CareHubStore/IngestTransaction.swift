import GRDB

/// A write transaction ingest holds open for one read burst (`IngestStore.write`): the messages stored through it
/// commit together, with one fsync, before any of them is acknowledged. It offers the `Ingestor` scoped write
/// primitives only (`IngestTransaction+Registry`, `+Events`, `+Refusals`); every decision is the caller's.
///
/// What the messages say about their devices' and homes' activity is gathered (`PendingActivity`) and written
/// once, at the end of the transaction and inside it.
public struct IngestTransaction {
    let db: Database
    let pending: PendingActivity

    /// Runs `body` with a transaction over `db` (already inside a write transaction), then writes the activity
    /// it noted.
    static func run<T>(in db: Database, _ body: (IngestTransaction) throws -> T) throws -> T {
        let transaction = IngestTransaction(db: db, pending: PendingActivity())
        let result = try body(transaction)
        try transaction.pending.flush(in: db)
        return result
    }
}
