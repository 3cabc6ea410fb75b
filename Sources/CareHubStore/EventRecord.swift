import CareHubCore
import Foundation
import GRDB

/// One stored event with its row number and the time the hub received it.
public struct EventRecord: Sendable, Equatable {
    public var seq: Int64
    public var event: SensorEvent
    public var receivedAt: Date

    static let columns = "seq, home_id, id, device_id, type, value, ts, received_at, room, battery, device_seq, is_test, flags"

    init?(row: Row) {
        guard let type = EventType(rawValue: row["type"]) else { return nil }
        seq = row["seq"]
        receivedAt = Date(millisecondsSince1970: row["received_at"])
        event = SensorEvent(
            home: row["home_id"], device: row["device_id"], id: row["id"], type: type,
            value: (row["value"] as String?).map(EventValue.init(jsonText:)) ?? .none,
            timestamp: Date(millisecondsSince1970: row["ts"]), room: row["room"], battery: row["battery"],
            sequence: row["device_seq"], isTest: row["is_test"],
            flags: (row["flags"] as String?).map { $0.split(separator: ",").map { EventFlag(code: String($0)) } } ?? [])
    }
}

/// Reading stored events for the command line.
public struct EventQueries: Sendable {
    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    /// Events newest first (by event time), optionally for one home and since a time.
    public func list(home: String?, since: Date?, limit: Int) throws -> [EventRecord] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let home {
            conditions.append("home_id = ?")
            _ = arguments.append(contentsOf: [home])
        }
        if let since {
            conditions.append("ts >= ?")
            _ = arguments.append(contentsOf: [since.millisecondsSince1970])
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        _ = arguments.append(contentsOf: [limit])
        return try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(EventRecord.columns) FROM events \(filter) ORDER BY ts DESC, seq DESC LIMIT ?",
                             arguments: arguments).compactMap(EventRecord.init(row:))
        }
    }

    /// One home's events with event time in [start, end), oldest first.
    public func window(home: String, from start: Date, to end: Date, limit: Int) throws -> [EventRecord] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(EventRecord.columns) FROM events WHERE home_id = ? AND ts >= ? AND ts < ? ORDER BY ts, seq LIMIT ?",
                             arguments: [home, start.millisecondsSince1970, end.millisecondsSince1970, limit]).compactMap(EventRecord.init(row:))
        }
    }

    /// One home's event by its id.
    public func find(home: String, id: String) throws -> EventRecord? {
        try database.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT \(EventRecord.columns) FROM events WHERE home_id = ? AND id = ?", arguments: [home, id])
                .flatMap(EventRecord.init(row:))
        }
    }
}
