import CareHubCore
import Foundation
import GRDB

/// One registered device as `carehub devices list` shows it.
public struct DeviceRecord: Sendable, Equatable {
    public var home: String
    public var id: String
    public var name: String?
    public var type: String?
    public var room: String?
    public var power: String?
    public var offlineAfter: TimeInterval?
    public var registeredBy: String
    public var registeredAt: Date
    public var lastSeenAt: Date?
    public var battery: Double?
    public var linkQuality: Double?
    public var possibleLostEvents: Int64
    /// The gateway's last word on the device's availability.
    public var availability: String?
    /// Open device-health incidents (`device_offline`, `low_battery`, `data_fault`).
    public var openIncidents: [String]
}

/// A device heard from but not accepted: unknown with strict registration, or registered to another home.
public struct UnknownDevice: Sendable, Equatable {
    public var home: String?
    public var device: String?
    public var reason: String
    public var messages: Int64
    public var firstAt: Date
    public var lastAt: Date
    public var exampleTopic: String
}

/// Reads the registry for `carehub devices list` and `carehub devices unknown`.
public struct DeviceQueries: Sendable {
    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    public func list(home: String?) throws -> [DeviceRecord] {
        try database.writer.read { db in
            let incidents = try Row.fetchAll(db, sql: """
                SELECT home_id, device_id, kind FROM incidents
                WHERE state != 'resolved' AND device_id IS NOT NULL AND kind IN ('device_offline', 'low_battery', 'data_fault')
                  AND (? IS NULL OR home_id = ?)
                """, arguments: [home, home])
            var open: [String: [String]] = [:]
            for row in incidents {
                open["\(row["home_id"] as String)/\(row["device_id"] as String)", default: []].append(row["kind"])
            }
            return try Row.fetchAll(db, sql: """
                SELECT home_id, id, name, type, room, power, offline_after_s, registered_by, registered_at, last_seen_at, battery,
                       link_quality, seq_gaps, availability
                FROM devices WHERE removed_at IS NULL AND (? IS NULL OR home_id = ?) ORDER BY home_id, id
                """, arguments: [home, home]).map { row in
                let home: String = row["home_id"]
                let id: String = row["id"]
                return DeviceRecord(
                    home: home, id: id, name: row["name"], type: row["type"], room: row["room"], power: row["power"],
                    offlineAfter: (row["offline_after_s"] as Int64?).map(TimeInterval.init), registeredBy: row["registered_by"],
                    registeredAt: Date(millisecondsSince1970: row["registered_at"]),
                    lastSeenAt: (row["last_seen_at"] as Int64?).map(Date.init(millisecondsSince1970:)), battery: row["battery"],
                    linkQuality: row["link_quality"], possibleLostEvents: row["seq_gaps"], availability: row["availability"],
                    openIncidents: open["\(home)/\(id)"]?.sorted() ?? [])
            }
        }
    }

    /// Devices whose messages were kept aside, newest first.
    public func unknown(since: Date?) throws -> [UnknownDevice] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT home_id, device_id, reason_code, COUNT(*) AS messages, MIN(received_at) AS first_at, MAX(received_at) AS last_at,
                       MAX(topic) AS topic
                FROM refused_events WHERE reason_code IN ('unregistered', 'registered_elsewhere') AND received_at >= ?
                GROUP BY home_id, device_id, reason_code ORDER BY last_at DESC
                """, arguments: [since?.millisecondsSince1970 ?? 0]).compactMap { row in
                // Devices registered since their messages were kept aside are no longer unknown.
                if let home = row["home_id"] as String?, let device = row["device_id"] as String?, row["reason_code"] as String == "unregistered",
                   try Bool.fetchOne(db, sql: """
                       SELECT 1 FROM devices WHERE home_id = ? AND (id = ? OR name = ?) AND removed_at IS NULL
                       """, arguments: [home, device, device]) == true {
                    return nil
                }
                return UnknownDevice(home: row["home_id"], device: row["device_id"], reason: row["reason_code"], messages: row["messages"],
                                     firstAt: Date(millisecondsSince1970: row["first_at"]), lastAt: Date(millisecondsSince1970: row["last_at"]),
                                     exampleTopic: row["topic"])
            }
        }
    }
}
