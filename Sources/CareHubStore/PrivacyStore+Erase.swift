import CareHubCore
import Foundation
import GRDB

extension PrivacyStore {
    /// Erases everything held about one home (right to erasure, GDPR art. 17), leaving only the audit entry that it
    /// happened (who, when, how many rows). Returns the number of rows erased.
    ///
    /// The home is matched exactly (`Flat-1` is not `flat-1`). Besides every row under its id, this erases its
    /// notifications and their delivery attempts, webhook copies of its incidents' alerts, its gateway's refused
    /// messages, and the alarms its devices raised under the stand-in home `_unassigned` (with their incidents),
    /// when no other home has a device of that id or gateway name.
    ///
    /// Runs beside the hub, in short transactions (`BatchedDeletion`), with SQLite's `secure_delete` on so that the
    /// erased bytes are overwritten, and ends by truncating the write-ahead log. The audit entry is written first,
    /// `in_progress`: from then on the hub's rules ignore the home and forget what they held about it (they watch
    /// `erasure_version`). If the program dies midway the entry stays open, and running the erasure again resumes
    /// it under the same entry. Data the home's devices send after the erasure ends is new data.
    public func erase(home: String, by person: String, at now: Date) throws -> Int {
        let (entry, resumed) = try database.writer.write { db -> (Int64, Bool) in
            if let open = try Int64.fetchOne(db, sql: "SELECT seq FROM data_audit WHERE action = 'erase' AND home_id = ? AND in_progress = 1",
                                             arguments: [home]) {
                return (open, true)
            }
            let seq = try DataAudit.record("erase", home: home, by: person, at: now, details: nil, inProgress: true, in: db)
            try DataAudit.bumpErasureVersion(in: db)
            return (seq, false)
        }
        try database.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA secure_delete = ON") }
        var deletion = BatchedDeletion(writer: database.writer)
        var removed = 0
        // Rows written for the home while it is being erased (its gateway still sending) go in a further pass.
        for _ in 0..<5 {
            let pass = try erasePass(home: home, deletion: &deletion)
            removed += pass
            if pass == 0 { break }
        }
        try database.writer.write { db in
            var details = [("rows", String(removed))]
            if resumed { details.append(("resumed_by", JSONText.quoted(person))) }
            try DataAudit.close(entry, details: JSONText.object(details), in: db)
            try DataAudit.bumpErasureVersion(in: db)
        }
        try truncateWriteAheadLog()
        return removed
    }

    /// One pass over every table that can name the home; returns how many rows it deleted.
    private func erasePass(home: String, deletion: inout BatchedDeletion) throws -> Int {
        let scope = try database.writer.read { db in try ErasureScope(home: home, in: db) }
        let incidents = scope.incidentList
        let strays = scope.strayDeviceList
        let names = scope.gatewayNameList
        let topicPrefix = "carehub/v1/\(home)/"
        var removed = 0
        removed += try deletion.delete(
            from: "outbox", where: "incident_id IN (\(incidents)) OR home_id = ?", arguments: [home]
        ) { db, keys in
            try db.execute(sql: "DELETE FROM outbox_attempts WHERE outbox_seq IN (\(keys))")
            return db.changesCount
        }
        removed += try deletion.delete(from: "incident_timeline", where: "incident_id IN (\(incidents))")
        removed += try deletion.delete(from: "incidents", key: "id", where: "id IN (\(incidents))")
        removed += try deletion.delete(from: "events", where: "home_id = ? OR (home_id = ? AND device_id IN (SELECT value FROM json_each(?)))",
                                       arguments: [home, SensorEvent.unassignedHome, strays])
        removed += try deletion.delete(
            from: "refused_events",
            where: "home_id = ? OR substr(topic, 1, ?) = ? OR (home_id IS NULL AND device_id IN (SELECT value FROM json_each(?)))",
            arguments: [home, topicPrefix.unicodeScalars.count, topicPrefix, names])
        removed += try deletion.delete(from: "gateway_status_log", where: "home_id = ?", arguments: [home])
        removed += try deletion.small { db in
            var count = 0
            // Devices and the home go last: the scope above is found through them, so a resumed erasure finds it again.
            for sql in ["DELETE FROM rule_states WHERE home_id = ?", "DELETE FROM timers WHERE home_id = ?", "DELETE FROM home_modes WHERE home_id = ?",
                        "DELETE FROM gateway_traffic WHERE home_id = ?", "DELETE FROM devices WHERE home_id = ?", "DELETE FROM homes WHERE id = ?"] {
                try db.execute(sql: sql, arguments: [home])
                count += db.changesCount
            }
            return count
        }
        return removed
    }

    /// Moves everything in the write-ahead log into the database file and empties the log, so that no copy of an
    /// erased page stays in the `-wal` file. Waits (the busy timeout) for the hub's readers and writer to let it.
    func truncateWriteAheadLog() throws {
        for attempt in 1...5 {
            let busy = try database.writer.writeWithoutTransaction { db in
                try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")?[0] as Int64? ?? 1
            }
            if busy == 0 { return }
            Thread.sleep(forTimeInterval: 0.2 * Double(attempt))
        }
        throw StoreError(.failed, "The data was erased, but the database's write-ahead log could not be emptied because the hub kept it busy; run the erasure again to empty it.")
    }
}
