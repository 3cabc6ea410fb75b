import Foundation
import GRDB

extension HubDatabase {
    /// SQLite's own integrity check; returns its findings ("ok" alone when the file is sound).
    public func integrityCheck() throws -> [String] {
        do {
            return try writer.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
        } catch {
            throw StoreError.unreadable(path, Self.describe(error))
        }
    }

    /// A consistent copy made with SQLite's online backup while the hub keeps writing. The copy is created
    /// readable by its owner and group only; an existing file is refused rather than overwritten.
    public func backup(to destination: String) throws {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw StoreError(.alreadyExists, "\(destination) already exists; choose a new file name for the backup.")
        }
        let descriptor = open(destination, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o660)
        guard descriptor >= 0 else {
            throw StoreError(.failed, "Cannot create \(destination) (\(String(cString: strerror(errno)))); check the directory exists and is writable.")
        }
        fchmod(descriptor, 0o660)
        close(descriptor)
        do {
            let copy = try DatabaseQueue(path: destination)
            try writer.backup(to: copy)
        } catch {
            try? FileManager.default.removeItem(atPath: destination)
            throw StoreError(.failed, "The backup to \(destination) failed (\(Self.describe(error))); check the directory exists and has room.")
        }
    }
}
