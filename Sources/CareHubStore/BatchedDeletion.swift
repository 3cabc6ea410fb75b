import Foundation
import GRDB

/// Deletes many rows in short write transactions, so that a purge or an erasure of millions of rows never holds
/// SQLite's single write lock for long: the hub, whose writes wait at most its 10 s busy timeout for that lock
/// (and then exit 75), gets in between two batches, and an alarm stored meanwhile is raised at once.
///
/// ```swift
/// var deletion = BatchedDeletion(writer: database.writer)
/// let removed = try deletion.delete(from: "events", where: "received_at < ?", arguments: [cutoff])
/// ```
///
/// Each batch finds up to `batchSize` matching keys with a read (no lock in WAL mode), then deletes them, checking
/// the condition again, in a transaction of its own. The batch size adapts so that one transaction (commit and
/// fsync included) takes about `targetBatchTime`, and after each batch the deletion pauses for as long as the batch
/// held the lock, so the hub can write at least half of the time. A deletion that dies midway has committed whole
/// batches only; running it again finishes it.
struct BatchedDeletion {
    static let targetBatchTime: Duration = .milliseconds(60)
    static let minimumPause: Duration = .milliseconds(10)
    static let sizes = 100...5_000

    let writer: DatabasePool
    private(set) var batchSize = 1_000

    init(writer: DatabasePool) {
        self.writer = writer
    }

    /// Deletes every row of `table` matching `condition` (SQL over its columns, with `arguments`), `key` being its
    /// integer primary key. `alongside` runs in each batch's transaction first, with the batch's keys, for rows
    /// that hang off these (an outbox row's attempts); it returns how many rows it deleted. Returns the total.
    mutating func delete(
        from table: String, key: String = "seq", where condition: String, arguments: StatementArguments = [],
        alongside: ((Database, String) throws -> Int)? = nil
    ) throws -> Int {
        var removed = 0
        while true {
            let size = batchSize
            let keys = try writer.read { db in
                try Int64.fetchAll(db, sql: "SELECT \(key) FROM \(table) WHERE \(condition) LIMIT \(size)", arguments: arguments)
            }
            if keys.isEmpty { return removed }
            let list = keys.map(String.init).joined(separator: ",")
            let started = ContinuousClock.now
            let (hanging, deleted) = try writer.write { db in
                let hanging = try alongside?(db, list) ?? 0
                try db.execute(sql: "DELETE FROM \(table) WHERE \(key) IN (\(list)) AND (\(condition))", arguments: arguments)
                return (hanging, db.changesCount)
            }
            removed += hanging + deleted
            pause(after: ContinuousClock.now - started)
            // Fewer than asked for: that was the last batch. None deleted: the rows changed under it; stop, not spin.
            if keys.count < size || deleted == 0 { return removed }
        }
    }

    /// Runs `body` in a transaction of its own (for the few rows a home has in small tables), pausing after it.
    mutating func small(_ body: (Database) throws -> Int) throws -> Int {
        let started = ContinuousClock.now
        let removed = try writer.write(body)
        pause(after: ContinuousClock.now - started)
        return removed
    }

    /// Lets the hub write for as long as the last batch held the lock, and sizes the next batch to the target.
    private mutating func pause(after held: Duration) {
        if held > Self.targetBatchTime * 2 {
            batchSize = max(Self.sizes.lowerBound, batchSize / 2)
        } else if held < Self.targetBatchTime / 2 {
            batchSize = min(Self.sizes.upperBound, batchSize * 2)
        }
        let wait = max(held, Self.minimumPause)
        let (seconds, attoseconds) = wait.components
        Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
    }
}
