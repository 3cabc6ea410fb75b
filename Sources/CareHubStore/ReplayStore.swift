import CareHubCore
import Foundation
import GRDB

/// Writes a replay: stored events and the incidents the rules raise, many lines per transaction (a replay is
/// not acknowledging anything, so it does not pay one commit per message).
public struct ReplayStore: Sendable {
    public let database: HubDatabase
    public let ingest: IngestStore

    public init(database: HubDatabase, registration: RegistrationMode, defaultTimeZone: String) {
        self.database = database
        ingest = IngestStore(database: database, registration: registration, defaultTimeZone: defaultTimeZone)
    }

    /// One transaction's worth of replay work.
    public struct Transaction {
        let database: Database
        let ingest: IngestStore
        /// Devices found registered in their home earlier in this transaction.
        let registered = RegisteredDevices()

        /// Stores one message as ingest would.
        ///
        /// An event from a device already found registered in this transaction is inserted at once: the registry is
        /// asked once a transaction for each device, not for every event. Inside one write transaction nothing
        /// else can remove the device, so the answer stands, and the rest is what ingest does for a registered device.
        public func store(_ message: DecodedMessage, topic: String, payload: [UInt8], receivedAt: Date) throws -> IngestStore.Outcome {
            let millis = receivedAt.millisecondsSince1970
            if case .event(let event) = message {
                if registered.contains(home: event.home, device: event.device) {
                    return try ingest.insertEvent(event, receivedAt: millis, in: database)
                }
                if try ingest.registration(of: event.device, type: event.type, room: event.room, home: event.home, receivedAt: millis,
                                           in: database) == .registered {
                    registered.insert(home: event.home, device: event.device)
                    return try ingest.insertEvent(event, receivedAt: millis, in: database)
                }
            }
            return try ingest.store(message, topic: topic, payload: payload, receivedAt: millis, in: database)
        }

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
            return try body(Transaction(database: db, ingest: ingest))
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
