import CareHubCore
import Foundation
import GRDB

/// The rules service's view of the database: events and gateway statuses after its checkpoint, rule state
/// per home, timers, explicit away/visit settings — and the transaction that applies its decisions together
/// with the advanced checkpoint, the changed states and their timers, so each event is evaluated once.
public struct RulesStore: Sendable {
    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    /// Where evaluation stands on disk.
    public struct Checkpoint: Sendable, Equatable {
        public var eventSeq: Int64
        public var gatewaySeq: Int64
        public var modeChange: Int64
        public init(eventSeq: Int64 = 0, gatewaySeq: Int64 = 0, modeChange: Int64 = 0) {
            self.eventSeq = eventSeq
            self.gatewaySeq = gatewaySeq
            self.modeChange = modeChange
        }
    }

    public func checkpoint() throws -> Int64 {
        try fullCheckpoint().eventSeq
    }

    public func fullCheckpoint() throws -> Checkpoint {
        try database.writer.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT last_event_seq, last_gateway_seq, last_mode_change FROM rules_checkpoint WHERE id = 1")
            return Checkpoint(eventSeq: row?["last_event_seq"] ?? 0, gatewaySeq: row?["last_gateway_seq"] ?? 0, modeChange: row?["last_mode_change"] ?? 0)
        }
    }

    /// Up to `limit` events stored after `seq`, in storage order.
    /// The alarm types as an SQL list, for the partial index `events_alarms` and the queries that use it.
    static let alarmTypesSQL = "(" + EventType.allCases.filter(\.isAlarm).map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"

    /// Alarm events stored after `seq` (at most `limit`), in order: what the rules raise ahead of a backlog.
    public func alarmEvents(after seq: Int64, limit: Int) throws -> [EventRecord] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(EventRecord.columns) FROM events INDEXED BY events_alarms WHERE seq > ? AND type IN \(Self.alarmTypesSQL)
                ORDER BY seq LIMIT ?
                """, arguments: [seq, limit]).compactMap(EventRecord.init(row:))
        }
    }

    public func events(after seq: Int64, limit: Int) throws -> [EventRecord] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(EventRecord.columns) FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                             arguments: [seq, limit]).compactMap(EventRecord.init(row:))
        }
    }

    /// Gateway status changes after `seq`; `device` is set when a gateway reported one device's availability.
    public func gatewayStatuses(after seq: Int64) throws -> [(seq: Int64, home: String, device: String?, state: GatewayState, at: Date)] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, home_id, device_id, state, received_at FROM gateway_status_log WHERE seq > ? ORDER BY seq LIMIT 1000",
                             arguments: [seq]).compactMap { row in
                guard let state = GatewayState(rawValue: row["state"]) else { return nil }
                return (row["seq"], row["home_id"], row["device_id"], state, Date(millisecondsSince1970: row["received_at"]))
            }
        }
    }

    /// What the rules use from the device registry, and its version.
    public struct RegistrySnapshot: Sendable {
        public var version: Int64
        /// Devices with their own reporting interval, on mains power, or of a known class.
        public var devices: [(home: String, device: String, type: String?, mains: Bool, interval: TimeInterval?)]
        /// Devices taken out of service.
        public var removed: [(home: String, device: String)]
    }

    /// `classes`: the device classes (first event types) that have an interval of their own in the settings.
    public func registry(classes: Set<String>) throws -> RegistrySnapshot {
        try database.writer.read { db in
            let version = try Int64.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'registry_version'") ?? 0
            let devices = try Row.fetchAll(db, sql: """
                SELECT home_id, id, type, power, offline_after_s FROM devices
                WHERE removed_at IS NULL AND (power IS NOT NULL OR offline_after_s IS NOT NULL OR type IN (SELECT value FROM json_each(?)))
                """, arguments: ["[" + classes.sorted().map(JSONText.quoted).joined(separator: ",") + "]"]).map { row in
                (home: row["home_id"] as String, device: row["id"] as String, type: row["type"] as String?,
                 mains: row["power"] as String? == "mains", interval: (row["offline_after_s"] as Int64?).map(TimeInterval.init))
            }
            let removed = try Row.fetchAll(db, sql: "SELECT home_id, id FROM devices WHERE removed_at IS NOT NULL").map {
                (home: $0["home_id"] as String, device: $0["id"] as String)
            }
            return RegistrySnapshot(version: version, devices: devices, removed: removed)
        }
    }

    /// The registry's version alone: cheap enough to ask on every step.
    public func registryVersion() throws -> Int64 {
        try database.writer.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'registry_version'") ?? 0 }
    }

    /// Changes whenever an erasure starts or ends (`carehub erase`): cheap enough to ask on every step.
    public func erasureVersion() throws -> Int64 {
        try database.writer.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'erasure_version'") ?? 0 }
    }

    /// Erasures recorded after `seq`, and every erasure still in progress.
    public func erasures(after seq: Int64) throws -> [(seq: Int64, home: String, inProgress: Bool)] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT seq, home_id, in_progress FROM data_audit WHERE action = 'erase' AND home_id IS NOT NULL AND (seq > ? OR in_progress = 1)
                ORDER BY seq
                """, arguments: [seq]).map { ($0["seq"], $0["home_id"], $0["in_progress"]) }
        }
    }

    /// Explicit away (holiday) and visit settings changed after `updatedAfter` (milliseconds).
    public func modeChanges(after updatedAfter: Int64) throws -> [HomeMode] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT home_id, holiday_until, visit_until, updated_at, relearn_at FROM home_modes WHERE updated_at > ? ORDER BY updated_at
                """, arguments: [updatedAfter]).map(HomeMode.init(row:))
        }
    }

    /// One home's remembered rule state, as the rules service last saved it (nil before its first save).
    public func state(of home: String) throws -> HomeRuleState? {
        try database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT state FROM rule_states WHERE home_id = ?", arguments: [home])
        }.map { try JSONDecoder().decode(HomeRuleState.self, from: Data($0.utf8)) }
    }

    /// Every home's remembered rule state, and the homes whose saved state cannot be read (a damaged row, or one
    /// written by another version): those must be rebuilt, never dropped.
    ///
    /// Decoding is most of a large hub's start-up (about 40 µs a home), so the rows are decoded on every core at once.
    public func states() throws -> (states: [(home: String, state: HomeRuleState)], undecodable: [String]) {
        let rows = try database.writer.read { db in
            var rows: [(home: String, state: Data)] = []
            let cursor = try Row.fetchCursor(db, sql: "SELECT home_id, state FROM rule_states")
            while let row = try cursor.next() {
                let text: String = row["state"]
                rows.append((row["home_id"], Data(text.utf8)))
            }
            return rows
        }
        let decoded = rows.concurrentMap {
            let decoder = JSONDecoder()
            return { row in try? decoder.decode(HomeRuleState.self, from: row.state) }
        }
        var states: [(home: String, state: HomeRuleState)] = []
        states.reserveCapacity(rows.count)
        var undecodable: [String] = []
        for (row, state) in zip(rows, decoded) {
            if let state { states.append((row.home, state)) } else { undecodable.append(row.home) }
        }
        return (states, undecodable)
    }

    /// One home's events that happened at or after `since` and were stored at or before `seq`, in storage order: what a
    /// lost rule state is rebuilt from.
    public func events(home: String, since: Date, upTo seq: Int64) throws -> [EventRecord] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(EventRecord.columns) FROM events WHERE home_id = ? AND ts >= ? AND seq <= ? ORDER BY seq
                """, arguments: [home, since.millisecondsSince1970, seq]).compactMap(EventRecord.init(row:))
        }
    }

    /// Applies `commands`, stores `states` and their next `deadlines`, and moves the checkpoint, in one
    /// transaction. Nothing is written for a home being erased, or erased after `erasuresSeenThrough` (the last
    /// erasure the caller has forgotten its homes for), even if the caller has not heard of it yet.
    @discardableResult
    public func apply(
        _ commands: [IncidentCommand], checkpoint: Checkpoint, states: [String: HomeRuleState] = [:],
        deadlines: [String: Date?] = [:], erasuresSeenThrough: Int64 = .max, at now: Date
    ) throws -> [IncidentStore.Change] {
        // Every home's state at once when many changed (a shutdown after a day's outage): encoded on every core.
        let encoded = try Dictionary(uniqueKeysWithValues: Array(states).concurrentMap {
            let encoder = HomeRuleState.makeEncoder()
            return { (entry: (key: String, value: HomeRuleState)) -> (String, Result<String, any Error>) in
                (entry.key, Result { String(decoding: try encoder.encode(entry.value), as: UTF8.self) })
            }
        }.map { ($0.0, try $0.1.get()) })
        return try database.writer.write { db in
            let millis = now.millisecondsSince1970
            let erased = Set(try String.fetchAll(db.cachedStatement(sql: """
                SELECT home_id FROM data_audit WHERE action = 'erase' AND home_id IS NOT NULL AND (in_progress = 1 OR seq > ?)
                """), arguments: [erasuresSeenThrough]))
            var changes: [IncidentStore.Change] = []
            for command in commands where !erased.contains(command.home) {
                changes += try IncidentStore.apply(command, at: millis, in: db)
            }
            for (home, state) in encoded where !erased.contains(home) {
                try db.cachedStatement(sql: """
                    INSERT INTO rule_states (home_id, state, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT (home_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                    """).execute(arguments: [home, state, millis])
            }
            for (home, due) in deadlines where !erased.contains(home) {
                if let due {
                    try db.cachedStatement(sql: """
                        INSERT INTO timers (home_id, name, due_at) VALUES (?, 'rules', ?)
                        ON CONFLICT (home_id, name) DO UPDATE SET due_at = excluded.due_at
                        """).execute(arguments: [home, due.millisecondsSince1970])
                } else {
                    try db.cachedStatement(sql: "DELETE FROM timers WHERE home_id = ? AND name = 'rules'").execute(arguments: [home])
                }
            }
            try db.execute(sql: """
                UPDATE rules_checkpoint SET last_event_seq = MAX(last_event_seq, ?), last_gateway_seq = MAX(last_gateway_seq, ?),
                    last_mode_change = MAX(last_mode_change, ?), updated_at = ? WHERE id = 1
                """, arguments: [checkpoint.eventSeq, checkpoint.gatewaySeq, checkpoint.modeChange, millis])
            return changes
        }
    }

    /// Compatibility for callers that only move the event checkpoint.
    @discardableResult
    public func apply(_ commands: [IncidentCommand], checkpoint: Int64, at now: Date) throws -> [IncidentStore.Change] {
        try apply(commands, checkpoint: Checkpoint(eventSeq: checkpoint), at: now)
    }

    /// Persisted timers: each home's next rules deadline.
    public func timers() throws -> [(home: String, due: Date)] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT home_id, due_at FROM timers WHERE name = 'rules'").map {
                ($0["home_id"], Date(millisecondsSince1970: $0["due_at"]))
            }
        }
    }
}

extension IncidentCommand {
    /// The home the command is about.
    var home: String {
        switch self {
        case .raise(let draft): draft.home
        case .resolve(let home, _, _, _, _): home
        }
    }
}

/// A home's explicit away (holiday) and visit settings.
public struct HomeMode: Sendable, Equatable {
    public var home: String
    public var holidayUntil: Date?
    public var visitUntil: Date?
    public var updatedAt: Int64
    /// When a relearn of the home's routine was asked for; it is this change when equal to `updatedAt`.
    public var relearnAt: Int64?

    /// Whether this change asks for the home's learned routine to start again.
    public var asksToRelearn: Bool { relearnAt == updatedAt }

    init(row: Row) {
        home = row["home_id"]
        holidayUntil = (row["holiday_until"] as Int64?).map(Date.init(millisecondsSince1970:))
        visitUntil = (row["visit_until"] as Int64?).map(Date.init(millisecondsSince1970:))
        updatedAt = row["updated_at"]
        relearnAt = row["relearn_at"]
    }
}
