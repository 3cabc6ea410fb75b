@testable import CareHubStore
import CareHubCore
import CareHubService
import CareHubTesting
import Foundation
import GRDB
import Testing

/// Upgrading a v10 database, whose outbox rows held an MQTT topic (or a webhook's name) and the JSON payload, to
/// v11's typed columns: every queued notification still goes out with exactly the bytes it would have had.
@Suite struct OutboxMigrationTests {
    /// Rows as v10 wrote them: seq, channel, topic, payload, incident, delivered, attempts, fanned out.
    static let v10Rows: [(seq: Int64, channel: String, topic: String, payload: String, incident: Int64?, delivered: Bool, attempts: Int, fannedOut: Bool)] = [
        (1, "mqtt", "carehub/v1/flat-12/receipt", #"{"id":"p1","stored_at":"2026-11-29T10:15:02.120Z"}"#, nil, false, 0, false),
        (2, "mqtt", "carehub/v1/flat-12/alert",
         #"{"incident":"1","home":"flat-12","kind":"pendant","priority":"emergency","state":"open","at":"2026-11-29T10:15:02.120Z","summary":"Pendant \"pressed\"\n(device pendant-1)","device":"pendant-1"}"#,
         1, true, 1, true),
        (3, "webhook", "oncall",
         #"{"incident":"1","home":"flat-12","kind":"pendant","priority":"emergency","state":"open","at":"2026-11-29T10:15:02.120Z","summary":"Pendant \"pressed\"\n(device pendant-1)","device":"pendant-1"}"#,
         1, false, 2, true),
        (4, "mqtt", "carehub/v1/flat-12/alert",
         #"{"incident":"1","home":"flat-12","kind":"pendant","priority":"emergency","state":"open","at":"2026-11-29T10:15:40.000Z","summary":"Pendant \"pressed\"\n(device pendant-1)","device":"pendant-1","repeat":2}"#,
         1, false, 0, false),
        (5, "mqtt", "carehub/v1/flat-12/alert",
         #"{"incident":"1","home":"flat-12","kind":"pendant","priority":"emergency","state":"escalated","at":"2026-11-29T10:17:02.120Z","summary":"Pendant \"pressed\"\n(device pendant-1)","device":"pendant-1","level":1}"#,
         1, false, 0, false),
        (6, "mqtt", "carehub/v1/flat-12/alert",
         #"{"incident":"1","home":"flat-12","kind":"pendant","priority":"emergency","state":"acknowledged","at":"2026-11-29T10:18:00.001Z","summary":"Pendant \"pressed\"\n(device pendant-1)","device":"pendant-1","by":"Sam Patel"}"#,
         1, false, 0, false),
        (7, "mqtt", "carehub/v1/flat-9/alert",
         #"{"incident":"2","home":"flat-9","kind":"inactivity","priority":"urgent","state":"resolved","at":"2026-11-29T11:00:00.999Z","summary":"No activity for 4 h","by":"carehub","outcome":"cleared"}"#,
         2, false, 0, false),
    ]

    /// A v10 database holding `rows` (and a purged row 8, so the next sequence number is 9).
    func makeV10Database(at path: String, rows: [(seq: Int64, channel: String, topic: String, payload: String, incident: Int64?, delivered: Bool, attempts: Int, fannedOut: Bool)]) throws {
        let queue = try DatabaseQueue(path: path)
        try HubSchema.migrator.migrate(queue, upTo: "v10-erasure-and-os-user")
        try queue.write { db in
            for row in rows + [(8, "mqtt", "carehub/v1/flat-12/receipt", "{}", nil, true, 1, false)] {
                try db.execute(sql: """
                    INSERT INTO outbox (seq, created_at, channel, topic, payload, incident_id, attempts, next_attempt_at, delivered_at, fanned_out)
                    VALUES (?, 1764411302120, ?, ?, ?, ?, ?, 1764411302120, ?, ?)
                    """, arguments: [row.seq, row.channel, row.topic, Data(row.payload.utf8), row.incident, row.attempts,
                                     row.delivered ? 1764411303000 : nil, row.fannedOut])
            }
            try db.execute(sql: "INSERT INTO outbox_attempts (outbox_seq, at, ok, detail) VALUES (3, 1764411303000, 0, 'HTTP 500')")
            try db.execute(sql: "DELETE FROM outbox WHERE seq = 8")
        }
    }

    @Test func queuedRowsRenderToTheBytesTheyHeldAndKeepTheirPlace() throws {
        let directory = try TemporaryDirectory(prefix: "carehub-outbox-v10")
        defer { directory.remove() }
        let path = directory.path("carehub.sqlite")
        try makeV10Database(at: path, rows: Self.v10Rows)

        let database = try HubDatabase.openForHub(path: path)
        let migrated = try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, channel, webhook, attempts, delivered_at, fanned_out, \(OutboxNotification.columns) FROM outbox ORDER BY seq")
        }
        #expect(migrated.map { $0["seq"] as Int64 } == Self.v10Rows.map(\.seq))
        for (row, old) in zip(migrated, Self.v10Rows) {
            let notification = try #require(OutboxNotification(row: row), "row \(old.seq)")
            #expect(notification.payload == old.payload, "row \(old.seq)")
            if old.channel == "mqtt" {
                #expect(notification.topic == old.topic, "row \(old.seq)")
                #expect(row["webhook"] as String? == nil)
            } else {
                #expect(row["webhook"] as String? == old.topic, "a webhook row keeps its webhook's name")
            }
            #expect(row["attempts"] as Int == old.attempts)
            #expect(((row["delivered_at"] as Int64?) != nil) == old.delivered)
            #expect(row["fanned_out"] as Bool == (old.fannedOut || notification.kind == .receipt), "row \(old.seq)")
        }

        let outbox = OutboxStore(database: database)
        let later = Date(millisecondsSince1970: 1764411400000)
        let retry = try #require(try outbox.next(in: .webhook(target: "oncall"), at: later))
        #expect(retry.seq == 3 && retry.attempts == 2, "the webhook row still has its lane, its attempts and its attempts log")
        #expect(try outbox.next(in: .mqtt, at: later)?.seq == 1, "undelivered rows go out in their old order")
        #expect(try database.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM outbox_attempts WHERE outbox_seq = 3") } == 1)

        try database.writer.write { db in
            try OutboxStore.enqueue(.receipt(EventReceipt(home: "flat-12", eventID: "p2", storedAt: later)), queuedAt: later.millisecondsSince1970, in: db)
        }
        #expect(try database.writer.read { try Int64.fetchOne($0, sql: "SELECT MAX(seq) FROM outbox") } == 9,
                "a purged row's sequence number is not given again")
    }

    @Test func aRowThisVersionCannotReadStopsTheUpgradeAndLeavesTheDatabaseAsItWas() throws {
        let directory = try TemporaryDirectory(prefix: "carehub-outbox-v10")
        defer { directory.remove() }
        let path = directory.path("carehub.sqlite")
        try makeV10Database(at: path, rows: [Self.v10Rows[0], (2, "mqtt", "carehub/v1/flat-12/alert", #"{"state":"open"}"#, 1, false, 0, false)])

        let error = #expect(throws: StoreError.self) { try HubDatabase.openForHub(path: path) }
        #expect(error?.message.hasPrefix("Outbox row 2 holds a notification this version cannot read") == true, "\(String(describing: error))")
        #expect(error?.kind == .databaseUnreadable)
        let queue = try DatabaseQueue(path: path)
        #expect(try queue.read { try HubSchema.migrator.appliedIdentifiers($0) }.contains("v11-typed-outbox") == false)
        #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM outbox WHERE payload IS NOT NULL") } == 2)
    }
}
