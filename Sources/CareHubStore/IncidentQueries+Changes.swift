import Foundation
import GRDB

/// An incident as it is after a change, and the change's place in the order of all changes.
public struct IncidentChange: Sendable {
    /// The `incident_timeline` sequence number of the incident's latest change in this batch: increasing, never reused.
    public var sequence: Int64
    public var incident: IncidentRecord
}

extension IncidentQueries {
    /// The incidents raised or changed after `sequence`, each once, with its latest change in the batch, in order of
    /// those changes. Every raise, repeat, escalation, acknowledgement, note, assignment and resolution appends to
    /// the incident's timeline, whose sequence numbers this follows.
    ///
    /// At most `limit` timeline rows are read; `through` is the last one read (`sequence` when none was): ask again
    /// from it for the rest. `complete` is false when the limit cut the batch short.
    public func changes(after sequence: Int64, limit: Int) throws -> (changes: [IncidentChange], through: Int64, complete: Bool) {
        try database.writer.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT seq, incident_id FROM incident_timeline WHERE seq > ? ORDER BY seq LIMIT ?
                """, arguments: [sequence, limit])
            var latest: [Int64: Int64] = [:]
            for row in rows { latest[row["incident_id"]] = row["seq"] }
            let changes = try latest.sorted { $0.value < $1.value }.compactMap { id, seq in
                try IncidentStore.fetch(id, in: db).map { IncidentChange(sequence: seq, incident: $0) }
            }
            return (changes, rows.last?["seq"] ?? sequence, rows.count < limit)
        }
    }

    /// The sequence number of the latest change to any incident (0 when there is none).
    public func latestChange() throws -> Int64 {
        try database.writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM incident_timeline") ?? 0
        }
    }
}
