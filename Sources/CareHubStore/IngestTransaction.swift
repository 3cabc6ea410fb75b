import GRDB

/// A write transaction ingest holds open for one read burst (`IngestStore.write`): the messages stored through it
/// commit together, with one fsync, before any of them is acknowledged. It offers the `Ingestor` scoped write
/// primitives only (`IngestTransaction+Registry`, `+Events`, `+Refusals`); every decision is the caller's.
public struct IngestTransaction {
    let db: Database

    /// Runs `body` with a transaction over `db` (already inside a write transaction).
    static func run<T>(in db: Database, _ body: (IngestTransaction) throws -> T) throws -> T {
        try body(IngestTransaction(db: db))
    }
}
