import ArgumentParser
import CareHubService
import CareHubStore
import Foundation

struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Check and back up the database.",
        discussion: """
            Restore: stop the hub, move the damaged file (and its -wal and -shm files) aside, copy the backup into
            its place, give it owner carehub:carehub and mode 0660, start the hub (docs/operations.md).
            """,
        subcommands: [DatabaseCheckCommand.self, DatabaseBackupCommand.self]
    )
}

struct DatabaseCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run SQLite's integrity check on the database.",
        discussion: """
            Exit status 0 when the database is sound, 1 with its findings when it is not.

            Examples:
              carehub db check --db /var/lib/carehub/carehub.sqlite
            """
    )

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let db = try HubDatabase.openExisting(path: try database.configuration().database.path, readOnly: true, verifySchema: false)
        let findings = try db.integrityCheck()
        guard findings == ["ok"] else {
            FileHandle.standardError.write(Data((findings.prefix(20).joined(separator: "\n") + "\n").utf8))
            throw CLIFailure("The database at \(db.path) is damaged; restore it from a backup (carehub db --help says how).")
        }
        print("\(db.path): ok")
    }
}

struct DatabaseBackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database safely while the hub runs (SQLite online backup).",
        discussion: """
            Examples:
              carehub db backup /var/backups/carehub-$(date +%F).sqlite --db /var/lib/carehub/carehub.sqlite
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The new file to write.") var file: String

    func run() async throws {
        let db = try HubDatabase.openExisting(path: try database.configuration().database.path, readOnly: true, verifySchema: false)
        try db.backup(to: file)
        print("Backed up \(db.path) to \(file).")
    }
}
