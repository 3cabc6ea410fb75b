import CareHubCore
import Foundation
import GRDB

/// The hub's SQLite database: a GRDB `DatabasePool` in WAL mode, so the command line reads while the hub
/// writes.
///
/// ```swift
/// let database = try HubDatabase.openForHub(path: "var/carehub.sqlite", synchronous: .full)
/// try database.checkWritable()
/// ```
///
/// **Durability.** With `.full`, a write transaction that returned is on disk; with `.normal` it survives a
/// crash of this process but not necessarily a power cut.
public final class HubDatabase: Sendable {
    public let path: String
    public let writer: DatabasePool
    /// The hub will not start (and so will not take messages) with less free space than this beside the database.
    public static let minimumFreeBytes: Int64 = 256 * 1024

    private init(path: String, writer: DatabasePool) {
        self.path = path
        self.writer = writer
    }

    /// Opens (creating if needed) the database for the hub and brings its schema up to date.
    /// The file is created readable by its owner and group only.
    public static func openForHub(path: String, synchronous: SynchronousMode = .full) throws -> HubDatabase {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            throw StoreError.notWritable(path, "cannot create directory \(directory)")
        }
        let previousMask = umask(0o007)
        defer { umask(previousMask) }
        // SQLite creates files 0644 (less the umask); create it 0660 first so staff in the hub's group can
        // acknowledge incidents. Its -wal and -shm files take the main file's mode.
        if !FileManager.default.fileExists(atPath: path) {
            let descriptor = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o660)
            guard descriptor >= 0 else { throw StoreError.notWritable(path, String(cString: strerror(errno))) }
            close(descriptor)
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: baseConfiguration())
            // GRDB sets synchronous=NORMAL when it puts the pool in WAL mode; the setting is per connection
            // and the pool has exactly one writer connection, so it is set on that connection afterwards.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue.uppercased())")
            }
        } catch {
            throw StoreError.unreadable(path, describe(error))
        }
        let database = HubDatabase(path: path, writer: pool)
        try database.migrate()
        return database
    }

    /// Opens an existing database for the command line; never creates one. `verifySchema: false` is for
    /// maintenance (check, backup), which must work on any version's file.
    ///
    /// **Durability.** Writes are `synchronous=FULL` whatever the hub's own setting: a staff action (an
    /// acknowledgement, an erasure) that the command reported done is on disk.
    public static func openExisting(path: String, readOnly: Bool, verifySchema: Bool = true) throws -> HubDatabase {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.missing(path) }
        guard FileManager.default.isReadableFile(atPath: path) else { throw StoreError.unreadable(path, "permission denied") }
        var configuration = baseConfiguration()
        configuration.readonly = readOnly
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            if !readOnly {
                try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            }
        } catch {
            throw StoreError.unreadable(path, describe(error))
        }
        let database = HubDatabase(path: path, writer: pool)
        if verifySchema { try database.verifySchema(migrateIfOlder: !readOnly) }
        return database
    }

    private static func baseConfiguration() -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "carehub"
        return configuration
    }

    static func describe(_ error: any Error) -> String {
        if let databaseError = error as? DatabaseError {
            return databaseError.message ?? "SQLite error \(databaseError.resultCode.rawValue)"
        }
        return "\(error)"
    }

    private func migrate() throws {
        do {
            if try writer.read({ try HubSchema.migrator.hasBeenSuperseded($0) }) {
                throw StoreError.newerSchema(path)
            }
            try HubSchema.migrator.migrate(writer)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.unreadable(path, Self.describe(error))
        }
    }

    private func verifySchema(migrateIfOlder: Bool) throws {
        do {
            let (superseded, complete, isEmpty) = try writer.read { db in
                (try HubSchema.migrator.hasBeenSuperseded(db),
                 try HubSchema.migrator.hasCompletedMigrations(db),
                 try !db.tableExists("grdb_migrations"))
            }
            if isEmpty { throw StoreError(.databaseUnreadable, "The file at \(path) is not a CareHub database; check --db or the database path in --config.") }
            if superseded { throw StoreError.newerSchema(path) }
            if !complete {
                guard migrateIfOlder else {
                    throw StoreError(.databaseUnreadable, "The database at \(path) was made by an older CareHub or is damaged; start `carehub serve` once to upgrade it, or run `carehub db check --db \(path)`.")
                }
                try HubSchema.migrator.migrate(writer)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.unreadable(path, Self.describe(error))
        }
    }

    /// Free space on the file system holding the database, if it can be read.
    public var freeBytes: Int64? {
        var stats = statvfs()
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return statvfs(directory, &stats) == 0 ? Int64(stats.f_bavail) * Int64(stats.f_frsize) : nil
    }

    /// Proves the database accepts a write right now (disk space, permissions, locks): records a hub start.
    /// The hub calls this before it subscribes, so it never takes a message it cannot store.
    public func checkWritable(at now: Date, version: String) throws {
        // A disk with almost no room left would accept this small write and then refuse the first message.
        if let free = freeBytes, free < Self.minimumFreeBytes {
            throw StoreError.notWritable(path, "only \(free / 1024) KiB free on its disk; at least \(Self.minimumFreeBytes / 1024) KiB are needed")
        }
        do {
            try writer.write { db in
                try db.execute(
                    sql: "INSERT INTO hub_runs (started_at, version) VALUES (?, ?)",
                    arguments: [now.millisecondsSince1970, version])
            }
        } catch {
            throw StoreError.notWritable(path, Self.describe(error))
        }
    }
}
