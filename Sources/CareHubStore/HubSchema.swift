import GRDB

/// The database schema, as GRDB migrations. Times are INTEGER milliseconds since 1970 (UTC).
enum HubSchema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-foundation") { db in
            for statement in foundation {
                try db.execute(sql: statement)
            }
        }
        migrator.registerMigration("v2-rules") { db in
            for statement in rules {
                try db.execute(sql: statement)
            }
        }
        migrator.registerMigration("v3-escalation") { db in
            try db.execute(sql: "ALTER TABLE incidents ADD COLUMN next_escalation_at INTEGER")
            try db.execute(sql: "CREATE INDEX incidents_escalation ON incidents (next_escalation_at) WHERE state = 'open'")
        }
        migrator.registerMigration("v4-privacy") { db in
            for statement in privacy {
                try db.execute(sql: statement)
            }
        }
        migrator.registerMigration("v5-webhooks") { db in
            try db.execute(sql: "ALTER TABLE outbox ADD COLUMN fanned_out INTEGER NOT NULL DEFAULT 0")
            try db.execute(sql: "ALTER TABLE outbox ADD COLUMN failure_reported INTEGER NOT NULL DEFAULT 0")
            try db.execute(sql: """
                CREATE TABLE outbox_attempts (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    outbox_seq INTEGER NOT NULL,
                    at INTEGER NOT NULL,
                    ok INTEGER NOT NULL,
                    detail TEXT
                ) STRICT
                """)
            try db.execute(sql: "CREATE INDEX outbox_attempts_message ON outbox_attempts (outbox_seq)")
        }
        migrator.registerMigration("v6-outbox-fan-out-index") { db in
            try db.execute(sql: "CREATE INDEX outbox_fan_out ON outbox (seq) WHERE fanned_out = 0 AND channel = 'mqtt'")
        }
        migrator.registerMigration("v7-device-registry") { db in
            for statement in registry { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v8-delivery-log") { db in
            // A ring of the last committed messages' digests (DeliveryLog): a redelivery after a crash is one of them.
            try db.execute(sql: """
                CREATE TABLE recent_deliveries (
                    slot INTEGER PRIMARY KEY NOT NULL,
                    position INTEGER NOT NULL,
                    digest BLOB NOT NULL,
                    received_at INTEGER NOT NULL
                ) STRICT
                """)
            try db.execute(sql: "INSERT INTO counters (name, value) VALUES ('redeliveries', 0)")
        }
        migrator.registerMigration("v9-gateway-traffic") { db in
            // Per gateway (dialect and home) and UTC day: QoS 0 messages, and what the gateway limits held back.
            try db.execute(sql: """
                CREATE TABLE gateway_traffic (
                    dialect TEXT NOT NULL,
                    home_id TEXT NOT NULL,
                    day INTEGER NOT NULL,
                    qos0_messages INTEGER NOT NULL DEFAULT 0,
                    qos0_alarms INTEGER NOT NULL DEFAULT 0,
                    qos0_last_at INTEGER,
                    kept INTEGER NOT NULL DEFAULT 0,
                    refused_bytes INTEGER NOT NULL DEFAULT 0,
                    quota_kept INTEGER NOT NULL DEFAULT 0,
                    quota_counted INTEGER NOT NULL DEFAULT 0,
                    reported INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (dialect, home_id, day)
                ) STRICT
                """)
        }
        migrator.registerMigration("v10-erasure-and-os-user") { db in
            for statement in erasureAndOperatingSystemUser { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v11-typed-outbox") { db in
            try migrateToTypedOutbox(db)
        }
        migrator.registerMigration("v12-live-deliveries") { db in
            // Alarms one of the hub's two connections handled while both ran, each waiting for the other's copy (LiveDeliveries).
            try db.execute(sql: """
                CREATE TABLE live_deliveries (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    lane TEXT NOT NULL CHECK (lane IN ('live', 'persistent')),
                    digest BLOB NOT NULL,
                    stored_at INTEGER NOT NULL
                ) STRICT
                """)
            try db.execute(sql: "CREATE INDEX live_deliveries_digest ON live_deliveries (digest)")
            try db.execute(sql: "INSERT INTO counters (name, value) VALUES ('live_copies', 0)")
            // The alarms stored beyond the rules' checkpoint, raised ahead of a backlog (RulesRunner).
            try db.execute(sql: "CREATE INDEX events_alarms ON events (seq) WHERE type IN \(RulesStore.alarmTypesSQL)")
            // One raise per triggering event (IncidentStore.alreadyRaised).
            try db.execute(sql: "CREATE INDEX incidents_by_trigger ON incidents (home_id, trigger_event_id) WHERE trigger_event_id IS NOT NULL")
            try db.execute(sql: "CREATE INDEX incident_timeline_repeats ON incident_timeline (home_id, details) WHERE action = 'repeat'")
        }
        migrator.registerMigration("v13-accounts") { db in
            for statement in accounts { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v14-routine-relearn") { db in
            // `carehub homes relearn`: the rules service starts the home's learned routine again when it sees this change.
            try db.execute(sql: "ALTER TABLE home_modes ADD COLUMN relearn_at INTEGER")
        }
        migrator.registerMigration("v15-delivery-packet-ids") { db in
            // A redelivery keeps its MQTT packet identifier: with the digest it tells a message sent again from a new one
            // with the same bytes (RedeliveryGuard). Entries logged before have none and match on the digest alone.
            try db.execute(sql: "ALTER TABLE recent_deliveries ADD COLUMN packet_id INTEGER")
        }
        return migrator
    }()

    /// The device registry (friendly names, power source, expected reporting interval, removal), what the
    /// gateway mappings remember per device, radio link quality and per-device availability.
    private static let registry = [
        "ALTER TABLE devices ADD COLUMN name TEXT",
        "ALTER TABLE devices ADD COLUMN power TEXT CHECK (power IN ('battery', 'mains'))",
        "ALTER TABLE devices ADD COLUMN offline_after_s INTEGER",
        "ALTER TABLE devices ADD COLUMN link_quality REAL",
        "ALTER TABLE devices ADD COLUMN availability TEXT",
        "ALTER TABLE devices ADD COLUMN availability_at INTEGER",
        "ALTER TABLE devices ADD COLUMN mapping_memory TEXT",
        "ALTER TABLE devices ADD COLUMN removed_at INTEGER",
        "CREATE INDEX devices_by_id ON devices (id)",
        "CREATE INDEX devices_by_name ON devices (name) WHERE name IS NOT NULL",
        "ALTER TABLE gateway_status_log ADD COLUMN device_id TEXT",
        "CREATE INDEX refused_by_reason ON refused_events (reason_code, home_id, device_id)",
        "INSERT INTO counters (name, value) VALUES ('registry_version', 0), ('ignored_messages', 0)",
    ]

    /// The operating-system user beside every audited name (issue 11, item 10), and what a complete erasure needs
    /// (item 9): a version the running hub watches to learn of an erasure, an index to find erasures in progress,
    /// and leave to delete, during an erasure, the timelines of the stand-in home's incidents its devices raised.
    private static let erasureAndOperatingSystemUser = [
        "ALTER TABLE data_audit ADD COLUMN os_user TEXT",
        "ALTER TABLE incident_timeline ADD COLUMN os_user TEXT",
        "INSERT INTO counters (name, value) VALUES ('erasure_version', 0)",
        "CREATE INDEX data_audit_erasures ON data_audit (seq) WHERE action = 'erase'",
        "DROP TRIGGER data_audit_only_closes",
        """
        CREATE TRIGGER data_audit_only_closes BEFORE UPDATE ON data_audit
        WHEN NOT (OLD.in_progress = 1 AND NEW.in_progress = 0 AND NEW.seq = OLD.seq AND NEW.at = OLD.at AND NEW.actor = OLD.actor
                  AND NEW.action = OLD.action AND NEW.home_id IS OLD.home_id AND NEW.os_user IS OLD.os_user)
        BEGIN SELECT RAISE(ABORT, 'data_audit is append-only'); END
        """,
        "DROP TRIGGER incident_timeline_is_append_only_delete",
        """
        CREATE TRIGGER incident_timeline_is_append_only_delete BEFORE DELETE ON incident_timeline
        WHEN NOT EXISTS (SELECT 1 FROM data_audit WHERE action = 'erase' AND in_progress = 1
                         AND (home_id = OLD.home_id OR OLD.home_id = '_unassigned'))
        BEGIN SELECT RAISE(ABORT, 'incident_timeline is append-only'); END
        """,
    ]

    private static let foundation = [
        """
        CREATE TABLE homes (
            id TEXT PRIMARY KEY NOT NULL,
            timezone TEXT NOT NULL,
            registered_at INTEGER NOT NULL,
            registered_by TEXT NOT NULL,
            gateway_state TEXT,
            gateway_state_at INTEGER,
            last_message_at INTEGER
        ) STRICT
        """,
        """
        CREATE TABLE devices (
            home_id TEXT NOT NULL REFERENCES homes(id),
            id TEXT NOT NULL,
            type TEXT,
            room TEXT,
            registered_at INTEGER NOT NULL,
            registered_by TEXT NOT NULL,
            last_seen_at INTEGER,
            battery REAL,
            last_seq INTEGER,
            seq_gaps INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (home_id, id)
        ) STRICT, WITHOUT ROWID
        """,
        """
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            home_id TEXT NOT NULL,
            id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            type TEXT NOT NULL,
            value TEXT,
            ts INTEGER NOT NULL,
            received_at INTEGER NOT NULL,
            room TEXT,
            battery REAL,
            device_seq INTEGER,
            is_test INTEGER NOT NULL DEFAULT 0,
            flags TEXT,
            UNIQUE (home_id, id)
        ) STRICT
        """,
        "CREATE INDEX events_home_ts ON events (home_id, ts)",
        """
        CREATE TABLE refused_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            received_at INTEGER NOT NULL,
            topic TEXT NOT NULL,
            payload BLOB NOT NULL,
            payload_length INTEGER NOT NULL,
            payload_sha256 TEXT NOT NULL,
            reason_code TEXT NOT NULL,
            reason TEXT NOT NULL,
            home_id TEXT,
            device_id TEXT,
            event_id TEXT
        ) STRICT
        """,
        """
        CREATE TABLE gateway_status_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            home_id TEXT NOT NULL,
            state TEXT NOT NULL,
            received_at INTEGER NOT NULL
        ) STRICT
        """,
        """
        CREATE TABLE incidents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            home_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            priority TEXT NOT NULL,
            priority_rank INTEGER NOT NULL,
            device_id TEXT,
            state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
            summary TEXT NOT NULL,
            opened_at INTEGER NOT NULL,
            trigger_event_id TEXT,
            last_triggered_at INTEGER NOT NULL,
            trigger_count INTEGER NOT NULL DEFAULT 1,
            acknowledged_at INTEGER,
            acknowledged_by TEXT,
            resolved_at INTEGER,
            resolved_by TEXT,
            outcome TEXT,
            escalation_level INTEGER NOT NULL DEFAULT 0,
            assigned_to TEXT,
            flags TEXT
        ) STRICT
        """,
        "CREATE INDEX incidents_active ON incidents (home_id, kind, device_id) WHERE state != 'resolved'",
        "CREATE INDEX incidents_listing ON incidents (state, priority_rank, opened_at)",
        """
        CREATE TABLE incident_timeline (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            incident_id INTEGER NOT NULL REFERENCES incidents(id),
            home_id TEXT NOT NULL,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            note TEXT,
            details TEXT
        ) STRICT
        """,
        "CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, seq)",
        """
        CREATE TRIGGER incident_timeline_is_append_only_update BEFORE UPDATE ON incident_timeline
        BEGIN SELECT RAISE(ABORT, 'incident_timeline is append-only'); END
        """,
        """
        CREATE TRIGGER incident_timeline_is_append_only_delete BEFORE DELETE ON incident_timeline
        BEGIN SELECT RAISE(ABORT, 'incident_timeline is append-only'); END
        """,
        """
        CREATE TABLE timers (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            home_id TEXT NOT NULL,
            name TEXT NOT NULL,
            due_at INTEGER NOT NULL,
            payload TEXT,
            UNIQUE (home_id, name)
        ) STRICT
        """,
        "CREATE INDEX timers_due ON timers (due_at)",
        """
        CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at INTEGER NOT NULL,
            channel TEXT NOT NULL,
            topic TEXT NOT NULL,
            payload BLOB NOT NULL,
            retain INTEGER NOT NULL DEFAULT 0,
            incident_id INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            delivered_at INTEGER,
            last_error TEXT
        ) STRICT
        """,
        "CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE delivered_at IS NULL",
        """
        CREATE TABLE rules_checkpoint (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            last_event_seq INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        ) STRICT
        """,
        "INSERT INTO rules_checkpoint (id, last_event_seq, updated_at) VALUES (1, 0, 0)",
        "CREATE TABLE counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) STRICT",
        "INSERT INTO counters (name, value) VALUES ('duplicates', 0)",
        """
        CREATE TABLE hub_runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at INTEGER NOT NULL,
            version TEXT NOT NULL
        ) STRICT
        """,
    ]

    /// Rule state per home (persisted with the checkpoint), explicit away/visit settings, and the gateway
    /// status log's own checkpoint.
    private static let rules = [
        """
        CREATE TABLE rule_states (
            home_id TEXT PRIMARY KEY NOT NULL,
            state TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        ) STRICT
        """,
        """
        CREATE TABLE home_modes (
            home_id TEXT PRIMARY KEY NOT NULL,
            holiday_until INTEGER,
            visit_until INTEGER,
            updated_at INTEGER NOT NULL,
            updated_by TEXT NOT NULL,
            note TEXT
        ) STRICT
        """,
        "ALTER TABLE rules_checkpoint ADD COLUMN last_gateway_seq INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE rules_checkpoint ADD COLUMN last_mode_change INTEGER NOT NULL DEFAULT 0",
    ]

    /// Retention and erasure (GDPR art. 17): an append-only record of every purge and erasure; the incident
    /// timeline may lose rows only inside an erasure of their home, which leaves its entry here.
    private static let privacy = [
        """
        CREATE TABLE data_audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            home_id TEXT,
            details TEXT,
            in_progress INTEGER NOT NULL DEFAULT 0
        ) STRICT
        """,
        """
        CREATE TRIGGER data_audit_is_append_only_delete BEFORE DELETE ON data_audit
        BEGIN SELECT RAISE(ABORT, 'data_audit is append-only'); END
        """,
        """
        CREATE TRIGGER data_audit_only_closes BEFORE UPDATE ON data_audit
        WHEN NOT (OLD.in_progress = 1 AND NEW.in_progress = 0 AND NEW.seq = OLD.seq AND NEW.at = OLD.at AND NEW.actor = OLD.actor
                  AND NEW.action = OLD.action AND NEW.home_id IS OLD.home_id)
        BEGIN SELECT RAISE(ABORT, 'data_audit is append-only'); END
        """,
        "DROP TRIGGER incident_timeline_is_append_only_delete",
        """
        CREATE TRIGGER incident_timeline_is_append_only_delete BEFORE DELETE ON incident_timeline
        WHEN NOT EXISTS (SELECT 1 FROM data_audit WHERE action = 'erase' AND in_progress = 1 AND home_id = OLD.home_id)
        BEGIN SELECT RAISE(ABORT, 'incident_timeline is append-only'); END
        """,
    ]
}
