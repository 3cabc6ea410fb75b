import CareHubCore
import Foundation
import GRDB

extension IncidentStore {
    /// Adds a note to an incident's timeline (any state).
    public func note(_ id: Int64, by person: String, text: String, at now: Date) throws -> IncidentRecord {
        try database.writer.write { db in
            guard let record = try Self.fetch(id, in: db) else { throw StoreError.incidentNotFound(id) }
            try Self.appendTimeline(incident: id, home: record.home, at: now.millisecondsSince1970, actor: person, action: "note",
                                    note: text, details: nil, in: db)
            return record
        }
    }

    /// Assigns an unresolved incident to a named person.
    public func assign(_ id: Int64, to assignee: String, by person: String, at now: Date) throws -> IncidentRecord {
        try database.writer.write { db in
            try db.execute(sql: "UPDATE incidents SET assigned_to = ? WHERE id = ? AND state != 'resolved'", arguments: [assignee, id])
            guard db.changesCount == 1 else {
                guard let record = try Self.fetch(id, in: db) else { throw StoreError.incidentNotFound(id) }
                throw IncidentConflict(message: "Incident \(id) was resolved by \(record.resolvedBy ?? "someone"); it cannot be assigned.")
            }
            guard let record = try Self.fetch(id, in: db) else { throw StoreError.incidentNotFound(id) }
            try Self.appendTimeline(incident: id, home: record.home, at: now.millisecondsSince1970, actor: person, action: "assigned",
                                    note: "Assigned to \(assignee).", details: JSONText.object([("to", JSONText.quoted(assignee))]), in: db)
            return record
        }
    }
}
