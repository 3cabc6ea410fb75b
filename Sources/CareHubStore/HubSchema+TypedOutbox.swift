import CareHubCore
import Foundation
import GRDB

extension HubSchema {
    /// The outbox from v11: a row holds what it announces in typed columns (`OutboxNotification`), and the
    /// notifier renders the MQTT topic and the JSON payload. `webhook` names the webhook of a webhook row.
    static let typedOutbox = [
        """
        CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at INTEGER NOT NULL,
            channel TEXT NOT NULL CHECK (channel IN ('mqtt', 'webhook')),
            webhook TEXT CHECK ((channel = 'webhook') = (webhook IS NOT NULL)),
            notification TEXT NOT NULL CHECK (notification IN ('receipt', 'alert')),
            home_id TEXT NOT NULL,
            at INTEGER NOT NULL,
            event_id TEXT CHECK (notification != 'receipt' OR event_id IS NOT NULL),
            incident_id INTEGER,
            kind TEXT,
            priority TEXT,
            state TEXT CHECK (state IN ('open', 'escalated', 'acknowledged', 'resolved')),
            summary TEXT,
            device_id TEXT,
            level INTEGER,
            repeat_count INTEGER,
            actor TEXT,
            outcome TEXT,
            retain INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            delivered_at INTEGER,
            last_error TEXT,
            fanned_out INTEGER NOT NULL DEFAULT 0,
            failure_reported INTEGER NOT NULL DEFAULT 0,
            CHECK (notification != 'alert' OR (incident_id IS NOT NULL AND kind IS NOT NULL AND priority IS NOT NULL
                                               AND state IS NOT NULL AND summary IS NOT NULL))
        ) STRICT
        """,
        "CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE delivered_at IS NULL",
        "CREATE INDEX outbox_fan_out ON outbox (seq) WHERE fanned_out = 0 AND channel = 'mqtt'",
    ]

    /// Rebuilds a v10 outbox (an MQTT topic or a webhook's name, and the JSON payload, per row) with typed columns,
    /// reading each payload the hub wrote once. Every row keeps its sequence number, attempts and delivery state, so
    /// queued notifications go out as before and their attempts log still points at them. A row that cannot be read
    /// stops the migration, and the database stays as it was.
    static func migrateToTypedOutbox(_ db: Database) throws {
        let lastSeq = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")
        try db.execute(sql: "ALTER TABLE outbox RENAME TO outbox_v10")
        try db.execute(sql: "DROP INDEX outbox_pending")
        try db.execute(sql: "DROP INDEX outbox_fan_out")
        for statement in typedOutbox { try db.execute(sql: statement) }
        let insert = try db.makeStatement(sql: """
            INSERT INTO outbox (seq, created_at, channel, webhook, \(OutboxNotification.columns), retain, attempts, next_attempt_at,
                delivered_at, last_error, fanned_out, failure_reported)
            VALUES (?, ?, ?, ?, \(OutboxNotification.placeholders), ?, ?, ?, ?, ?, ?, ?)
            """)
        let rows = try Row.fetchCursor(db, sql: """
            SELECT seq, created_at, channel, topic, payload, retain, attempts, next_attempt_at, delivered_at, last_error, fanned_out,
                failure_reported FROM outbox_v10 ORDER BY seq
            """)
        while let row = try rows.next() {
            let seq: Int64 = row["seq"]
            let channel: String = row["channel"]
            let topic: String = row["topic"]
            guard let notification = LegacyOutboxPayload.notification(topic: channel == "webhook" ? nil : topic, payload: row["payload"]) else {
                throw StoreError(.databaseUnreadable, "Outbox row \(seq) holds a notification this version cannot read, so the database was not upgraded; restore a backup or ask for support.")
            }
            let fannedOut = notification.kind == .receipt ? 1 : row["fanned_out"] as Int
            try insert.execute(arguments: [seq, row["created_at"], channel, channel == "webhook" ? topic : nil]
                               + notification.arguments
                               + [row["retain"], row["attempts"], row["next_attempt_at"], row["delivered_at"], row["last_error"], fannedOut,
                                  row["failure_reported"]])
        }
        try db.execute(sql: "DROP TABLE outbox_v10")
        if let lastSeq {
            try db.execute(sql: "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'outbox'", arguments: [lastSeq])
            if db.changesCount == 0 { try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)", arguments: [lastSeq]) }
        }
    }
}
