import ArgumentParser
import CareHubCore
import CareHubService
import CareHubStore
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Counts: events stored and refused, incidents by state, devices by health, last event, disk.",
        discussion: """
            Examples:
              carehub status
              carehub status --format json
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOption

    func run() async throws {
        let (db, configuration) = try database.open(readOnly: true)
        let status = try HubStatus.read(from: db)
        let disk = DiskUsage(databasePath: db.path)
        func counts(_ dictionary: [String: Int], order: [String]) -> OutputValue {
            .json("{" + order.map { JSONText.quoted($0) + ":" + String(dictionary[$0] ?? 0) }.joined(separator: ",") + "}")
        }
        let record = OutputRecord(fields: [
            ("events_stored", .integer(Int64(status.eventsStored))),
            ("events_refused", .integer(Int64(status.eventsRefused))),
            ("duplicates_ignored", .integer(Int64(status.duplicatesIgnored))),
            ("incidents", counts(status.incidentsByState, order: IncidentState.allCases.map(\.rawValue))),
            ("devices", counts(status.devicesByHealth, order: ["ok", "low_battery", "offline", "never_seen"])),
            ("homes", .integer(Int64(status.homes))),
            ("last_event_at", .optionalTime(status.lastEventAt)),
            ("last_commit_at", .optionalTime(status.lastCommitAt)),
            ("last_hub_start", .optionalTime(status.lastHubStart)),
            ("outbox_pending", .integer(Int64(status.outboxPending))),
            ("outbox_failing", .integer(Int64(status.outboxFailing))),
            ("outbox_oldest", .optionalTime(status.oldestUndelivered)),
            ("database", .text(db.path)),
            ("database_bytes", disk.databaseBytes.map { .integer($0) } ?? .null),
            ("disk_free_bytes", disk.freeBytes.map { .integer($0) } ?? .null),
        ])
        RecordPrinter(format: output.format, timeZoneIdentifier: configuration.timeZone).printObject(record)
    }
}

/// The database's size on disk (with its WAL) and the free space beside it.
struct DiskUsage {
    var databaseBytes: Int64?
    var freeBytes: Int64?

    init(databasePath: String) {
        let sizes = ["", "-wal"].compactMap { suffix in
            (try? FileManager.default.attributesOfItem(atPath: databasePath + suffix))?[.size] as? Int64
        }
        databaseBytes = sizes.isEmpty ? nil : sizes.reduce(0, +)
        var stats = statvfs()
        let directory = URL(fileURLWithPath: databasePath).deletingLastPathComponent().path
        freeBytes = statvfs(directory, &stats) == 0 ? Int64(stats.f_bavail) * Int64(stats.f_frsize) : nil
    }
}
