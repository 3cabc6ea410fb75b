import CareHubCore
import Foundation
import GRDB

/// Incidents and their timelines: rule decisions applied, staff actions taken, each with its timeline row and
/// its alert in the outbox, in one transaction.
public struct IncidentStore: Sendable {
    /// The actor recorded for what the hub does by itself.
    public static let hubActor = "carehub"

    public let database: HubDatabase

    public init(database: HubDatabase) {
        self.database = database
    }

    // MARK: Rule decisions

    /// What applying one command did; used for logging and tests.
    public enum Change: Sendable, Equatable {
        case opened(Int64)
        case joined(Int64)
        case resolved(Int64)
        case nothingToResolve
    }

    static func apply(_ command: IncidentCommand, at now: Int64, in db: Database) throws -> [Change] {
        switch command {
        case .raise(let draft):
            if let event = draft.triggerEventID, try alreadyRaised(by: event, home: draft.home, kind: draft.kind, device: draft.device, in: db) {
                // The same event raised it before: an alarm raised ahead of a backlog, or events evaluated again after a crash.
                return []
            }
            if let existing = try openIncidentID(home: draft.home, kind: draft.kind, device: draft.device, in: db) {
                try db.execute(sql: """
                    UPDATE incidents SET trigger_count = trigger_count + 1, last_triggered_at = ? WHERE id = ?
                    """, arguments: [now, existing])
                try appendTimeline(incident: existing, home: draft.home, at: now, actor: hubActor, action: "repeat",
                                   note: draft.summary, details: draft.triggerEventID.map { JSONText.object([("event", JSONText.quoted($0))]) }, in: db)
                // An alarm pressed again (even after someone acknowledged it) means the resident still needs help:
                // say so on the alert topic, with the incident's state unchanged and how many triggers it has had.
                if draft.priority == .emergency {
                    try enqueueAlert(incident: existing, state: nil, at: now, in: db)
                }
                return [.joined(existing)]
            }
            try db.execute(sql: """
                INSERT INTO incidents (home_id, kind, priority, priority_rank, device_id, state, summary, opened_at,
                    trigger_event_id, last_triggered_at, flags)
                VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)
                """, arguments: [
                    draft.home, draft.kind.rawValue, draft.priority.rawValue, draft.priority.rank,
                    draft.device, draft.summary, now, draft.triggerEventID, now,
                    draft.flags.isEmpty ? nil : draft.flags.map(\.code).joined(separator: ","),
                ])
            let id = db.lastInsertedRowID
            try appendTimeline(incident: id, home: draft.home, at: now, actor: hubActor, action: "opened", note: draft.summary,
                               details: draft.triggerEventID.map { JSONText.object([("event", JSONText.quoted($0))]) }, in: db)
            try enqueueAlert(incident: id, state: .open, at: now, in: db)
            return [.opened(id)]
        case .resolve(let home, let kind, let device, let reason, _):
            guard let existing = try openIncidentID(home: home, kind: kind, device: device, in: db) else {
                return [.nothingToResolve]
            }
            try db.execute(sql: """
                UPDATE incidents SET state = 'resolved', resolved_at = ?, resolved_by = ?, outcome = 'cleared' WHERE id = ?
                """, arguments: [now, hubActor, existing])
            try appendTimeline(incident: existing, home: home, at: now, actor: hubActor, action: "auto_resolved", note: reason, details: nil, in: db)
            try enqueueAlert(incident: existing, state: .resolved, at: now, in: db)
            return [.resolved(existing)]
        }
    }

    /// Whether `event` already raised an incident of `kind` in `home`: opened it (for `device`), or was added to one
    /// as a repeat (from whichever device).
    private static func alreadyRaised(by event: String, home: String, kind: IncidentKind, device: String?, in db: Database) throws -> Bool {
        let details = JSONText.object([("event", JSONText.quoted(event))])
        return try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM incidents WHERE home_id = ? AND trigger_event_id = ? AND kind = ? AND device_id IS ?)
                OR EXISTS (SELECT 1 FROM incident_timeline AS t JOIN incidents AS i ON i.id = t.incident_id
                           WHERE t.home_id = ? AND t.action = 'repeat' AND t.details = ? AND i.kind = ?)
            """), arguments: [home, event, kind.rawValue, device, home, details, kind.rawValue]) ?? false
    }

    private static func openIncidentID(home: String, kind: IncidentKind, device: String?, in db: Database) throws -> Int64? {
        if kind.isPerDevice {
            return try Int64.fetchOne(db, sql: """
                SELECT id FROM incidents WHERE home_id = ? AND kind = ? AND device_id IS ? AND state != 'resolved' ORDER BY id LIMIT 1
                """, arguments: [home, kind.rawValue, device])
        }
        return try Int64.fetchOne(db, sql: """
            SELECT id FROM incidents WHERE home_id = ? AND kind = ? AND state != 'resolved' ORDER BY id LIMIT 1
            """, arguments: [home, kind.rawValue])
    }

    static func appendTimeline(
        incident: Int64, home: String, at: Int64, actor: String, action: String, note: String?, details: String?, in db: Database
    ) throws {
        try db.execute(sql: """
            INSERT INTO incident_timeline (incident_id, home_id, at, actor, os_user, action, note, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [incident, home, at, actor, OperatingSystemUser.current, action, note, details])
    }

    /// Queues the incident's alert; `state` nil is a repeat trigger: the current state, with the trigger count.
    static func enqueueAlert(incident id: Int64, state: IncidentAlert.State?, at millis: Int64, in db: Database) throws {
        guard let record = try fetch(id, in: db) else { throw StoreError.incidentNotFound(id) }
        let at = Date(millisecondsSince1970: millis)
        let alert = state.map { record.alert(state: $0, at: at) }
            ?? record.alert(state: IncidentAlert.State(record.state), at: at, repeatCount: record.triggerCount)
        try OutboxStore.enqueue(.alert(alert), queuedAt: millis, in: db)
    }

    static func fetch(_ id: Int64, in db: Database) throws -> IncidentRecord? {
        try Row.fetchOne(db, sql: "SELECT \(IncidentRecord.columns) FROM incidents WHERE id = ?", arguments: [id])
            .map(IncidentRecord.init(row:))
    }

    // MARK: Staff actions

    /// Acknowledges an open incident. If someone else got there first, throws an `IncidentConflict` that
    /// names them; exactly one of two concurrent acknowledgements wins.
    public func acknowledge(_ id: Int64, by person: String, note: String?, at now: Date) throws -> IncidentRecord {
        try database.writer.write { db in
            let millis = now.millisecondsSince1970
            try db.execute(sql: """
                UPDATE incidents SET state = 'acknowledged', acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND state = 'open'
                """, arguments: [millis, person, id])
            guard db.changesCount == 1 else {
                // Acknowledging again what you already acknowledged is not a clash with someone else.
                if let record = try Self.fetch(id, in: db), record.state == .acknowledged, record.acknowledgedBy == person { return record }
                throw try Self.conflict(id, action: "acknowledge", in: db)
            }
            guard let record = try Self.fetch(id, in: db) else { throw StoreError.incidentNotFound(id) }
            try Self.appendTimeline(incident: id, home: record.home, at: millis, actor: person, action: "acknowledged", note: note, details: nil, in: db)
            try Self.enqueueAlert(incident: id, state: .acknowledged, at: millis, in: db)
            return record
        }
    }

    /// Resolves an incident that is open or acknowledged, with an outcome. Resolving an incident nobody
    /// acknowledged also acknowledges it, by the same person.
    public func resolve(_ id: Int64, by person: String, outcome: Outcome, note: String?, at now: Date) throws -> IncidentRecord {
        try database.writer.write { db in
            let millis = now.millisecondsSince1970
            try db.execute(sql: """
                UPDATE incidents SET state = 'resolved', resolved_at = ?, resolved_by = ?, outcome = ?,
                    acknowledged_at = COALESCE(acknowledged_at, ?), acknowledged_by = COALESCE(acknowledged_by, ?)
                WHERE id = ? AND state != 'resolved'
                """, arguments: [millis, person, outcome.rawValue, millis, person, id])
            guard db.changesCount == 1 else { throw try Self.conflict(id, action: "resolve", in: db) }
            guard let record = try Self.fetch(id, in: db) else { throw StoreError.incidentNotFound(id) }
            try Self.appendTimeline(incident: id, home: record.home, at: millis, actor: person, action: "resolved", note: note,
                                    details: JSONText.object([("outcome", JSONText.quoted(outcome.rawValue))]), in: db)
            try Self.enqueueAlert(incident: id, state: .resolved, at: millis, in: db)
            return record
        }
    }

    private static func conflict(_ id: Int64, action: String, in db: Database) throws -> any Error {
        guard let record = try fetch(id, in: db) else { return StoreError.incidentNotFound(id) }
        switch record.state {
        case .acknowledged:
            let when = record.acknowledgedAt.map(RFC3339.format) ?? "an unknown time"
            return IncidentConflict(message: "Incident \(id) was already acknowledged by \(record.acknowledgedBy ?? "someone") at \(when).")
        case .resolved:
            let when = record.resolvedAt.map(RFC3339.format) ?? "an unknown time"
            return IncidentConflict(message: "Incident \(id) was already resolved by \(record.resolvedBy ?? "someone") at \(when); nothing to \(action).")
        case .open:
            return IncidentConflict(message: "Incident \(id) changed while you were acting on it; try again.")
        }
    }
}
