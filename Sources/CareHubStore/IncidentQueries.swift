import CareHubCore
import Foundation
import GRDB

/// Which incidents to list.
public struct IncidentFilter: Sendable {
    /// Nil lists every state.
    public var states: [IncidentState]?
    public var home: String?
    public var kind: String?
    public var priority: Priority?
    public var assignee: String?
    /// Opened at or after.
    public var since: Date?

    public init(states: [IncidentState]? = [.open, .acknowledged], home: String? = nil, kind: String? = nil,
                priority: Priority? = nil, assignee: String? = nil, since: Date? = nil) {
        self.states = states
        self.home = home
        self.kind = kind
        self.priority = priority
        self.assignee = assignee
        self.since = since
    }
}

/// Reading incidents for the command line.
public struct IncidentQueries: Sendable {
    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    /// Most urgent first, then oldest first.
    public func list(_ filter: IncidentFilter, limit: Int = 1000) throws -> [IncidentRecord] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let states = filter.states {
            conditions.append("state IN (\(states.map { _ in "?" }.joined(separator: ",")))")
            _ = arguments.append(contentsOf: StatementArguments(states.map(\.rawValue)))
        }
        if let home = filter.home {
            conditions.append("home_id = ?")
            _ = arguments.append(contentsOf: [home])
        }
        if let kind = filter.kind {
            conditions.append("kind = ?")
            _ = arguments.append(contentsOf: [kind])
        }
        if let priority = filter.priority {
            conditions.append("priority = ?")
            _ = arguments.append(contentsOf: [priority.rawValue])
        }
        if let assignee = filter.assignee {
            conditions.append("assigned_to = ?")
            _ = arguments.append(contentsOf: [assignee])
        }
        if let since = filter.since {
            conditions.append("opened_at >= ?")
            _ = arguments.append(contentsOf: [since.millisecondsSince1970])
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        _ = arguments.append(contentsOf: [limit])
        return try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(IncidentRecord.columns) FROM incidents \(whereClause)
                ORDER BY CASE state WHEN 'resolved' THEN 1 ELSE 0 END, priority_rank, opened_at, id LIMIT ?
                """, arguments: arguments).map(IncidentRecord.init(row:))
        }
    }

    /// How many incidents are in `states` (the console's queue says how many it does not show).
    public func count(states: [IncidentState]) throws -> Int {
        try database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM incidents WHERE state IN (\(states.map { _ in "?" }.joined(separator: ",")))",
                             arguments: StatementArguments(states.map(\.rawValue))) ?? 0
        }
    }

    public func find(_ id: Int64) throws -> IncidentRecord {
        guard let record = try database.writer.read({ try IncidentStore.fetch(id, in: $0) }) else {
            throw StoreError.incidentNotFound(id)
        }
        return record
    }

    public func timeline(_ id: Int64) throws -> [TimelineEntry] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT seq, incident_id, at, actor, action, note, details FROM incident_timeline WHERE incident_id = ? ORDER BY seq
                """, arguments: [id]).map(TimelineEntry.init(row:))
        }
    }
}
