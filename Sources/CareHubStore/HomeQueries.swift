import CareHubCore
import Foundation
import GRDB

/// A home at a glance, for `carehub homes list|show`.
public struct HomeSummary: Sendable {
    public var id: String
    public var timeZone: String
    public var gatewayState: String?
    public var lastMessageAt: Date?
    public var lastActivityAt: Date?
    public var lastActivityRoom: String?
    public var away: Bool
    /// Nothing heard from any device for two hours, or the gateway reported offline: the hub cannot see the home.
    public var noData: Bool
    public var holidayUntil: Date?
    public var visitUntil: Date?
    public var openIncidents: Int
    public var devices: Int
    public var devicesLowBattery: Int
    public var devicesOffline: Int
    public var sequenceGaps: Int
}

/// Reading homes for the command line.
public struct HomeQueries: Sendable {
    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    /// Throws "no such home" (exit 5 on the command line) unless the home is known: a misspelt home must not
    /// look like a quiet one.
    public func requireKnown(_ home: String) throws {
        let known = try database.writer.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM homes WHERE id = ? UNION SELECT 1 FROM incidents WHERE home_id = ? LIMIT 1",
                              arguments: [home, home]) ?? false
        }
        guard known else { throw StoreError.homeNotFound(home) }
    }

    public func list() throws -> [HomeSummary] {
        try database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM homes ORDER BY id").compactMap { try summary($0, in: db) }
        }
    }

    public func show(_ home: String) throws -> HomeSummary {
        guard let summary = try database.writer.read({ try summary(home, in: $0) }) else {
            throw StoreError.homeNotFound(home)
        }
        return summary
    }

    private func summary(_ home: String, in db: Database) throws -> HomeSummary? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM homes WHERE id = ?", arguments: [home]) else { return nil }
        let stateText = try String.fetchOne(db, sql: "SELECT state FROM rule_states WHERE home_id = ?", arguments: [home])
        let state = stateText.flatMap { try? JSONDecoder().decode(HomeRuleState.self, from: Data($0.utf8)) }
        let mode = try Row.fetchOne(db, sql: "SELECT holiday_until, visit_until FROM home_modes WHERE home_id = ?", arguments: [home])
        let devices = try Row.fetchOne(db, sql: """
            SELECT COUNT(*) AS total, SUM(CASE WHEN battery <= 15 THEN 1 ELSE 0 END) AS low, SUM(seq_gaps) AS gaps
            FROM devices WHERE home_id = ?
            """, arguments: [home])
        let now = Date().millisecondsSince1970
        // The hub keeps the last activity in its rule state; a database written by replay has none, so read it.
        var lastActivity = state?.lastActivityAt
        var lastRoom = state?.lastActivityRoom
        if state == nil, let row = try Row.fetchOne(db, sql: """
            SELECT ts, room FROM events WHERE home_id = ? AND ((type = 'motion' AND value = 'true') OR type IN ('door', 'bed', 'chair'))
            ORDER BY ts DESC LIMIT 1
            """, arguments: [home]) {
            lastActivity = row["ts"]
            lastRoom = row["room"]
        }
        return HomeSummary(
            id: home, timeZone: row["timezone"], gatewayState: row["gateway_state"],
            lastMessageAt: (row["last_message_at"] as Int64?).map(Date.init(millisecondsSince1970:)),
            lastActivityAt: lastActivity.map(Date.init(millisecondsSince1970:)), lastActivityRoom: lastRoom,
            away: state?.awaySince.map { $0 <= now } ?? false,
            noData: (row["gateway_state"] as String?) == "offline"
                || ((row["last_message_at"] as Int64?).map { now - $0 > 2 * 3_600_000 } ?? true),
            holidayUntil: (mode?["holiday_until"] as Int64?).flatMap { $0 > now ? Date(millisecondsSince1970: $0) : nil },
            visitUntil: (mode?["visit_until"] as Int64?).flatMap { $0 > now ? Date(millisecondsSince1970: $0) : nil },
            openIncidents: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM incidents WHERE home_id = ? AND state != 'resolved'", arguments: [home]) ?? 0,
            devices: devices?["total"] ?? 0, devicesLowBattery: devices?["low"] ?? 0,
            devicesOffline: try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM incidents WHERE home_id = ? AND kind = 'device_offline' AND state != 'resolved'
                """, arguments: [home]) ?? 0,
            sequenceGaps: devices?["gaps"] ?? 0)
    }

    /// Activity events (motion seen, doors, bed, chair, appliance use) per room and hour in [start, end).
    public func activityByRoomAndHour(home: String, from start: Date, to end: Date) throws -> [(room: String, at: Date)] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT COALESCE(room, device_id) AS room, ts FROM events
                WHERE home_id = ? AND ts >= ? AND ts < ?
                  AND ((type = 'motion' AND value = 'true') OR type IN ('door', 'bed', 'chair', 'power'))
                ORDER BY ts
                """, arguments: [home, start.millisecondsSince1970, end.millisecondsSince1970]).map {
                ($0["room"], Date(millisecondsSince1970: $0["ts"]))
            }
        }
    }
}

extension HomeQueries {
    /// Per home: events stored and activity events in [start, end), and the last activity event's time.
    public func activitySummary(home: String?, from start: Date, to end: Date) throws -> [(home: String, events: Int, activity: Int, last: Date?)] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT home_id, COUNT(*) AS events,
                       SUM(CASE WHEN (type = 'motion' AND value = 'true') OR type IN ('door', 'bed', 'chair', 'power') THEN 1 ELSE 0 END) AS activity,
                       MAX(CASE WHEN (type = 'motion' AND value = 'true') OR type IN ('door', 'bed', 'chair', 'power') THEN ts END) AS last
                FROM events WHERE ts >= ? AND ts < ? AND (? IS NULL OR home_id = ?) GROUP BY home_id ORDER BY home_id
                """, arguments: [start.millisecondsSince1970, end.millisecondsSince1970, home, home]).map {
                ($0["home_id"], $0["events"], $0["activity"] ?? 0, ($0["last"] as Int64?).map(Date.init(millisecondsSince1970:)))
            }
        }
    }
}
