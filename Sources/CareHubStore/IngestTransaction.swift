import GRDB

/// A write transaction ingest holds open for one read burst (`IngestStore.write`): the messages stored through it
/// commit together, with one fsync, before any of them is acknowledged.
public struct IngestTransaction {
    let db: Database
}
