import CareHubCore
import Foundation
import GRDB

/// Writes a replay: stored events and the incidents the rules raise, many lines per transaction (a replay is
/// not acknowledging anything, so it does not pay one commit per message).
public struct ReplayStore: Sendable {
    public let database: HubDatabase
    /// How the replay's `Ingestor` registers homes and devices it meets.
    public let registration: RegistrationMode
    public let defaultTimeZone: String

    public init(database: HubDatabase, registration: RegistrationMode, defaultTimeZone: String) {
        self.database = database
        self.registration = registration
        self.defaultTimeZone = defaultTimeZone
    }

    /// One transaction's worth of replay work.
    public struct Transaction {
        let database: Database
        /// Where the replay's `Ingestor` stores each message, as ingest would.
        public let ingest: IngestTransaction

        /// Applies a rule decision at `at` (virtual time).
        @discardableResult
        public func apply(_ command: IncidentCommand, at: Date) throws -> [IncidentStore.Change] {
            try IncidentStore.apply(command, at: at.millisecondsSince1970, in: database)
        }
    }

    public func write<T>(_ body: (Transaction) throws -> T) throws -> T {
        try database.writer.write { db in
            // A replay writes tens of thousands of events a transaction: a page cache of 64 MiB keeps the indexes' pages
            // it returns to in memory instead of reading them back from the write-ahead log.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            return try IngestTransaction.run(in: db) { ingest in try body(Transaction(database: db, ingest: ingest)) }
        }
    }

    /// Incidents opened in the database: (kind, opened at) for the summary.
    public func openedIncidents() throws -> [(kind: String, openedAt: Date)] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, opened_at FROM incidents ORDER BY opened_at").map {
                ($0["kind"], Date(millisecondsSince1970: $0["opened_at"]))
            }
        }
    }
}
