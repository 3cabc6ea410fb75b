import CareHubCore
import CareHubService
@testable import CareHubStore
import CareHubTesting
import Foundation
import GRDB

/// A fresh database in a fresh directory for each test.
struct StoreFixture {
    let directory: TemporaryDirectory
    let database: HubDatabase
    let now = RFC3339.parse("2026-11-29T10:15:00Z")!

    init(synchronous: SynchronousMode = .full) throws {
        directory = try TemporaryDirectory(prefix: "carehub-store")
        database = try HubDatabase.openForHub(path: directory.path("carehub.sqlite"), synchronous: synchronous)
    }

    var path: String { directory.path("carehub.sqlite") }

    /// The hub's ingest decisions over this database (the store's ingest primitives are only reached through them).
    func ingest(_ registration: RegistrationMode = .automatic) -> Ingestor {
        Ingestor(store: IngestStore(database: database), registration: registration, defaultTimeZone: "Europe/London")
    }

    /// Decodes and stores one payload as ingest would.
    @discardableResult
    func receive(_ json: String, topic: String = "carehub/v1/flat-12/dev-1/event", registration: RegistrationMode = .automatic,
                 at: Date? = nil) throws -> IngestOutcome {
        let at = at ?? now
        let payload = Array(json.utf8)
        let decoded = EventDecoder().decode(topic: topic, payload: payload, receivedAt: at)
        return try ingest(registration).ingest(.contract(decoded), topic: topic, payload: payload, receivedAt: at)
    }

    func count(_ sql: String) throws -> Int {
        try database.writer.read { try Int.fetchOne($0, sql: sql) ?? -1 }
    }

    /// The notifications queued for MQTT, oldest first, as the outbox holds them.
    func queuedNotifications() throws -> [OutboxNotification] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(OutboxNotification.columns) FROM outbox WHERE channel = 'mqtt' ORDER BY seq")
                .compactMap(OutboxNotification.init(row:))
        }
    }

    func queuedAlerts() throws -> [IncidentAlert] {
        try queuedNotifications().compactMap { if case .alert(let alert) = $0 { alert } else { nil } }
    }

    func queuedReceipts() throws -> [EventReceipt] {
        try queuedNotifications().compactMap { if case .receipt(let receipt) = $0 { receipt } else { nil } }
    }
}

func pendant(_ id: String, device: String = "pendant-1") -> String {
    #"{"id":"\#(id)","ts":"2026-11-29T10:14:58Z","type":"pendant","room":"lounge"}"#
}
