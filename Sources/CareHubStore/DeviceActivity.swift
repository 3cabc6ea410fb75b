import GRDB

/// The columns of a device's row that ingest changes message by message (last seen, sequence and its gaps,
/// battery, the mapping's memory, …), read once in a transaction, changed in memory, and written once at its end
/// (`PendingActivity`). Each change is the one the row's own `UPDATE` used to make, so the row ends the same.
struct DeviceActivity {
    var lastSeq: Int64?
    var seqGaps: Int64
    var lastSeenAt: Int64?
    var battery: DatabaseValue
    var room: String?
    var type: String?
    var mappingMemory: String?
    var linkQuality: DatabaseValue
    /// Whether anything changed since the row was read.
    var changed = false

    static let columns = "last_seq, seq_gaps, last_seen_at, battery, room, type, mapping_memory, link_quality"

    init(row: Row) {
        lastSeq = row["last_seq"]
        seqGaps = row["seq_gaps"]
        lastSeenAt = row["last_seen_at"]
        battery = row["battery"]
        room = row["room"]
        type = row["type"]
        mappingMemory = row["mapping_memory"]
        linkQuality = row["link_quality"]
    }

    /// A new event from the device: `sequence` counts the gaps it reveals (upstream loss); `room` and `type` fill
    /// only what the row does not know yet.
    mutating func note(sequence: Int64?, receivedAt: Int64, battery: Double?, room: String?, type: String?) {
        if let sequence {
            if let last = lastSeq {
                if sequence > last + 1 { seqGaps += sequence - last - 1 }
                if sequence > last { lastSeq = sequence }
            } else {
                lastSeq = sequence
            }
        }
        seen(at: receivedAt)
        if let battery { self.battery = battery.databaseValue }
        self.room = self.room ?? room
        self.type = self.type ?? type
        changed = true
    }

    /// What a mapped message left: the mapping's memory, its link quality when it gave one, and `seenAt` when it
    /// counts as a sign of life.
    mutating func noteMapping(memory: String, linkQuality: Double?, seenAt: Int64?) {
        mappingMemory = memory
        if let linkQuality { self.linkQuality = linkQuality.databaseValue }
        if let seenAt { seen(at: seenAt) }
        changed = true
    }

    private mutating func seen(at millis: Int64) {
        lastSeenAt = max(lastSeenAt ?? 0, millis)
    }

    /// Writes the row back.
    func write(home: String, device: String, in db: Database) throws {
        try db.cachedStatement(sql: """
            UPDATE devices SET last_seq = ?, seq_gaps = ?, last_seen_at = ?, battery = ?, room = ?, type = ?, mapping_memory = ?, link_quality = ?
            WHERE home_id = ? AND id = ?
            """).execute(arguments: [lastSeq, seqGaps, lastSeenAt, battery, room, type, mappingMemory, linkQuality, home, device])
    }
}
